"""Given/expected tests for hotspot_areas_monthly, the community and grid levels of the hotspots."""

from __future__ import annotations

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.test_hotspots import MARCH, seed
from warehouse.connection import fetch_frame
from warehouse.hotspots import hotspots

COLUMNS = ("month_on, level, area_id, area_name, community_id, grid_id, households, "
           "count_complaints, count_repeats, count_failed_items, count_problems")  # fmt: skip


def test_the_mart_holds_the_community_and_grid_rows_without_the_mix(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    result = fetch_frame(
        con,
        "select level, area_id, households, count_complaints, count_problems"
        " from hotspot_areas_monthly where month_on = date '2025-03-01' order by level, area_id",
    )
    expected = pl.DataFrame(
        {
            "level": ["community", "community", "grid", "grid"],
            "area_id": ["C1", "C2", "G1", "G2"],
            "households": [1000, 500, 600, 30],
            "count_complaints": [7, 2, 6, 1],
            "count_problems": [9, 2, 6, 2],
        },
        schema_overrides={"households": pl.Int64},
    )
    assert_frame_equal(result, expected)
    upper = f"select {COLUMNS} from hotspots_monthly where level <> 'address'"
    every = f"select {COLUMNS} from hotspot_areas_monthly"
    assert fetch_frame(con, f"{upper} except all {every}").is_empty()
    assert fetch_frame(con, f"{every} except all {upper}").is_empty()


def test_hotspots_are_the_same_from_either_mart(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    levels = [("community", None), ("grid", "C1"), ("grid", None)]
    narrow = [hotspots(con, MARCH, level, parent) for level, parent in levels]
    con.execute("drop table hotspot_areas_monthly")  # a warehouse built before it
    for (level, parent), expected in zip(levels, narrow, strict=True):
        assert_frame_equal(hotspots(con, MARCH, level, parent), expected)
    assert narrow[0]["area_id"].to_list() == ["C1", "C2"]
