"""Duban ingestion: source configs, readers, validation, loading, and the `duban` CLI."""

import os

# polars' allocator (jemalloc) keeps freed pages for 10 s before returning them to the OS: an
# ingest frees and allocates a file's worth of buffers per file, and returning them at once costs
# page faults (system time) on the next file. Measured on the 10m hotline (24 files, 2 cores):
# 5 s: 3.5 GB peak, 41.7 s; 10 s: 3.5-3.7 GB, 38-39 s; 20 s: 3.8 GB, 38.4 s; 60 s: 4.8 GB (over
# the 4 GB limit), 37-38 s. Set before polars is loaded; a user's own setting wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:10000,muzzy_decay_ms:10000")
