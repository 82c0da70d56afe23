"""Given/expected test: which grids and communities a supervisor's abnormal check counts in."""

from __future__ import annotations

import duckdb

from tests.factories import insert_raw, ts
from warehouse.build import build
from warehouse.connection import fetch_one


def check(check_id: str, community_id: str | None, grid: str) -> dict[str, object]:
    return {
        "check_id": check_id, "checked_at": ts("2025-03-08 10:00"), "supervisor_id": "S01",
        "community_id": community_id, "grid": grid, "subject": "环境卫生", "result": "异常",
        "problem": "垃圾桶满溢",
    }  # fmt: skip


def test_a_check_counts_in_every_grid_its_text_names_by_id_or_by_name(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert_raw(con, "communities", [
        {"community_id": "C1", "street_id": "S1", "community_name": "幸福里社区"},
        {"community_id": "C2", "street_id": "S1", "community_name": "阳光城社区"},
    ])  # fmt: skip
    insert_raw(con, "grids", [
        {"grid_id": "G1", "community_id": "C1", "grid_name": "第1网格"},
        {"grid_id": "G2", "community_id": "C2", "grid_name": "第1网格"},  # the same name in C2
        {"grid_id": "G3", "community_id": "C1", "grid_name": "G1"},  # named like G1's id
    ])  # fmt: skip
    insert_raw(con, "problem_types", [
        {"problem_type_id": "P2", "level1": "社区环境", "level2": "垃圾清运",
         "level3": "垃圾桶满溢"},
    ])  # fmt: skip
    insert_raw(con, "supervisor_inspections", [
        check("K1", "C1", "G1"),  # G1 by id and G3 by name in C1: both
        check("K2", "C2", "第1网格"),  # by name within its community: G2 only
        check("K3", None, "第1网格"),  # no community: the name in any community, G1 and G2
        check("K4", "C1", "无此网格"),  # no grid: its community only
        {**check("K5", "C1", "G1"), "result": "正常"},  # not abnormal: nowhere
    ])  # fmt: skip
    build(con)
    rows = con.execute(
        "select level, area_id, count_failed_items from hotspots_category_monthly "
        "order by level, area_id"
    ).fetchall()
    # a check matching two grids counts in each, and so twice in its community (K1 in C1)
    assert rows == [
        ("community", "C1", 4),  # K1 twice, K3 through G1, K4
        ("community", "C2", 2),  # K2, K3 through G2
        ("grid", "G1", 2),  # K1, K3
        ("grid", "G2", 2),  # K2, K3
        ("grid", "G3", 1),  # K1
    ]
    totals = "select sum(count_problems)::integer from hotspots_monthly where level = 'grid'"
    assert fetch_one(con, totals) == (5,)
