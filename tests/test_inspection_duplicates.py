"""Given/expected tests for duplicate inspections: the linking model and inspection_visits."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.factories import day, insert_raw
from warehouse.build import build
from warehouse.connection import fetch_frame


def visit(inspection_id: str, on: str, department: str = "民政", **extra: object):
    return {
        "inspection_id": inspection_id,
        "department": department,
        "inspected_on": day(on),
        "community": extra.pop("community", "幸福里社区"),
        "subject": extra.pop("subject", "消防安全"),
        "result": extra.pop("result", "合格"),
        **extra,
    }


def test_a_visit_within_30_days_on_the_same_subject_is_a_duplicate(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert_raw(
        con,
        "inspections",
        [
            visit("M1", "2025-03-01"),
            visit("X1", "2025-03-31", department="消防"),  # 30 days later, another department
            visit("M2", "2025-05-01"),  # 31 days after X1: not a duplicate
            visit("M3", "2025-05-01", subject="养老服务"),  # other subject
            visit("M4", "2025-05-02", community="阳光社区"),  # other community
            visit("M5", "2025-05-03", result="不合格"),  # duplicate of M2
        ],
    )
    build(con)
    result = fetch_frame(
        con,
        "select visit_id, is_duplicate, previous_visit_id, is_failed "
        "from inspection_visits order by visit_id",
    )
    expected = pl.DataFrame(
        {
            "visit_id": ["民政:M1", "民政:M2", "民政:M3", "民政:M4", "民政:M5", "消防:X1"],
            "is_duplicate": [False, False, False, False, True, True],
            "previous_visit_id": [None, "消防:X1", None, None, "民政:M2", "民政:M1"],
            "is_failed": [False, False, False, False, True, False],
        }
    )
    assert_frame_equal(result, expected)


def test_same_day_visits_order_by_visit_id(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "inspections",
        [visit("B", "2025-03-01"), visit("A", "2025-03-01")],
    )
    build(con)
    result = fetch_frame(
        con, "select visit_id, is_duplicate from inspection_visits order by visit_id"
    )
    assert result.rows() == [("民政:A", False), ("民政:B", True)]


def seed_joint_month(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "inspections",
        [
            visit("X1", "2025-03-02", department="消防", community_id="C1"),
            visit("G1", "2025-03-09", department="公安", community_id="C1",
                  joint_departments="消防、住建"),
            visit("Y1", "2025-03-20", department="应急管理", community_id="C1", result="不合格"),
            visit("M1", "2025-03-21", subject="养老服务", community_id="C1"),
        ],
    )  # fmt: skip
    build(con)


def test_inspections_monthly_counts(con: duckdb.DuckDBPyConnection) -> None:
    seed_joint_month(con)
    result = fetch_frame(
        con,
        "select subject, department, count_visits, count_duplicates, count_failed, count_joint "
        "from inspections_monthly order by subject, department",
    )
    expected = pl.DataFrame(
        {
            "subject": ["养老服务", "消防安全", "消防安全", "消防安全"],
            "department": ["民政", "公安", "应急管理", "消防"],
            "count_visits": [1, 1, 1, 1],
            "count_duplicates": [0, 1, 1, 0],
            "count_failed": [0, 0, 1, 0],
            "count_joint": [0, 1, 0, 0],
        }
    )
    assert_frame_equal(result, expected, check_dtypes=False)


def test_who_duplicates_whom(con: duckdb.DuckDBPyConnection) -> None:
    seed_joint_month(con)
    result = fetch_frame(
        con,
        "select earlier_department, later_department, count_duplicates "
        "from duplicate_inspection_pairs order by 1",
    )
    assert result.rows() == [("公安", "应急管理", 1), ("消防", "公安", 1)]


def test_merge_suggestions_count_the_visits_a_joint_inspection_saves(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed_joint_month(con)
    result = fetch_frame(
        con,
        "select community_id, subject, count_visits, count_visits_saved, count_departments, "
        "departments from merge_suggestions",
    )
    assert result.rows() == [("C1", "消防安全", 3, 2, 3, ["公安", "应急管理", "消防"])]


def test_departments_involved_in_a_joint_visit(con: duckdb.DuckDBPyConnection) -> None:
    seed_joint_month(con)
    result = fetch_frame(
        con,
        "select visit_id, departments_involved, is_joint from inspection_visits "
        "where visit_id = '公安:G1'",
    )
    assert result.rows() == [("公安:G1", ["公安", "住建", "消防"], True)]  # the lead first


def test_duplicate_inspection_reduction_against_the_baseline(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from warehouse.metrics import Period, compute
    from warehouse.settings import load_settings

    rows = []
    # baseline (the first 12 months from 2024-01): 4 visits, 2 duplicates -> 50%
    for i, on in enumerate(["2024-01-01", "2024-01-10", "2024-06-01", "2024-06-05"]):
        rows.append(visit(f"B{i}", on))
    # 2025-03: 4 visits, 1 duplicate -> 25%, a reduction of 50%
    for i, on in enumerate(["2025-03-01", "2025-03-05", "2025-06-01", "2025-09-01"]):
        rows.append(visit(f"N{i}", on, subject="消防安全" if i < 2 else f"S{i}"))
    insert_raw(con, "inspections", rows)
    build(con)
    period = Period(day("2025-01-01"), day("2025-12-31"), datetime(2026, 1, 1))
    value = compute(con, period, ["duplicate_inspection_reduction"], load_settings())
    result = value["duplicate_inspection_reduction"]
    assert result.value == 0.5
    assert (result.numerator, result.denominator) == (0.25, 0.5)
