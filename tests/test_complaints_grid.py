"""The grid-level monthly complaint mart: its totals over grids equal complaints_monthly's."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.generator import generate
from pipelines.ingest import ingest
from warehouse.build import build
from warehouse.connection import connect_readonly, fetch_frame, fetch_one, writer


def measures(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The summable measure columns of a mart."""
    frame = fetch_frame(con, f"select * from {table} limit 0")
    return [c for c in frame.columns if c.startswith(("count_", "sum_"))]


def totals(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> pl.DataFrame:
    """Every measure summed per month and community."""
    sums = ", ".join(f"sum({c})::bigint as {c}" for c in columns)
    # the table and column names are the test's own
    return fetch_frame(
        con,
        f"select month_on, community_id, {sums} from {table} group by all order by all",
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("grid")
    generate(folder / "src", scale="tiny", end="2025-06", months=3)
    path = folder / "w.duckdb"
    ingest([folder / "src"], path, progress=False)
    with writer(path) as con:
        build(con, full=True)
    return path


@pytest.mark.slow
def test_the_grid_mart_sums_to_the_monthly_mart_for_every_measure(generated: Path) -> None:
    con = connect_readonly(generated)
    columns = measures(con, "complaints_monthly")
    assert measures(con, "complaints_monthly_grid") == columns
    assert "count_satisfied" in columns and "sum_handling_working_days" in columns
    # per month and community (nulls as a key of their own), every measure
    assert_frame_equal(
        totals(con, "complaints_monthly_grid", columns), totals(con, "complaints_monthly", columns)
    )
    tickets = fetch_one(con, "select count(*) from complaint_tickets")
    assert fetch_one(con, "select sum(count_complaints) from complaints_monthly_grid") == tickets
    con.close()


@pytest.mark.slow
def test_tickets_without_a_grid_have_their_own_row(generated: Path) -> None:
    con = connect_readonly(generated)
    unresolved = fetch_one(
        con, "select count(*) filter (where grid_id is null) from complaint_tickets"
    )
    assert unresolved != (0,)  # the messy generated data has tickets with no grid
    shown = fetch_one(
        con, "select sum(count_complaints) from complaints_monthly_grid where grid_id is null"
    )
    assert shown == unresolved
    # one row per month, community and grid
    keys = fetch_one(
        con,
        "select count(*) - count(distinct (month_on, community_id, grid_id)) "
        "from complaints_monthly_grid",
    )
    assert keys == (0,)
    # the closed-side measures count in the closing month, as in complaints_monthly
    closed = fetch_frame(
        con,
        "select closed_month as month_on, grid_id, count(*) as n from complaint_tickets "
        "where is_closed group by all order by all",
    )
    mart = fetch_frame(
        con,
        "select month_on, grid_id, sum(count_closed) as n from complaints_monthly_grid "
        "group by all having sum(count_closed) > 0 order by all",
    )
    assert_frame_equal(closed, mart, check_dtypes=False)
    con.close()
