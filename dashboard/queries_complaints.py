"""Repeat-complaint queries: the rate by community, problem type and department; repeat chains
(their tickets' rows come through dashboard.records and the access layer)."""

from __future__ import annotations

import polars as pl

from dashboard.queries import WarehouseVersion, run

MONTHS = (
    "month_on between date_trunc('month', $date_from::date) and $date_to"
    " and ($community::varchar is null or community_id = $community)"
    " and ($department::varchar is null or handling_department = $department)"
    " and ($ptype::varchar is null or problem_type = $ptype)"
)
TICKETS = (
    "received_on between $date_from and $date_to and received_at <= $as_of"
    " and ($community::varchar is null or community_id = $community)"
    " and ($department::varchar is null or handling_department = $department)"
    " and ($ptype::varchar is null or problem_type = $ptype)"
)

# the breakdowns a page may ask for: a fixed column per name, never text from the user
DIMENSIONS = {
    "community": "coalesce(communities.community_name, monthly.community_id)",
    "problem_type": "monthly.problem_type",
    "department": "monthly.handling_department",
}


def _by(dimension_sql: str) -> str:
    return f"""
        with monthly as (
            select m.*, coalesce(names.department, m.department) as handling_department
            from complaints_monthly as m
            left join int_department_names as names on names.name = m.department
        ),
        filtered as (select * from monthly where {MONTHS})
        select
            coalesce({dimension_sql}, '—') as category,
            sum(count_repeats)::bigint as count_repeats,
            sum(count_complaints)::bigint as count_complaints,
            sum(count_repeats) / nullif(sum(count_complaints), 0) as repeat_complaint_rate
        from filtered as monthly
        left join stg_reference__communities as communities
            on communities.community_id = monthly.community_id
        group by all
        having sum(count_complaints) > 0
        order by repeat_complaint_rate desc, count_complaints desc
    """  # noqa: S608


BY_SQL = {name: _by(sql) for name, sql in DIMENSIONS.items()}

CHAINS_SQL = f"""
    with repeats as (
        select
            original_complaint_id,
            count(*) as count_repeats,
            min(received_at) as first_repeat_at,
            max(received_at) as last_repeat_at
        from complaint_tickets
        where is_repeat and {TICKETS}
        group by original_complaint_id
    ),
    -- the chains shown, before any join: the order needs only the repeats
    shown as (
        select * from repeats
        order by count_repeats desc, last_repeat_at desc, original_complaint_id
        limit 5000
    ),
    originals as (
        select
            shown.*,
            tickets.received_at as original_received_at,
            tickets.community_id,
            tickets.problem_type,
            tickets.handling_department
        from shown
        join (
            -- an original precedes its repeats; its id lies in the shown ids' range
            select complaint_id, received_at, community_id, problem_type, handling_department
            from complaint_tickets
            where received_on <= $date_to
                and complaint_id between (select min(original_complaint_id) from shown)
                and (select max(original_complaint_id) from shown)
        ) as tickets on tickets.complaint_id = shown.original_complaint_id
    ),
    cases as (
        select case_id, community_id, problem_type, completed_at, responsible_unit,
            satisfaction_pct, status
        from rectification_cases
        where completed_at is not null
            and completed_at <= (select max(first_repeat_at) from shown)
            -- only the shown chains' communities and problem types can match (the as-of join
            -- below sorts all it is given: every case took ~1.7 s at 10m)
            and (community_id, problem_type) in (
                select (community_id, problem_type) from originals
            )
    ),
    linked as (
        select
            originals.*,
            cases.case_id,
            cases.completed_at as case_completed_at,
            cases.responsible_unit,
            cases.satisfaction_pct,
            cases.status as case_status
        from originals
        asof left join cases
            on cases.community_id = originals.community_id
            and cases.problem_type = originals.problem_type
            and originals.first_repeat_at >= cases.completed_at
    )
    select
        linked.original_complaint_id,
        linked.original_received_at,
        coalesce(communities.community_name, linked.community_id) as community,
        linked.problem_type,
        linked.handling_department,
        linked.count_repeats,
        linked.first_repeat_at,
        linked.last_repeat_at,
        linked.case_id,
        linked.case_completed_at,
        linked.responsible_unit,
        linked.satisfaction_pct,
        linked.case_status
    from linked
    left join stg_reference__communities as communities
        on communities.community_id = linked.community_id
    order by count_repeats desc, last_repeat_at desc, original_complaint_id
"""  # noqa: S608

CHAIN_IDS_SQL = """
    select complaint_id, received_at
    from complaint_tickets
    where original_complaint_id = $original or complaint_id = $original
    order by received_at, complaint_id
    limit 500
"""


def repeat_rate_by(
    version: WarehouseVersion, params: dict[str, object], dimension: str
) -> pl.DataFrame:
    """The repeat-complaint rate per community, problem type or department in the period."""
    return run(version, BY_SQL[dimension], params)


def repeat_chains(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """Repeat chains with repeats in the period, their original and the rectification before;
    no personal information (the original's address comes masked through the access layer)."""
    return run(version, CHAINS_SQL, params)


def chain_ids(version: WarehouseVersion, original: str) -> pl.DataFrame:
    """The ids of one repeat chain's tickets, the original first (rows via the access layer)."""
    return run(version, CHAIN_IDS_SQL, {"original": original}).select("complaint_id")
