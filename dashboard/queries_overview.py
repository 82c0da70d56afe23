"""Overview queries: each KPI's monthly series from the marts, and the previous period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from dashboard.queries import WarehouseVersion, run
from warehouse.metrics import Period, add_months, month_bounds

WINDOW = (
    "month_on > date_trunc('month', $date_to::date) - to_months($months) and month_on <= $date_to"
)
COMMUNITY = "($community::varchar is null or community_id = $community)"

COMPLAINT_SERIES = f"""
    with monthly as (
        select m.*, coalesce(names.department, m.department) as handling_department
        from complaints_monthly as m
        left join int_department_names as names on names.name = m.department
    ),
    filtered as (
        select * from monthly
        where {WINDOW} and {COMMUNITY}
            and ($department::varchar is null or handling_department = $department)
            and ($ptype::varchar is null or problem_type = $ptype)
    ),
    sums as (
        select
            month_on,
            sum(count_repeats) as repeats, sum(count_complaints) as complaints,
            sum(count_responded_24h) as responded, sum(sum_handling_working_days) as days,
            sum(count_closed) as closed, sum(count_satisfied) as satisfied,
            sum(count_rated) as rated
        from filtered group by month_on
    )
    select month_on, 'repeat_complaint_rate' as name, repeats as numerator,
        complaints as denominator from sums
    union all select month_on, 'response_within_24h_rate', responded, complaints from sums
    union all select month_on, 'avg_handling_working_days', days, closed from sums
    union all select month_on, 'complaint_satisfaction_rate', satisfied, rated from sums
"""  # noqa: S608

VISIT_SERIES = f"""
    select month_on, 'duplicate_inspection_rate' as name,
        sum(count_duplicates) as numerator, sum(count_visits) as denominator
    from inspections_monthly
    where {WINDOW} and {COMMUNITY}
        and ($department::varchar is null or department = $department)
    group by month_on
"""  # noqa: S608

CASE_FILTER = (
    f"{COMMUNITY} and ($department::varchar is null or responsible_department = $department)"
    " and ($ptype::varchar is null or problem_type = $ptype)"
)
CASE_SERIES = f"""
    with cases as (select * from rectification_cases where {CASE_FILTER}),
    parts as (
        select date_trunc('month', found_at)::date as month_on, 'feedback_within_24h_rate' as name,
            count(*) filter (where is_noticed_within_24h) as numerator, count(*) as denominator
        from cases where round = 1 group by all
        union all
        select date_trunc('month', noticed_on)::date, 'rectified_on_time_rate',
            count(*) filter (where is_completed_on_time), count(*)
        from cases where rectification_deadline_on <= cast($as_of as date) group by all
        union all
        select date_trunc('month', noticed_on)::date, 'rectification_completion_rate',
            count(*) filter (where is_completed and completed_at <= $as_of), count(*)
        from cases where rectification_deadline_on <= cast($as_of as date) group by all
        union all
        select date_trunc('month', completed_on)::date, 'evaluated_on_time_rate',
            count(*) filter (where is_evaluated_on_time), count(*)
        from cases where evaluation_deadline_on <= cast($as_of as date) group by all
        union all
        select date_trunc('month', evaluated_on)::date, 'rectification_satisfaction_rate',
            count(*) filter (where is_satisfied), count(*)
        from cases where evaluated_on is not null group by all
        union all
        select date_trunc('month', evaluated_on)::date, 'second_rectification_rate',
            count(*) filter (where is_below_satisfaction), count(*)
        from cases where evaluated_on is not null group by all
        union all
        select date_trunc('month', completed_on)::date, 'recurrence_3m_rate',
            count(*) filter (where is_recurred), count(*)
        from cases where completed_at + interval 90 days <= $as_of group by all
    )
    select * from parts where {WINDOW}
"""  # noqa: S608


def kpi_series(
    version: WarehouseVersion, params: dict[str, object], months: int = 24
) -> pl.DataFrame:
    """Per KPI and month: numerator, denominator and value (month_on, name, …, value)."""
    bound = {**params, "months": months}
    parts = [run(version, sql, bound) for sql in (COMPLAINT_SERIES, VISIT_SERIES, CASE_SERIES)]
    frames = [
        p.select(
            pl.col("month_on").cast(pl.Date),
            pl.col("name").cast(pl.String),
            pl.col("numerator").cast(pl.Float64),
            pl.col("denominator").cast(pl.Float64),
        )
        for p in parts
        if not p.is_empty()
    ]
    if not frames:
        return pl.DataFrame(
            schema={"month_on": pl.Date, "name": pl.String, "numerator": pl.Float64,
                    "denominator": pl.Float64, "value": pl.Float64}
        )  # fmt: skip
    return (
        pl.concat(frames)
        .with_columns(
            value=pl.when(pl.col("denominator") > 0).then(
                pl.col("numerator") / pl.col("denominator")
            )
        )
        .sort("name", "month_on")
    )


def previous_period(period: Period) -> Period:
    """The period of the same length just before: whole months shift by months, else by days."""
    start, end = period.date_from, period.date_to
    if start.day == 1 and end == month_bounds(end)[1]:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return replace(
            period,
            date_from=add_months(start, -months),
            date_to=month_bounds(add_months(end.replace(day=1), -months))[1],
        )
    length = (end - start).days + 1
    return replace(
        period, date_from=start - timedelta(days=length), date_to=start - timedelta(days=1)
    )


def months_between(start: date, end: date) -> int:
    """Whole months from start's month to end's month, inclusive."""
    return (end.year - start.year) * 12 + end.month - start.month + 1
