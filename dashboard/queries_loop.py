"""Closed-loop queries: the funnel of first-round cases, overdue, second rounds, recurrence (the
lists' rows are shown through dashboard.records and the access layer)."""

from __future__ import annotations

import polars as pl

from dashboard.queries import WarehouseVersion, run, try_analysis
from warehouse.metrics import Period

CASES = (
    "($community::varchar is null or cases.community_id = $community)"
    " and ($department::varchar is null or cases.responsible_department = $department)"
    " and ($ptype::varchar is null or cases.problem_type = $ptype)"
)

FUNNEL_SQL = f"""
    with cases as (
        select * from rectification_cases as cases
        where round = 1 and cast(found_at as date) between $date_from and $date_to
            and found_at <= $as_of and {CASES}
    ),
    staged as (
        select
            is_noticed_within_24h and noticed_at <= $as_of as s1,
            s1 and is_completed_on_time and completed_at <= $as_of as s2,
            s2 and is_evaluated_on_time and evaluated_at <= $as_of as s3,
            s3 and not coalesce(is_below_satisfaction, true) as s4
        from cases
    )
    select
        count(*) as count_found,
        count(*) filter (where s1) as count_noticed_24h,
        count(*) filter (where s2) as count_rectified_on_time,
        count(*) filter (where s3) as count_evaluated_on_time,
        count(*) filter (where s4) as count_satisfied
    from staged
"""  # noqa: S608

# no personal information here: the address comes masked through the access layer
CASE_COLUMNS = """
    cases.case_round_id, cases.case_id, cases.round,
    coalesce(communities.community_name, cases.community) as community,
    cases.grid, cases.problem_type, cases.responsible_unit, cases.responsible_department
"""
COMMUNITY_JOIN = (
    "left join stg_reference__communities as communities"
    " on communities.community_id = cases.community_id"
)

SECOND_SQL = f"""
    select {CASE_COLUMNS}, cases.evaluated_at, cases.satisfaction_pct, cases.status
    from rectification_cases as cases
    {COMMUNITY_JOIN}
    where cases.is_below_satisfaction
        and cases.evaluated_on between $date_from and $date_to and cases.evaluated_at <= $as_of
        and {CASES}
    order by cases.satisfaction_pct, cases.evaluated_at desc
    limit 5000
"""  # noqa: S608

RECURRED_SQL = f"""
    select {CASE_COLUMNS}, cases.completed_at, cases.next_problem_at,
        date_diff('day', cases.completed_at, cases.next_problem_at) as days_to_recurrence
    from rectification_cases as cases
    {COMMUNITY_JOIN}
    where cases.is_recurred
        and cases.completed_on between $date_from and $date_to
        and cases.completed_at + interval 90 days <= $as_of
        and {CASES}
    order by days_to_recurrence
    limit 5000
"""  # noqa: S608

STAGES = [
    "count_found",
    "count_noticed_24h",
    "count_rectified_on_time",
    "count_evaluated_on_time",
    "count_satisfied",
]


def funnel(version: WarehouseVersion, params: dict[str, object]) -> dict[str, int]:
    """First-round cases found in the period and how many passed each stage on time."""
    result = run(version, FUNNEL_SQL, params)
    row = result.row(0, named=True) if result.height else {}
    return {stage: int(row.get(stage) or 0) for stage in STAGES}


def stage_rates(counts: dict[str, int]) -> pl.DataFrame:
    """Each stage: its count, the share of the stage before and of all cases found."""
    rows = []
    for index, stage in enumerate(STAGES):
        before = counts[STAGES[index - 1]] if index else counts[stage]
        rows.append(
            {
                "stage": stage,
                "count_cases": counts[stage],
                "count_previous_stage": before,
                "rate_of_previous": counts[stage] / before if before else None,
                "rate_of_found": counts[stage] / counts[STAGES[0]] if counts[STAGES[0]] else None,
            }
        )
    return pl.DataFrame(rows)


def overdue(version: WarehouseVersion, period: Period) -> pl.DataFrame | None:
    """Cases past their rectification deadline and not completed (warehouse.scorecards)."""
    return try_analysis(
        version,
        "warehouse.scorecards",
        "overdue_cases",
        period.as_of,
        community=period.community,
        department=period.department,
    )


def second_rounds(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """Cases evaluated in the period below the satisfaction threshold (a second round follows)."""
    return run(version, SECOND_SQL, params)


def recurred(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """Cases completed in the period whose problem came back within 90 days."""
    return run(version, RECURRED_SQL, params)
