"""Given/expected tests for the repeat-complaint models and the marts built on them."""

from __future__ import annotations

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.connection import fetch_frame


def complaint(ticket: str, received: str, address: str | None = "幸福里3栋", **extra: object):
    return {
        "complaint_id": ticket,
        "received_at": ts(received),
        "address": address,
        "community": extra.pop("community", "幸福里社区"),
        "category_l1": "环境卫生",
        "category_l3": extra.pop("l3", "垃圾清运不及时"),
        **extra,
    }


def test_repeat_within_720_hours_of_an_earlier_complaint(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "complaints",
        [
            complaint("A1", "2025-03-01 09:00"),
            complaint("A2", "2025-03-31 09:00"),  # exactly 720 h later: a repeat
            complaint("A3", "2025-04-30 09:01"),  # 720 h + 1 min after A2: a new chain
            complaint("A4", "2025-05-01 08:00"),  # repeat of A3
            complaint("B1", "2025-03-02 09:00", l3="电梯故障"),  # other problem type
            complaint("C1", "2025-03-03 09:00", address="阳光城1栋"),  # other place
            complaint("N1", "2025-03-04 09:00", address=None),  # no location key
            complaint("N2", "2025-03-04 09:00", address="  "),  # blank address: no key either
        ],
    )
    build(con)
    result = fetch_frame(
        con,
        "select complaint_id, is_repeat, previous_complaint_id, original_complaint_id "
        "from complaint_tickets order by complaint_id",
    )
    expected = pl.DataFrame(
        {
            "complaint_id": ["A1", "A2", "A3", "A4", "B1", "C1", "N1", "N2"],
            "is_repeat": [False, True, False, True, False, False, False, False],
            "previous_complaint_id": [None, "A1", None, "A3", None, None, None, None],
            "original_complaint_id": ["A1", "A1", "A3", "A3", "B1", "C1", None, None],
        }
    )
    assert_frame_equal(result, expected)


def test_ties_on_received_time_are_broken_by_the_smaller_ticket_id(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert_raw(
        con,
        "complaints",
        [complaint("T2", "2025-03-01 09:00"), complaint("T1", "2025-03-01 09:00")],
    )
    build(con)
    result = fetch_frame(
        con,
        "select complaint_id, is_repeat, original_complaint_id "
        "from complaint_tickets order by complaint_id",
    )
    expected = pl.DataFrame(
        {
            "complaint_id": ["T1", "T2"],
            "is_repeat": [False, True],
            "original_complaint_id": ["T1", "T1"],
        }
    )
    assert_frame_equal(result, expected)


def test_a_chain_keeps_its_original_across_many_repeats(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "complaints",
        [complaint(f"R{i}", f"2025-03-{1 + 7 * i:02d} 10:00") for i in range(4)],
    )
    build(con)
    result = fetch_frame(
        con, "select original_complaint_id, count(*) as n from complaint_tickets group by all"
    )
    assert result.rows() == [("R0", 4)]


def test_the_latest_version_of_a_ticket_wins(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(con, "complaints", [complaint("V1", "2025-03-30 10:00", status="处理中")],
               period="2025-03", load_id=1)  # fmt: skip
    insert_raw(
        con,
        "complaints",
        [complaint("V1", "2025-03-30 10:00", status="已办结", closed_at=ts("2025-04-02 10:00"))],
        period="2025-04",
        load_id=2,
    )
    build(con)
    result = fetch_frame(con, "select complaint_id, status, closed_at from complaint_tickets")
    assert result.rows() == [("V1", "已办结", ts("2025-04-02 10:00"))]


def test_a_later_period_wins_over_a_later_load(con: duckdb.DuckDBPyConnection) -> None:
    # P1: the April file came first, a late March file re-sent it; P2: a version without a period
    # loses to one with a period; P3: same period and load, the later row wins
    insert_raw(con, "complaints", [
        complaint("P1", "2025-03-30 10:00", status="已办结"),
        complaint("P2", "2025-03-30 11:00", status="已办结"),
        {**complaint("P3", "2025-03-30 12:00", status="处理中"), "_row": 7},
        {**complaint("P3", "2025-03-30 12:00", status="已办结"), "_row": 9},
    ], period="2025-04", load_id=1)  # fmt: skip
    insert_raw(con, "complaints", [complaint("P1", "2025-03-30 10:00", status="处理中")],
               period="2025-03", load_id=2)  # fmt: skip
    insert_raw(con, "complaints", [complaint("P2", "2025-03-30 11:00", status="处理中")],
               period=None, load_id=3)  # fmt: skip
    build(con)
    result = fetch_frame(
        con, "select complaint_id, status from complaint_tickets order by complaint_id"
    )
    assert result.rows() == [("P1", "已办结"), ("P2", "已办结"), ("P3", "已办结")]


def test_complaints_monthly_counts_and_rate(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "complaints",
        [
            complaint("A1", "2025-03-01 09:00"),
            complaint("A2", "2025-03-05 09:00"),
            complaint("A3", "2025-03-06 09:00"),
            complaint("A4", "2025-04-01 09:00"),  # repeat of A3, across the month boundary
            complaint("N1", "2025-04-02 09:00", address=None),
        ],
    )
    build(con)
    result = fetch_frame(
        con,
        "select month_on, problem_type, count_complaints, count_repeats, "
        "count_unlocated, repeat_complaint_rate from complaints_monthly order by month_on",
    )
    expected = pl.DataFrame(
        {
            "month_on": [day("2025-03-01"), day("2025-04-01")],
            "problem_type": ["垃圾清运不及时", "垃圾清运不及时"],
            "count_complaints": [3, 2],
            "count_repeats": [2, 1],
            "count_unlocated": [0, 1],
            "repeat_complaint_rate": [2 / 3, 0.5],
        }
    )
    assert_frame_equal(result, expected)


def test_the_window_is_a_setting(con: duckdb.DuckDBPyConnection) -> None:
    from warehouse.settings import load_settings

    settings = load_settings()
    narrow = type(settings)(
        timezone=settings.timezone,
        repeat_complaint_hours=24,
        duplicate_inspection_days=settings.duplicate_inspection_days,
        targets=settings.targets,
    )
    insert_raw(
        con,
        "complaints",
        [complaint("A1", "2025-03-01 09:00"), complaint("A2", "2025-03-03 09:00")],
    )
    build(con, settings=narrow)
    result = fetch_frame(
        con, "select count(*) filter (where is_repeat) as n from complaint_tickets"
    )
    assert result.item() == 0


def test_the_daily_aggregates_count_by_day_received_and_closed(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert_raw(
        con,
        "complaints",
        [
            complaint("D1", "2025-03-03 09:00", first_response_at=ts("2025-03-03 10:00"),
                      closed_at=ts("2025-03-05 09:00"), satisfaction="满意"),
            complaint("D2", "2025-03-03 11:00", closed_at=ts("2025-03-05 15:00")),  # repeats D1
            complaint("D3", "2025-03-04 09:00", address="阳光城1栋",
                      first_response_at=ts("2025-03-06 09:00")),  # responded after 48 h, open
        ],
    )  # fmt: skip
    build(con)
    received = fetch_frame(
        con,
        "select day_on, month_on, count_complaints, count_repeats, count_responded_24h, "
        "latest_event_at from complaints_daily_received order by day_on",
    )
    assert received.rows() == [
        (day("2025-03-03"), day("2025-03-01"), 2, 1, 1, ts("2025-03-05 15:00")),
        (day("2025-03-04"), day("2025-03-01"), 1, 0, 0, ts("2025-03-06 09:00")),
    ]
    closed = fetch_frame(
        con,
        "select day_on, handling_working_days, count_closed, count_rated, count_satisfied "
        "from complaints_daily_closed",
    )
    assert closed.rows() == [(day("2025-03-05"), 2, 2, 1, 1)]
