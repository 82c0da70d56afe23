"""Duban warehouse: connection, schema, SQL model build runner, publishing, metrics."""
