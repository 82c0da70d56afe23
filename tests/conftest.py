"""Shared fixtures: an in-memory DuckDB with the raw schema, and the environment tests run in."""

from __future__ import annotations

import os
from collections.abc import Iterator

import duckdb
import pytest

from warehouse.schema import ensure_raw_schema

os.environ["GX_ANALYTICS_ENABLED"] = "False"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh in-memory warehouse with the raw tables created."""
    connection = duckdb.connect()
    ensure_raw_schema(connection)
    yield connection
    connection.close()
