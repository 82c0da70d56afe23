"""The working-day calendar: 2025 National Day with its make-up days, overrides, uncovered years."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from warehouse.build import build
from warehouse.calendar import (
    CalendarOverrides,
    build_calendar,
    nth_working_day_after,
    working_days_between,
)
from warehouse.settings import parse_settings


@pytest.fixture(scope="module")
def calendar():
    return build_calendar()


def test_national_day_2025_is_off_and_its_make_up_days_are_worked(calendar) -> None:
    days = {row["day_on"]: row for row in calendar.iter_rows(named=True)}
    for off in range(1, 9):
        assert not days[date(2025, 10, off)]["is_working_day"]
    assert days[date(2025, 9, 28)]["is_working_day"]  # a Sunday, worked
    assert days[date(2025, 9, 28)]["is_makeup_workday"]
    assert days[date(2025, 10, 11)]["is_working_day"]  # a Saturday, worked
    assert days[date(2025, 10, 3)]["holiday_name"] == "National Day"


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 26), 1, date(2025, 9, 28)),
        (date(2025, 9, 29), 5, date(2025, 10, 13)),  # 9-30, 10-9, 10-10, 10-11 (Sat), 10-13
        (date(2025, 10, 3), 1, date(2025, 10, 9)),
    ],
)
def test_the_nth_working_day_strictly_after(calendar, start, n, deadline) -> None:
    assert nth_working_day_after(calendar, start, n) == deadline


def test_working_days_elapsed(calendar) -> None:
    assert working_days_between(calendar, date(2025, 9, 30), date(2025, 9, 30)) == 0
    assert working_days_between(calendar, date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert working_days_between(calendar, date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert working_days_between(calendar, date(2025, 9, 26), date(2025, 9, 29)) == 2


def test_a_year_the_package_lacks_falls_back_to_monday_to_friday(calendar) -> None:
    days = {row["day_on"]: row for row in calendar.iter_rows(named=True)}
    assert not days[date(2030, 1, 1)]["is_covered"]
    assert days[date(2030, 1, 1)]["is_working_day"]  # a Tuesday; no official holiday data
    assert not days[date(2030, 1, 5)]["is_working_day"]  # a Saturday
    assert days[date(2025, 1, 1)]["is_covered"]


def test_local_overrides_win() -> None:
    overrides = CalendarOverrides(
        holidays=frozenset({date(2025, 3, 5)}), workdays=frozenset({date(2025, 3, 8)})
    )
    calendar = build_calendar(overrides)
    days = {row["day_on"]: row for row in calendar.iter_rows(named=True)}
    assert not days[date(2025, 3, 5)]["is_working_day"]
    assert days[date(2025, 3, 8)]["is_working_day"]


def test_overrides_come_from_the_settings_file() -> None:
    raw = {
        "windows": {"repeat_complaint_hours": 720, "duplicate_inspection_days": 30},
        "targets": {},
        "calendar": {"extra_holidays": ["2025-03-05"], "extra_workdays": []},
    }
    assert parse_settings(raw).calendar.holidays == frozenset({date(2025, 3, 5)})
    with pytest.raises(ValueError, match="extra_holidays"):
        parse_settings({**raw, "calendar": {"extra_holidays": ["5 March"]}})


def test_the_build_writes_the_calendar_for_sql(con: duckdb.DuckDBPyConnection) -> None:
    build(con)
    rows = con.execute(
        "select d2.working_day_number - d1.working_day_number "
        "from ref_calendar d1, ref_calendar d2 "
        "where d1.day_on = date '2025-09-30' and d2.day_on = date '2025-10-11'"
    ).fetchall()
    assert rows == [(3,)]
