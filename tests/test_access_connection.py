"""The dashboard's reader connection: read-only, no files and no network beyond the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.factories import small_warehouse
from warehouse.connection import connect_readonly

REFUSED = [
    "select * from read_csv('{csv}')",
    "select * from read_text('{csv}')",
    "select * from '{csv}'",
    "select * from glob('{folder}/*')",
    "install httpfs",
    "load httpfs",
    "select * from read_csv('https://example.com/x.csv')",
    "copy (select 1 as a) to '{folder}/out.csv'",
    "copy complaint_tickets to '{folder}/leak.csv'",
    "copy complaint_tickets from '{csv}'",
    "export database '{folder}/dump'",
    "attach '{folder}/other.duckdb' as other",
    "attach ':memory:' as scratch",
    "set enable_external_access = true",
    "create table stolen as select 1 as a",
    "delete from complaint_tickets",
]


@pytest.fixture(scope="module")
def reader(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    folder = tmp_path_factory.mktemp("reader")
    small_warehouse(folder / "w.duckdb")
    (folder / "x.csv").write_text("a\n1\n", encoding="utf-8")
    con = connect_readonly(folder / "w.duckdb")
    yield con, folder
    con.close()


@pytest.mark.parametrize("statement", REFUSED)
def test_the_reader_refuses_files_network_and_writes(
    reader: tuple[duckdb.DuckDBPyConnection, Path], statement: str
) -> None:
    con, folder = reader
    sql = statement.format(csv=folder / "x.csv", folder=folder)
    with pytest.raises(duckdb.Error):
        con.execute(sql).fetchall()
    assert not (folder / "out.csv").exists()
    assert not (folder / "leak.csv").exists()
    assert not (folder / "dump").exists()


def test_the_reader_still_reads_the_marts(reader: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    con, _ = reader
    assert con.execute("select count(*) from complaint_tickets").fetchall() == [(8,)]
