"""Given/expected tests for the hotspots' community and grid levels (hotspots_monthly)."""

from __future__ import annotations

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.factories import insert_raw
from tests.test_hotspots import MARCH, complaint, seed
from warehouse.build import build
from warehouse.connection import fetch_frame
from warehouse.hotspots import hotspots
from warehouse.incremental import stored_order
from warehouse.models import discover

STORED_ORDER = "level, community_id, month_on, area_id"


def test_the_mart_is_stored_level_by_level_with_each_communitys_areas_together(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    stored = fetch_frame(con, f"select {STORED_ORDER} from hotspots_monthly order by rowid")
    assert stored.height == 7  # February: C1, C2, G1; March: C1, C2, G1, G2
    assert_frame_equal(stored, stored.sort(["level", "community_id", "month_on", "area_id"]))


def test_each_level_and_parent_reads_its_areas(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    expected = {
        ("community", None): (["C1", "C2"], [9, 2]),
        ("grid", "C1"): (["G1", "G2"], [6, 2]),
        ("grid", None): (["G1", "G2"], [6, 2]),
    }
    for (level, parent), (areas, problems) in expected.items():
        result = hotspots(con, MARCH, level, parent)
        assert result["area_id"].to_list() == areas
        assert result["count_problems"].to_list() == problems
    households = hotspots(con, MARCH, "grid", "C1").select("area_id", "households")
    expected_households = pl.DataFrame({"area_id": ["G1", "G2"], "households": [600, 30]})
    assert_frame_equal(households, expected_households, check_dtypes=False)


def test_an_incremental_build_keeps_the_stored_order(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)  # built: February and March
    late = {**complaint("F2", "2025-02-12 09:00", "幸福里东门", "C1"), "_period": "2025-02"}
    insert_raw(con, "complaints", [late], load_id=2)
    built = {model.name: model.materialization for model in build(con)}
    assert built["hotspots_monthly"] == "incremental"  # February recomputed, March kept
    stored = fetch_frame(con, f"select {STORED_ORDER}, count_problems from hotspots_monthly "
                              "order by rowid")  # fmt: skip
    assert_frame_equal(stored, stored.sort(["level", "community_id", "month_on", "area_id"]))
    february_c1 = stored.filter(pl.col("area_id") == "C1", pl.col("month_on").dt.month() == 2)
    assert february_c1["count_problems"].to_list() == [2]  # F1 and the late F2


def test_a_build_drops_the_retired_sorted_copy(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    con.execute("create table hotspot_areas_monthly as select * from hotspots_monthly")
    build(con, full=True)
    assert not con.execute(
        "select * from duckdb_tables() where table_name = 'hotspot_areas_monthly'"
    ).fetchall()


def test_an_incremental_build_reads_the_stored_order_from_the_models_sql() -> None:
    models = discover()
    assert stored_order(models["hotspots_monthly"]) == STORED_ORDER
    assert stored_order(models["complaints_monthly"]) is None
