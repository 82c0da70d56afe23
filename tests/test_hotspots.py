"""Given/expected tests for hotspots: counts by area, the trend, the rising test and the mix."""

from __future__ import annotations

import math
from dataclasses import replace

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.connection import fetch_frame
from warehouse.hotspots import (
    ADDRESS_HOTSPOTS_SQL,
    ADDRESS_MIX_ROWS,
    ADDRESS_MIX_SQL,
    ADDRESS_MONTHLY,
    CATEGORY_MIX_SQL,
    CATEGORY_ROWS_SQL,
    HOTSPOTS_SQL,
    MIX_SQL,
    MONTHLY_SQL,
    PERIODS_SQL,
    RISING_MIN_COUNT,
    RISING_Z,
    address_hotspots_query,
    category_mix,
    hotspots,
    months,
)
from warehouse.metrics import Period

MARCH = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-12-31 00:00"))


def complaint(ticket: str, received: str, address: str, community: str) -> dict[str, object]:
    return {
        "complaint_id": ticket, "received_at": ts(received), "address": address,
        "community_id": community, "category_l1": "社区环境", "category_l3": "生活垃圾未及时清运",
    }  # fmt: skip


def seed(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(con, "communities", [
        {"community_id": "C1", "street_id": "S1", "community_name": "幸福里社区",
         "short_name": "幸福里", "household_count": 1000},
        {"community_id": "C2", "street_id": "S1", "community_name": "阳光城社区",
         "short_name": "阳光城", "household_count": 500},
    ])  # fmt: skip
    insert_raw(con, "grids", [
        {"grid_id": "G1", "community_id": "C1", "grid_name": "幸福里第1网格",
         "household_count": 600},
        {"grid_id": "G2", "community_id": "C1", "grid_name": "幸福里第2网格"},  # households unknown
    ])  # fmt: skip
    insert_raw(con, "addresses", [
        {"address_id": "AD1", "community_id": "C1", "grid_id": "G1", "building": "3", "unit": "1",
         "address": "幸福里3栋1单元", "household_count": 40},
        {"address_id": "AD2", "community_id": "C1", "grid_id": "G2", "building": "5", "unit": "2",
         "address": "幸福里5栋2单元", "household_count": 30},
    ])  # fmt: skip
    insert_raw(con, "problem_types", [
        {"problem_type_id": "P1", "level1": "社区环境", "level2": "垃圾清运",
         "level3": "生活垃圾未及时清运"},
        {"problem_type_id": "P2", "level1": "社区环境", "level2": "垃圾清运",
         "level3": "垃圾桶满溢"},
        {"problem_type_id": "P3", "level1": "公共安全", "level2": "消防安全",
         "level3": "消防通道堵塞"},
    ])  # fmt: skip
    march_ad1 = [complaint(f"A{i}", f"2025-03-{14 + i} 09:00", "幸福里3栋1单元", "C1")
                 for i in range(6)]  # fmt: skip
    insert_raw(con, "complaints", [
        complaint("F1", "2025-02-10 09:00", "幸福里3栋1单元", "C1"),  # 32 days before A0
        *march_ad1,  # A1..A5 repeat A0
        complaint("B1", "2025-03-20 09:00", "幸福里5栋2单元", "C1"),
        complaint("S1", "2025-02-20 09:00", "阳光城小区门口", "C2"),  # no known address
        complaint("S2", "2025-02-25 09:00", "阳光城小区门口", "C2"),
        complaint("S3", "2025-03-05 09:00", "阳光城小区门口", "C2"),
        complaint("S4", "2025-03-10 09:00", "阳光城小区门口", "C2"),
    ])  # fmt: skip
    insert_raw(con, "inspections", [
        {"inspection_id": "V1", "department": "消防", "inspected_on": day("2025-03-03"),
         "community": "幸福里社区", "community_id": "C1", "subject": "消防安全",
         "result": "不合格", "problem": "消防通道堵塞"},
        {"inspection_id": "V2", "department": "消防", "inspected_on": day("2025-03-04"),
         "community": "阳光城社区", "community_id": "C2", "subject": "消防安全", "result": "合格"},
    ])  # fmt: skip
    insert_raw(con, "supervisor_inspections", [
        {"check_id": "K1", "checked_at": ts("2025-03-08 10:00"), "supervisor_id": "S01",
         "community": "幸福里社区", "community_id": "C1", "grid": "幸福里第2网格",
         "subject": "环境卫生", "result": "异常", "problem": "垃圾桶满溢"},
        {"check_id": "K2", "checked_at": ts("2025-03-09 10:00"), "supervisor_id": "S02",
         "community": "幸福里社区", "community_id": "C1", "grid": "幸福里第1网格",
         "subject": "环境卫生", "result": "正常"},
    ])  # fmt: skip
    build(con)


def test_hotspots_monthly_counts_each_level(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = fetch_frame(
        con,
        "select level, area_id, area_name, community_id, grid_id, households, count_complaints, "
        "count_repeats, count_failed_items, count_problems, top_problem_type "
        "from hotspots_monthly where month_on = date '2025-03-01' order by level, area_id",
    )
    expected = pl.DataFrame(
        {
            "level": ["community", "community", "grid", "grid"],
            "area_id": ["C1", "C2", "G1", "G2"],
            "area_name": ["幸福里社区", "阳光城社区", "幸福里第1网格", "幸福里第2网格"],
            "community_id": ["C1", "C2", "C1", "C1"],
            "grid_id": [None, None, "G1", "G2"],
            "households": [1000, 500, 600, 30],  # G2: the sum over its addresses
            "count_complaints": [7, 2, 6, 1],
            "count_repeats": [5, 2, 5, 0],
            "count_failed_items": [2, 0, 0, 1],  # failed visits count at community level only
            "count_problems": [9, 2, 6, 2],
            # a tie (G2: one complaint, one abnormal check) goes to the first category, problem type
            "top_problem_type": ["生活垃圾未及时清运"] * 3 + ["垃圾桶满溢"],
        },
        schema_overrides={"households": pl.Int64},
    )  # fmt: skip
    assert_frame_equal(result, expected)


# the seeded addresses as areas: what hotspot_addresses holds, and the address hotspots' columns
ADDRESS_AREAS = {
    "area_id": ["AD1", "AD2"],
    "area_name": ["幸福里3栋1单元", "幸福里5栋2单元"],
    "community_id": ["C1", "C1"],
    "grid_id": ["G1", "G2"],
    "households": [40, 30],
}


def test_hotspot_addresses_hold_each_address_as_an_area(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = fetch_frame(con, "select * from hotspot_addresses")
    expected = pl.DataFrame(ADDRESS_AREAS, schema_overrides={"households": pl.Int64})
    assert_frame_equal(result, expected)


def test_addresses_are_counted_from_the_tickets_and_visits(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    result = hotspots(con, MARCH, "address").select(
        "area_id", "area_name", "community_id", "grid_id", "households", "count_complaints",
        "count_repeats", "count_failed_items", "count_problems", "previous_count_problems",
    )  # fmt: skip
    expected = pl.DataFrame(
        {
            **ADDRESS_AREAS,
            "count_complaints": [6, 1],
            "count_repeats": [5, 0],
            "count_failed_items": [0, 0],
            "count_problems": [6, 1],
            "previous_count_problems": [1, 0],
        },
        schema_overrides={"households": pl.Int64},
    )  # fmt: skip
    assert_frame_equal(result, expected)
    assert hotspots(con, MARCH, "address", "G2")["area_id"].to_list() == ["AD2"]
    assert hotspots(con, MARCH, "address", "C2").is_empty()
    mix = category_mix(con, MARCH, "address", "AD1").select(
        "problem_type", "count_complaints", "count_problems", "share_problems"
    )
    assert mix.rows() == [("生活垃圾未及时清运", 6, 6, 1.0)]
    elsewhere = replace(MARCH, community="C2")  # the address is not in the filter's community
    assert category_mix(con, elsewhere, "address", "AD1").is_empty()


def test_hotspots_compare_with_the_month_before_and_flag_rising(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    result = hotspots(con, MARCH, "community").select(
        "area_id", "count_problems", "previous_count_problems", "per_1000_households",
        "change_rate", "share_repeats", "z_score", "is_rising",
    )  # fmt: skip
    expected = pl.DataFrame(
        {
            "area_id": ["C1", "C2"],
            "count_problems": [9, 2],
            "previous_count_problems": [1, 2],
            "per_1000_households": [9.0, 4.0],
            "change_rate": [8.0, 0.0],
            "share_repeats": [5 / 7, 1.0],
            "z_score": [8 / math.sqrt(10), 0.0],
            "is_rising": [True, False],
        }
    )
    assert_frame_equal(result, expected)


def test_rising_needs_five_problems_and_z_above_1_645(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = hotspots(con, MARCH, "grid", parent_id="C1").select(
        "area_id", "count_problems", "previous_count_problems", "change_rate", "z_score",
        "is_rising",
    )  # fmt: skip
    expected = pl.DataFrame(
        {
            "area_id": ["G1", "G2"],
            "count_problems": [6, 2],
            "previous_count_problems": [1, 0],
            "change_rate": [5.0, None],
            "z_score": [5 / math.sqrt(7), 2 / math.sqrt(2)],  # 1.89 rising; 1.41 not
            "is_rising": [True, False],
        }
    )
    assert_frame_equal(result, expected)


def test_the_category_mix_of_one_area(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = category_mix(con, MARCH, "community", "C1")
    expected = pl.DataFrame(
        {
            "category_l1": ["社区环境", "公共安全", "社区环境"],
            "problem_type": ["生活垃圾未及时清运", "消防通道堵塞", "垃圾桶满溢"],
            "count_complaints": [7, 0, 0],
            "count_failed_items": [0, 1, 1],
            "count_problems": [7, 1, 1],
            "share_problems": [7 / 9, 1 / 9, 1 / 9],
        }
    )
    assert_frame_equal(result, expected)


def test_levels_are_an_allow_list(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    with pytest.raises(ValueError, match="community, grid, address"):
        hotspots(con, MARCH, "street; drop table x")


def test_fewer_than_five_problems_are_never_rising(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "complaints",
        [complaint(f"N{i}", f"2025-03-0{i + 1} 09:00", "某路1号", "C9") for i in range(4)],
    )
    build(con)
    result = hotspots(con, MARCH, "community").select("area_id", "count_problems", "z_score")
    assert result.rows() == [("C9", 4, 2.0)]  # z = 4 / sqrt(4) = 2 > 1.645, but n1 = 4 < 5
    assert hotspots(con, MARCH, "community")["is_rising"].to_list() == [False]


def test_hotspots_category_monthly_keeps_each_type_per_area(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = fetch_frame(
        con,
        "select area_id, category_l1, problem_type, count_complaints, count_repeats, "
        "count_failed_items from hotspots_category_monthly "
        "where month_on = date '2025-03-01' and level = 'grid' order by area_id, problem_type",
    )
    expected = pl.DataFrame(
        {
            "area_id": ["G1", "G2", "G2"],
            "category_l1": ["社区环境"] * 3,
            "problem_type": ["生活垃圾未及时清运", "垃圾桶满溢", "生活垃圾未及时清运"],
            "count_complaints": [6, 0, 1],
            "count_repeats": [5, 0, 0],
            "count_failed_items": [0, 1, 0],
        }
    )  # fmt: skip
    assert_frame_equal(result, expected)


def test_per_type_address_hotspots_count_that_type_in_every_active_address(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """With a problem type, every address with any problem in the two periods is listed, counting
    only that type's problems (repeats are not split by type: 0)."""
    seed(con)
    first, last, previous_first, previous_last = months(MARCH)
    params: dict[str, object] = {
        "level": "address", "parent": "C1", "community": None, "first": first, "last": last,
        "previous_first": previous_first, "previous_last": previous_last,
        "min_count": RISING_MIN_COUNT, "z": RISING_Z,
    }  # fmt: skip
    columns = ("area_id", "count_complaints", "count_repeats", "count_problems",
               "previous_count_problems")  # fmt: skip
    chosen = fetch_frame(con, *address_hotspots_query(params, "生活垃圾未及时清运"))
    assert chosen.select(columns).rows() == [("AD1", 6, 0, 6, 1), ("AD2", 1, 0, 1, 0)]
    other = fetch_frame(con, *address_hotspots_query(params, "消防通道堵塞"))
    assert other.select(columns).rows() == [("AD1", 0, 0, 0, 0), ("AD2", 0, 0, 0, 0)]


def test_the_address_queries_are_built_from_the_area_queries_pieces() -> None:
    # each pair shares its tail as one constant (no splicing of one query's text into another)
    assert HOTSPOTS_SQL == MONTHLY_SQL + PERIODS_SQL
    assert ADDRESS_HOTSPOTS_SQL == ADDRESS_MONTHLY + PERIODS_SQL
    assert CATEGORY_MIX_SQL == CATEGORY_ROWS_SQL + MIX_SQL
    assert ADDRESS_MIX_SQL == ADDRESS_MIX_ROWS + MIX_SQL
    for head in (MONTHLY_SQL, ADDRESS_MONTHLY):
        assert "\nmonthly as (" in head and "current_period" not in head
    for head in (CATEGORY_ROWS_SQL, ADDRESS_MIX_ROWS):
        assert "\nrows as (" in head and "\nmix as (" not in head
