"""Duban ingestion: source configs, readers, validation, loading, and the `duban` CLI."""

import os

# polars' allocator (jemalloc) keeps freed pages for a minute before returning them to the OS: an
# ingest frees and allocates a file's worth of buffers per file, and returning them each time
# costs page faults (system time) on the next file; set before polars is loaded, a user's own
# setting wins
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:60000,muzzy_decay_ms:60000")
