"""The KPIs of METRICS.md: one registry, computed from the marts for a period, parameters bound."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import duckdb

from warehouse.connection import fetch_one
from warehouse.settings import Settings, Target, load_settings


@dataclass(frozen=True)
class KpiSpec:
    """A KPI: its unit, and the SQL giving its numerator and denominator for a period.

    The SQL reads marts only and takes the bound parameters $date_from, $date_to and $as_of.
    """

    name: str
    unit: str
    mart: str
    sql: str


@dataclass(frozen=True)
class Period:
    """From and to dates (inclusive, local time) and the moment the figures are computed for."""

    date_from: date
    date_to: date
    as_of: datetime

    def params(self) -> dict[str, Any]:
        """The period as bound SQL parameters."""
        return {"date_from": self.date_from, "date_to": self.date_to, "as_of": self.as_of}


@dataclass(frozen=True)
class KpiValue:
    """A KPI's value for a period with what it is made of and its target."""

    name: str
    value: float | None
    numerator: int
    denominator: int
    target: Target | None
    unit: str

    @property
    def meets_target(self) -> bool | None:
        """Whether the value meets the target; None when there is no value or no target."""
        if self.value is None or self.target is None:
            return None
        return self.target.is_met(self.value)

    def as_json(self) -> dict[str, Any]:
        """The KPI in the `duban kpi --json` shape."""
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "target": None if self.target is None else self.target.value,
            "unit": self.unit,
        }


KPIS: dict[str, KpiSpec] = {
    spec.name: spec
    for spec in [
        KpiSpec(
            name="repeat_complaint_rate",
            unit="ratio",
            mart="complaint_tickets",
            sql="""
                select count(*) filter (where is_repeat), count(*)
                from complaint_tickets
                where received_on between $date_from and $date_to and received_at <= $as_of
            """,
        ),
        KpiSpec(
            name="duplicate_inspection_rate",
            unit="ratio",
            mart="inspection_visits",
            sql="""
                select count(*) filter (where is_duplicate), count(*)
                from inspection_visits
                where inspected_on between $date_from and $date_to
                    and inspected_on <= cast($as_of as date)
            """,
        ),
    ]
}


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of the month containing `day`."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def default_period(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Period:
    """Fill in missing dates: by default the latest month with complaints received by `as_of`."""
    if date_from is None or date_to is None:
        row = fetch_one(
            con,
            "select max(received_on) from complaint_tickets where received_at <= $as_of",
            {"as_of": as_of},
        )
        latest = row[0] if row and isinstance(row[0], date) else as_of.date()
        month_start, month_end = month_bounds(date_to or latest)
        date_from = date_from or month_start
        date_to = date_to or month_end
    if date_from > date_to:
        raise ValueError(f"the period starts ({date_from}) after it ends ({date_to})")
    return Period(date_from, date_to, as_of)


def compute(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    names: list[str] | None = None,
    settings: Settings | None = None,
) -> dict[str, KpiValue]:
    """Every KPI (or the named ones) for the period."""
    settings = settings or load_settings()
    values: dict[str, KpiValue] = {}
    for name in names or list(KPIS):
        spec = KPIS[name]
        row = fetch_one(con, spec.sql, period.params())
        numerator, denominator = (int(row[0]), int(row[1])) if row else (0, 0)  # type: ignore[call-overload]
        values[name] = KpiValue(
            name=name,
            value=numerator / denominator if denominator else None,
            numerator=numerator,
            denominator=denominator,
            target=settings.targets.get(name),
            unit=spec.unit,
        )
    return values


def kpi_document(period: Period, values: dict[str, KpiValue]) -> dict[str, Any]:
    """The `duban kpi --json` document."""
    return {
        "period": {
            "from": period.date_from.isoformat(),
            "to": period.date_to.isoformat(),
            "as_of": period.as_of.isoformat(timespec="seconds"),
        },
        "kpis": {name: value.as_json() for name, value in values.items()},
    }


def end_of_day(day: date) -> datetime:
    """The last moment of a day, for an `as_of` given as a date."""
    return datetime.combine(day, time(23, 59, 59))
