"""The working-day calendar: Chinese statutory holidays and 调休 make-up days, with local overrides.

Built in Python from the `chinese-calendar` package and written to the warehouse as `ref_calendar`
(one row per day) so that SQL can do working-day arithmetic with two lookups:
`working_day_number` counts working days from the calendar's start up to and including the day, so
working days elapsed from d1 to d2 is `number(d2) - number(d1)`, and the N-th working day strictly
after d is the working day whose number is `number(d) + N`. A year the package does not cover falls
back to Monday-Friday and is flagged `is_covered = false`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
import polars as pl

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2035, 12, 31)


@dataclass(frozen=True)
class CalendarOverrides:
    """Local changes to the official schedule: extra days off, extra working days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)


def covered_years() -> range:
    """The years the package's official schedule covers."""
    days = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return range(min(days).year, max(days).year + 1)


def day_kind(
    day: date, years: range, overrides: CalendarOverrides
) -> tuple[bool, bool, str | None]:
    """(is_working_day, is_covered, holiday_name) for one day."""
    covered = day.year in years
    if day in overrides.holidays:
        return False, covered, "local holiday"
    if day in overrides.workdays:
        return True, covered, None
    if not covered:
        return day.weekday() < 5, False, None
    is_holiday, name = chinese_calendar.get_holiday_detail(day)
    official_name = name if is_holiday and name else None
    return not is_holiday, True, official_name


def build_calendar(
    overrides: CalendarOverrides | None = None,
    first: date = FIRST_DAY,
    last: date = LAST_DAY,
) -> pl.DataFrame:
    """One row per day from `first` to `last` with its working-day facts."""
    overrides = overrides or CalendarOverrides()
    years = covered_years()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    kinds = [day_kind(day, years, overrides) for day in days]
    frame = pl.DataFrame(
        {
            "day_on": days,
            "is_working_day": [kind[0] for kind in kinds],
            "is_covered": [kind[1] for kind in kinds],
            "holiday_name": [kind[2] for kind in kinds],
        },
        schema={
            "day_on": pl.Date,
            "is_working_day": pl.Boolean,
            "is_covered": pl.Boolean,
            "holiday_name": pl.String,
        },
    )
    return frame.with_columns(
        is_weekend=pl.col("day_on").dt.weekday() >= 6,
        working_day_number=pl.col("is_working_day").cast(pl.Int64).cum_sum(),
    ).with_columns(
        is_makeup_workday=pl.col("is_weekend") & pl.col("is_working_day"),
    )


def working_days_between(calendar: pl.DataFrame, start: date, end: date) -> int:
    """Working days d with start < d <= end (0 on the same day; negative when end < start)."""
    numbers = dict(zip(calendar["day_on"], calendar["working_day_number"], strict=True))
    return int(numbers[end] - numbers[start])


def nth_working_day_after(calendar: pl.DataFrame, start: date, n: int) -> date:
    """The n-th working day strictly after `start`."""
    number = calendar.filter(pl.col("day_on") == start)["working_day_number"].item() + n
    match = calendar.filter(pl.col("is_working_day") & (pl.col("working_day_number") == number))
    day: date = match["day_on"].item()
    return day
