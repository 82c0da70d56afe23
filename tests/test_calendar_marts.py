"""Given/expected: marts in a year the working-day calendar lacks (Monday-Friday, flagged)."""

from __future__ import annotations

import duckdb

from tests.factories import day, insert_raw, ts
from tests.test_closed_loop import case
from warehouse.build import build
from warehouse.calendar import covered_years
from warehouse.connection import fetch_frame

# the first year after the package's schedule: 2027 with the chinese-calendar now locked
UNCOVERED = covered_years().stop


def test_complaints_in_an_uncovered_year_count_monday_to_friday_and_are_flagged(
    con: duckdb.DuckDBPyConnection,
) -> None:
    y = UNCOVERED
    friday = next(
        day(f"{y}-03-{d:02d}") for d in range(1, 8) if day(f"{y}-03-{d:02d}").weekday() == 4
    )
    tuesday = friday.replace(day=friday.day + 4)
    insert_raw(
        con,
        "complaints",
        [
            {"complaint_id": "U1", "received_at": ts(f"{friday} 10:00"), "address": "幸福里3栋",
             "closed_at": ts(f"{tuesday} 10:00")},
            {"complaint_id": "K1", "received_at": ts(f"{y - 1}-06-05 10:00"),
             "address": "幸福里5栋", "closed_at": ts(f"{y - 1}-06-05 16:00")},
        ],
    )  # fmt: skip
    build(con)
    rows = fetch_frame(
        con,
        "select complaint_id, handling_working_days, is_calendar_covered from complaint_tickets"
        " order by 1",
    ).rows()
    # Fri -> Tue: Monday and Tuesday, whatever holiday the year may bring; flagged as a guess
    assert rows == [("K1", 0, True), ("U1", 2, False)]


def test_case_deadlines_in_an_uncovered_year_count_monday_to_friday_and_are_flagged(
    con: duckdb.DuckDBPyConnection,
) -> None:
    y = UNCOVERED
    monday = next(
        day(f"{y}-03-{d:02d}") for d in range(1, 8) if day(f"{y}-03-{d:02d}").weekday() == 0
    )
    insert_raw(
        con,
        "rectification_cases",
        [case("U1", f"{monday} 09:00", noticed_at=ts(f"{monday} 10:00"), status="整改中")],
    )
    build(con)
    rows = fetch_frame(
        con, "select rectification_deadline_on, is_calendar_covered from rectification_cases"
    ).rows()
    # 15 working days strictly after a Monday, weekdays only: three weeks later, on the Monday
    assert rows == [(monday.replace(day=monday.day + 21), False)]
