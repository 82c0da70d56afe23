"""Given/expected tests for duplicate inspections: the linking model and inspection_visits."""

from __future__ import annotations

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
