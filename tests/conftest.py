"""Shared fixtures: an in-memory DuckDB with the raw schema, the access tests' warehouse, reader
and audit store, and the environment tests run in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.factories import access_warehouse
from warehouse.audit import AuditStore
from warehouse.connection import connect_readonly
from warehouse.schema import ensure_raw_schema

os.environ["GX_ANALYTICS_ENABLED"] = "False"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh in-memory warehouse with the raw tables created."""
    connection = duckdb.connect()
    ensure_raw_schema(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built warehouse with planted personal data (tests/factories.access_warehouse); a test
    module may define its own `warehouse` instead."""
    return access_warehouse(tmp_path_factory.mktemp("access") / "w.duckdb")


@pytest.fixture
def reader(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The dashboard's kind of connection to `warehouse`: read-only, no external access."""
    con = connect_readonly(warehouse)
    yield con
    con.close()


@pytest.fixture
def audit(tmp_path: Path) -> AuditStore:
    """A fresh append-only audit store."""
    return AuditStore(tmp_path / "audit.sqlite")
