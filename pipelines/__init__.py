"""Duban ingestion: source configs, readers, validation, loading, and the `duban` CLI."""
