"""The warehouse writer: private copy, atomic publish, nothing published on failure, one writer."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.connection import (
    WarehouseBusyError,
    WarehouseMissingError,
    connect_readonly,
    fetch_one,
    writer,
)


def test_a_successful_write_is_published(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with writer(path) as con:
        con.execute("create table t as select 1 as x")
    reader = connect_readonly(path)
    assert fetch_one(reader, "select x from t") == (1,)
    reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]


def test_a_failed_write_leaves_the_published_warehouse_untouched(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with writer(path) as con:
        con.execute("create table t as select 1 as x")
    with pytest.raises(RuntimeError), writer(path) as con:
        con.execute("insert into t values (2)")
        raise RuntimeError("crash in the middle")
    reader = connect_readonly(path)
    assert fetch_one(reader, "select count(*) from t") == (1,)
    reader.close()
    assert not list(tmp_path.glob("*.staging-*"))


def test_a_reader_keeps_answering_while_a_write_is_published(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with writer(path) as con:
        con.execute("create table t as select 1 as x")
    reader = connect_readonly(path)
    with writer(path) as con:
        con.execute("insert into t values (2)")
        assert fetch_one(reader, "select count(*) from t") == (1,)
    assert fetch_one(reader, "select count(*) from t") == (1,)  # its snapshot, until it reopens
    reader.close()
    fresh = connect_readonly(path)
    assert fetch_one(fresh, "select count(*) from t") == (2,)
    fresh.close()


def test_two_writers_at_once_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with writer(path), pytest.raises(WarehouseBusyError), writer(path):
        pass


def test_reading_a_missing_warehouse_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissingError, match="duban ingest"):
        connect_readonly(tmp_path / "none.duckdb")


def test_the_reader_cannot_touch_files(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with writer(path) as con:
        con.execute("create table t as select 1 as x")
    reader = connect_readonly(path)
    (tmp_path / "secret.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(duckdb.Error):
        reader.execute(f"select * from read_csv('{tmp_path / 'secret.csv'}')").fetchall()
    reader.close()
