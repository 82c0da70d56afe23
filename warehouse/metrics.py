"""The KPIs of METRICS.md: one registry, computed from the marts for a period, parameters bound."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb

from warehouse.clock import to_local
from warehouse.connection import fetch_one
from warehouse.settings import Settings, Target, load_settings

# Filters every KPI takes; a None parameter means "all". Identifiers are fixed here, values bound.
COMMUNITY = "($community::varchar is null or community_id = $community)"
COMPLAINT_DEPARTMENT = "($department::varchar is null or handling_department = $department)"
VISIT_DEPARTMENT = (
    "($department::varchar is null or list_contains(departments_involved, $department))"
)
CASE_DEPARTMENT = "($department::varchar is null or responsible_department = $department)"
# complaints and cases have a problem type; a visit has one only when it failed, so the inspection
# KPIs (counted by subject) are not narrowed by it
PROBLEM_TYPE = "($problem_type::varchar is null or problem_type = $problem_type)"
# a grid: tickets and visits by the grid their address resolved to (none when it did not), cases by
# the ledger's grid field, which names the grid (its reference name, or its id)
GRID = "($grid::varchar is null or grid_id = $grid)"
CASE_GRID = (
    "($grid::varchar is null or grid = $grid"
    " or grid in (select grid_name from stg_reference__grids where grid_id = $grid))"
)
# how each mart's rows are placed in a grid, for `duban kpi --grid`'s output
GRID_SCOPES = {
    "complaint_tickets": "complaint KPIs count the tickets whose address resolved to the grid",
    "inspection_visits": "inspection KPIs count the visits whose address resolved to the grid",
    "rectification_cases": "rectification KPIs count the cases whose ledger grid names the grid",
}


@dataclass(frozen=True)
class KpiSpec:
    """A KPI: its unit, how its value follows from the parts, and the SQL giving the parts.

    The SQL reads one mart and takes the bound parameters $date_from, $date_to, $as_of,
    $community and $department (complaints and cases also $problem_type; every one $grid); it
    returns
    (numerator, denominator). `daily_sql`, when given, returns the same from the street-wide
    daily aggregates (no filters); `compute` uses it when there is no filter and `as_of` is after
    everything the tickets record. `kind` says how the value follows: `ratio` numerator /
    denominator, `mean` the same, `median` the numerator itself.
    """

    name: str
    unit: str
    mart: str
    sql: str
    kind: str = "ratio"
    # the same parts street-wide from a daily aggregate, valid when no ticket is later than $as_of
    daily_sql: str | None = None


@dataclass(frozen=True)
class Period:
    """From and to dates (inclusive, local time) and the moment the figures are computed for."""

    date_from: date
    date_to: date
    as_of: datetime
    community: str | None = None
    department: str | None = None
    problem_type: str | None = None  # bound only where a query names $problem_type
    grid: str | None = None  # bound only where a query names $grid

    def __post_init__(self) -> None:
        # as_of is bound in every query as naive local time (see warehouse.clock.to_local)
        object.__setattr__(self, "as_of", to_local(self.as_of))

    def params(self) -> dict[str, Any]:
        """The period and its community/department filters as bound SQL parameters."""
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "as_of": self.as_of,
            "community": self.community,
            "department": self.department,
        }

    def params_for(self, sql: str) -> dict[str, Any]:
        """`params()`, plus the problem type and the grid when `sql` filters on them."""
        params = self.params()
        if "$problem_type" in sql:
            params["problem_type"] = self.problem_type
        if "$grid" in sql:
            params["grid"] = self.grid
        return params


@dataclass(frozen=True)
class KpiValue:
    """A KPI's value for a period with what it is made of and its target."""

    name: str
    value: float | None
    numerator: float
    denominator: float
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


# The SQL below is composed from this module's constants only; every value is a bound parameter.
def _complaints(measure: str, where: str) -> str:
    filters = f"{where} and {COMMUNITY} and {COMPLAINT_DEPARTMENT} and {PROBLEM_TYPE} and {GRID}"
    return f"select {measure} from complaint_tickets where {filters}"  # noqa: S608


def _visits(measure: str) -> str:
    return f"select {measure} from inspection_visits where {VISITED}"  # noqa: S608


def _cases(measure: str, where: str) -> str:
    filters = f"{where} and {COMMUNITY} and {CASE_DEPARTMENT} and {PROBLEM_TYPE} and {CASE_GRID}"
    return f"select {measure} from rectification_cases where {filters}"  # noqa: S608


def _daily(table: str, measure: str) -> str:
    return f"select {measure} from {table} where day_on between $date_from and $date_to"  # noqa: S608


DAILY_RECEIVED = "complaints_daily_received"
DAILY_CLOSED = "complaints_daily_closed"
# the median of a histogram: the mean of the values at the middle one or two positions, as median()
DAILY_MEDIAN = f"""
with

histogram as (
    select handling_working_days as value, sum(count_closed) as count_value
    from {DAILY_CLOSED}
    where day_on between $date_from and $date_to and handling_working_days is not null
    group by handling_working_days
),

positioned as (
    select
        value,
        sum(count_value) over (order by value) - count_value as first_at,
        sum(count_value) over (order by value) - 1 as last_at,
        (sum(count_value) over () - 1) / 2 as middle
    from histogram
)

select
    (min(value) filter (where floor(middle) between first_at and last_at)
        + min(value) filter (where ceil(middle) between first_at and last_at)) / 2,
    (select sum(count_closed) from {DAILY_CLOSED} where day_on between $date_from and $date_to)
from positioned
"""  # noqa: S608

RECEIVED = "received_on between $date_from and $date_to and received_at <= $as_of"
CLOSED = "closed_on between $date_from and $date_to and closed_at <= $as_of"
VISITED = (
    "inspected_on between $date_from and $date_to and inspected_on <= cast($as_of as date) "
    f"and {COMMUNITY} and {VISIT_DEPARTMENT} and {GRID}"
)
NOTICED_AND_DUE = (
    "noticed_on between $date_from and $date_to and noticed_at <= $as_of "
    "and rectification_deadline_on <= cast($as_of as date)"
)
COMPLETED_AND_EVALUATION_DUE = (
    "completed_on between $date_from and $date_to and completed_at <= $as_of "
    "and evaluation_deadline_on <= cast($as_of as date)"
)
EVALUATED = "evaluated_on between $date_from and $date_to and evaluated_at <= $as_of"

KPIS: dict[str, KpiSpec] = {
    spec.name: spec
    for spec in [
        KpiSpec(
            "repeat_complaint_rate",
            "ratio",
            "complaint_tickets",
            _complaints("count(*) filter (where is_repeat), count(*)", RECEIVED),
            daily_sql=_daily(DAILY_RECEIVED, "sum(count_repeats), sum(count_complaints)"),
        ),
        KpiSpec(
            "response_within_24h_rate",
            "ratio",
            "complaint_tickets",
            _complaints(
                "count(*) filter (where is_responded_within_24h and first_response_at <= $as_of),"
                " count(*)",
                RECEIVED,
            ),
            daily_sql=_daily(DAILY_RECEIVED, "sum(count_responded_24h), sum(count_complaints)"),
        ),
        KpiSpec(
            "avg_handling_working_days",
            "working_days",
            "complaint_tickets",
            _complaints("coalesce(sum(handling_working_days), 0), count(*)", CLOSED),
            kind="mean",
            daily_sql=_daily(
                DAILY_CLOSED,
                "coalesce(sum(handling_working_days * count_closed), 0), sum(count_closed)",
            ),
        ),
        KpiSpec(
            "median_handling_working_days",
            "working_days",
            "complaint_tickets",
            _complaints("median(handling_working_days), count(*)", CLOSED),
            kind="median",
            daily_sql=DAILY_MEDIAN,
        ),
        KpiSpec(
            "complaint_satisfaction_rate",
            "ratio",
            "complaint_tickets",
            _complaints(
                "count(*) filter (where is_satisfied), count(*) filter (where is_rated)", CLOSED
            ),
            daily_sql=_daily(DAILY_CLOSED, "sum(count_satisfied), sum(count_rated)"),
        ),
        KpiSpec(
            "duplicate_inspection_rate",
            "ratio",
            "inspection_visits",
            _visits("count(*) filter (where is_duplicate), count(*)"),
        ),
        KpiSpec(
            "duplicate_inspection_reduction",
            "ratio",
            "inspection_visits",
            "",  # computed from duplicate_inspection_rate in this period and in the baseline
            kind="reduction",
        ),
        KpiSpec(
            "feedback_within_24h_rate",
            "ratio",
            "rectification_cases",
            _cases(
                "count(*) filter (where is_noticed_within_24h and noticed_at <= $as_of), count(*)",
                "round = 1 and cast(found_at as date) between $date_from and $date_to "
                "and found_at <= $as_of",
            ),
        ),
        KpiSpec(
            "rectified_on_time_rate",
            "ratio",
            "rectification_cases",
            _cases(
                "count(*) filter (where is_completed_on_time and completed_at <= $as_of), count(*)",
                NOTICED_AND_DUE,
            ),
        ),
        KpiSpec(
            "rectification_completion_rate",
            "ratio",
            "rectification_cases",
            _cases(
                "count(*) filter (where is_completed and completed_at <= $as_of), count(*)",
                NOTICED_AND_DUE,
            ),
        ),
        KpiSpec(
            "evaluated_on_time_rate",
            "ratio",
            "rectification_cases",
            _cases(
                "count(*) filter (where is_evaluated_on_time and evaluated_at <= $as_of), count(*)",
                COMPLETED_AND_EVALUATION_DUE,
            ),
        ),
        KpiSpec(
            "rectification_satisfaction_rate",
            "ratio",
            "rectification_cases",
            # satisfied = at or above the second-round threshold (is_below_satisfaction's setting);
            # an evaluation without a satisfaction counts in the denominator only
            _cases("count(*) filter (where is_satisfied), count(*)", EVALUATED),
        ),
        KpiSpec(
            "second_rectification_rate",
            "ratio",
            "rectification_cases",
            _cases("count(*) filter (where is_below_satisfaction), count(*)", EVALUATED),
        ),
        KpiSpec(
            "recurrence_3m_rate",
            "ratio",
            "rectification_cases",
            _cases(
                "count(*) filter (where is_recurred), count(*)",
                "completed_on between $date_from and $date_to "
                "and completed_at + to_days((select recurrence_days from build_settings)) "
                "<= $as_of",
            ),
        ),
    ]
}


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of the month containing `day`."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def add_months(day: date, months: int) -> date:
    """The same day-of-month `months` later (clipped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def default_period(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Period:
    """Fill in missing dates: by default the latest month with complaints received by `as_of`."""
    if date_from is None or date_to is None:
        # the date of the ticket received last, as max(received_on) (received_on is the date of
        # received_at): ORDER BY ... LIMIT 1 lets DuckDB skip whole row groups by their
        # received_at range, where max() read every ticket (~1 s at the 10m scale, 20-40 ms so)
        row = fetch_one(
            con,
            "select received_on from complaint_tickets where received_at <= $as_of"
            " and received_on is not null order by received_at desc limit 1",
            {"as_of": to_local(as_of)},
        )
        latest = row[0] if row and isinstance(row[0], date) else to_local(as_of).date()
        month_start, month_end = month_bounds(date_to or latest)
        date_from = date_from or month_start
        date_to = date_to or month_end
    if date_from > date_to:
        raise ValueError(f"the period starts ({date_from}) after it ends ({date_to})")
    return Period(date_from, date_to, as_of)


def baseline_period(con: duckdb.DuckDBPyConnection, period: Period, settings: Settings) -> Period:
    """The baseline the reduction compares with: settings' dates, else the first N months."""
    if settings.baseline_from and settings.baseline_to:
        start, end = settings.baseline_from, settings.baseline_to
    else:
        row = fetch_one(con, "select min(inspected_on) from inspection_visits")
        first = row[0] if row and isinstance(row[0], date) else period.date_from
        start = first.replace(day=1)
        end = add_months(start, settings.baseline_months) - timedelta(days=1)
    return replace(period, date_from=start, date_to=end)


def can_use_daily(con: duckdb.DuckDBPyConnection, period: Period) -> bool:
    """Whether the street-wide daily aggregates give this period's figures: no filter, and no
    ticket records anything after `as_of` (so every "had it happened by then" check is true)."""
    filters = (period.community, period.department, period.problem_type, period.grid)
    if any(f is not None for f in filters):
        return False
    try:
        row = fetch_one(
            con,
            f"select max(latest_event_at) from (select latest_event_at from {DAILY_RECEIVED} "  # noqa: S608
            f"union all select latest_event_at from {DAILY_CLOSED})",
        )
    except duckdb.CatalogException:  # a warehouse built before the daily aggregates existed
        return False
    latest = row[0] if row else None
    return latest is None or (isinstance(latest, datetime) and latest <= period.as_of)


def _parts(
    con: duckdb.DuckDBPyConnection, spec: KpiSpec, period: Period, daily: bool = False
) -> tuple[float, float]:
    if daily and spec.daily_sql:
        dates: dict[str, object] = {"date_from": period.date_from, "date_to": period.date_to}
        row = fetch_one(con, spec.daily_sql, dates)
    else:
        row = fetch_one(con, spec.sql, period.params_for(spec.sql))
    if row is None or row[1] is None:
        return 0.0, 0.0
    numerator = float(row[0]) if row[0] is not None else 0.0  # type: ignore[arg-type]
    return numerator, float(row[1])  # type: ignore[arg-type]


def _value(kind: str, numerator: float, denominator: float) -> float | None:
    if not denominator:
        return None
    return numerator if kind == "median" else numerator / denominator


def compute(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    names: list[str] | None = None,
    settings: Settings | None = None,
    use_daily: bool = True,
) -> dict[str, KpiValue]:
    """Every KPI (or the named ones) for the period; street-wide complaint figures come from the
    daily aggregates when they give the same (`use_daily=False` always reads the tickets)."""
    settings = settings or load_settings()
    daily = can_use_daily(con, period) if use_daily else False
    values: dict[str, KpiValue] = {}
    for name in names or list(KPIS):
        spec = KPIS[name]
        if spec.kind == "reduction":
            rate_spec = KPIS["duplicate_inspection_rate"]
            base = _value("ratio", *_parts(con, rate_spec, baseline_period(con, period, settings)))
            rate = _value("ratio", *_parts(con, rate_spec, period))
            numerator, denominator = (base - rate, base) if base and rate is not None else (0, 0)
        else:
            numerator, denominator = _parts(con, spec, period, daily)
        count_like = spec.kind in {"ratio", "mean", "median"} and spec.kind != "reduction"
        values[name] = KpiValue(
            name=name,
            value=_value(
                "ratio" if spec.kind == "reduction" else spec.kind, numerator, denominator
            ),
            numerator=int(numerator) if count_like and spec.kind != "median" else numerator,
            denominator=int(denominator) if count_like else denominator,
            target=settings.targets.get(name),
            unit=spec.unit,
        )
    return values


def kpi_document(period: Period, values: dict[str, KpiValue]) -> dict[str, Any]:
    """The `duban kpi --json` document."""
    document: dict[str, Any] = {
        "period": {
            "from": period.date_from.isoformat(),
            "to": period.date_to.isoformat(),
            "as_of": period.as_of.isoformat(timespec="seconds"),
        },
        "kpis": {name: value.as_json() for name, value in values.items()},
    }
    filters = {
        "community": period.community,
        "department": period.department,
        "problem_type": period.problem_type,
        "grid": period.grid,
    }
    if any(filters.values()):
        document["filters"] = {key: value for key, value in filters.items() if value}
    if period.grid:
        document["grid_scope"] = {name: grid_scope(name) for name in values}
    return document


def grid_known(con: duckdb.DuckDBPyConnection, grid: str) -> bool | None:
    """Whether the reference data has the grid (None when there are no grids to ask)."""
    try:
        row = fetch_one(
            con, "select count(*) from stg_reference__grids where grid_id = $grid", {"grid": grid}
        )
    except duckdb.CatalogException:
        return None
    return bool(row and row[0])


def grid_scope(name: str) -> str:
    """How a KPI's rows are placed in a grid (`duban kpi --grid`)."""
    return GRID_SCOPES[KPIS[name].mart]


def end_of_day(day: date) -> datetime:
    """The last moment of a day, for an `as_of` given as a date."""
    return datetime.combine(day, time(23, 59, 59))
