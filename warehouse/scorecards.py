"""Departments' scorecard, overdue rectification cases and the joint meeting's agenda (联席会议)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from warehouse.clock import to_local
from warehouse.connection import fetch_frame
from warehouse.metrics import Period
from warehouse.settings import Settings, load_settings

MIN_DEPARTMENTS = (
    3  # a problem needs the joint meeting when its subject is shared by 3+ departments
)
MERGE_LIMIT = 10
# A case round is open at as_of when it was noticed by then, not completed by then, and its ledger
# status does not say it was closed without rectification (终止（未整改）, 终止(未整改)).
CLOSED_STATUS = "终止%"

SCORECARD_SQL = """
with

departments as (
    select department from stg_reference__departments
),

visits as (
    select unnest(departments_involved) as department, is_duplicate, is_failed
    from inspection_visits
    where inspected_on between $date_from and $date_to
        and inspected_on <= cast($as_of as date)
        and ($community::varchar is null or community_id = $community)
        and ($problem_type::varchar is null or problem_type = $problem_type)
),

tickets as (
    select * from complaint_tickets
    where ($community::varchar is null or community_id = $community)
        and ($problem_type::varchar is null or problem_type = $problem_type)
        and handling_department is not null
),

cases as (
    select * from rectification_cases
    where ($community::varchar is null or community_id = $community)
        and ($problem_type::varchar is null or problem_type = $problem_type)
        and responsible_department is not null
),

visited as (
    select
        department,
        count(*) as count_visits,
        count(*) filter (where is_duplicate) / count(*) as duplicate_rate,
        count(*) filter (where is_failed) / count(*) as failed_rate
    from visits
    group by department
),

received as (
    select
        handling_department as department,
        count(*) as count_complaints,
        count(*) filter (where is_responded_within_24h and first_response_at <= $as_of)
            / count(*) as response_within_24h_rate
    from tickets
    where received_on between $date_from and $date_to and received_at <= $as_of
    group by all
),

closed as (
    select
        handling_department as department,
        count(*) as count_closed,
        avg(handling_working_days) as avg_handling_working_days
    from tickets
    where closed_on between $date_from and $date_to and closed_at <= $as_of
    group by all
),

noticed as (
    select
        responsible_department as department,
        count(*) as count_cases,
        count(*) filter (where rectification_deadline_on <= cast($as_of as date))
            as count_cases_due,
        count(*) filter (
            where rectification_deadline_on <= cast($as_of as date)
                and is_completed and completed_at <= $as_of
        ) / nullif(count(*) filter (where rectification_deadline_on <= cast($as_of as date)), 0)
            as completion_rate,
        count(*) filter (
            where rectification_deadline_on <= cast($as_of as date)
                and is_completed_on_time and completed_at <= $as_of
        ) / nullif(count(*) filter (where rectification_deadline_on <= cast($as_of as date)), 0)
            as on_time_rate
    from cases
    where noticed_on between $date_from and $date_to and noticed_at <= $as_of
    group by all
),

overdue as (
    select responsible_department as department, count(*) as count_overdue
    from cases
    where noticed_at <= $as_of
        and rectification_deadline_on < cast($as_of as date)
        and (completed_at is null or completed_at > $as_of)
        and coalesce(status, '') not like $closed_status
    group by all
),

department_names as (
    select department from departments
    union select department from visited
    union select department from received
    union select department from closed
    union select department from noticed
    union select department from overdue
),

joined as (
    select
        department_names.department,
        coalesce(visited.count_visits, 0) as count_visits,
        visited.duplicate_rate,
        visited.failed_rate,
        coalesce(received.count_complaints, 0) as count_complaints,
        received.response_within_24h_rate,
        coalesce(closed.count_closed, 0) as count_closed,
        closed.avg_handling_working_days,
        coalesce(noticed.count_cases, 0) as count_cases,
        coalesce(noticed.count_cases_due, 0) as count_cases_due,
        noticed.completion_rate,
        noticed.on_time_rate,
        coalesce(overdue.count_overdue, 0) as count_overdue
    from department_names
    left join visited using (department)
    left join received using (department)
    left join closed using (department)
    left join noticed using (department)
    left join overdue using (department)
    where department_names.department is not null
),

scored as (
    select
        *,
        count_visits + count_complaints + count_cases as volume,
        list_avg(list_filter(
            [1 - duplicate_rate, response_within_24h_rate, completion_rate, on_time_rate],
            lambda x: x is not null
        )) as performance
    from joined
),

rankable as (
    select *, performance is not null and volume >= $min_volume as is_rankable
    from scored
),

ranked as (
    select
        *,
        case when is_rankable
            then rank() over (partition by is_rankable order by performance desc)
        end as rank
    from rankable
)

select * from ranked
where $department::varchar is null or department = $department
order by rank nulls last, volume desc, department
"""


def department_scorecard(
    con: duckdb.DuckDBPyConnection, period: Period, settings: Settings | None = None
) -> pl.DataFrame:
    """Each department's figures for the period (its own row only when `period.department` is set;
    only visits, complaints and cases of `period.problem_type` when that is set).

    Columns: department, count_visits (visits it took part in), duplicate_rate, failed_rate,
    count_complaints (received, it handles), response_within_24h_rate, count_closed,
    avg_handling_working_days, count_cases (noticed in the period, it is responsible for),
    count_cases_due, completion_rate, on_time_rate, count_overdue (open past the deadline at
    as_of, whenever noticed), volume (visits + complaints + cases), performance (mean of
    1 - duplicate_rate, response_within_24h_rate, completion_rate, on_time_rate over those with
    data), is_rankable (volume >= ranking.min_volume), rank (1 = best); rates in [0, 1].
    """
    settings = settings or load_settings()
    return fetch_frame(
        con,
        SCORECARD_SQL,
        {
            **period.params_for(SCORECARD_SQL),
            "min_volume": settings.ranking.min_volume,
            "closed_status": CLOSED_STATUS,
        },
    )


OVERDUE_SQL = """
with

cases as (
    select * from rectification_cases
),

calendar as (
    select * from ref_calendar
),

overdue as (
    select
        cases.case_round_id,
        cases.case_id,
        cases.round,
        cases.community_id,
        cases.community,
        cases.grid,
        cases.problem_type,
        cases.found_by,
        cases.responsible_unit,
        cases.responsible_unit_type,
        cases.responsible_department,
        cases.noticed_at,
        cases.rectification_deadline_on,
        as_of_day.working_day_number - deadline_day.working_day_number as working_days_overdue,
        cases.status
    from cases
    inner join calendar as deadline_day on deadline_day.day_on = cases.rectification_deadline_on
    inner join calendar as as_of_day on as_of_day.day_on = cast($as_of as date)
    where cases.noticed_at <= $as_of
        and cases.rectification_deadline_on < cast($as_of as date)
        and (cases.completed_at is null or cases.completed_at > $as_of)
        and coalesce(cases.status, '') not like $closed_status
        and ($community::varchar is null or cases.community_id = $community)
        and ($department::varchar is null or cases.responsible_department = $department)
)

select * from overdue
order by working_days_overdue desc, rectification_deadline_on, case_round_id
"""


def overdue_cases(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    community: str | None = None,
    department: str | None = None,
) -> pl.DataFrame:
    """Open case rounds (CLOSED_STATUS) whose rectification deadline is before `as_of`'s date.

    Columns: case_round_id, case_id, round, community_id, community, grid, problem_type, found_by,
    responsible_unit, responsible_unit_type, responsible_department, noticed_at,
    rectification_deadline_on, working_days_overdue (working days d with deadline < d <= as_of),
    status; most overdue first.
    """
    return fetch_frame(
        con,
        OVERDUE_SQL,
        {
            "as_of": to_local(as_of),
            "community": community,
            "department": department,
            "closed_status": CLOSED_STATUS,
        },
    )


MULTI_DEPARTMENT_SQL = """
with

subjects as (
    select
        subject_name as subject,
        list_sort(list_distinct(string_split(departments, '|'))) as departments,
        unnest(string_split(problem_types, '|')) as problem_type
    from stg_reference__inspection_subjects
    where len(list_distinct(string_split(departments, '|'))) >= $min_departments
),

open_cases as (
    select problem_type, count(*) as count_open_cases
    from rectification_cases
    where cast(found_at as date) <= $date_to
        and found_at <= $as_of
        and (completed_at is null or completed_at > $as_of)
        and coalesce(status, '') not like $closed_status
        and ($community::varchar is null or community_id = $community)
    group by all
),

complaints as (
    select problem_type, count(*) as count_complaints
    from complaint_tickets
    where received_on between $date_from and $date_to
        and received_at <= $as_of
        and ($community::varchar is null or community_id = $community)
    group by all
),

joined as (
    select
        subjects.subject,
        subjects.problem_type,
        subjects.departments,
        len(subjects.departments) as count_departments,
        coalesce(open_cases.count_open_cases, 0) as count_open_cases,
        coalesce(complaints.count_complaints, 0) as count_complaints
    from subjects
    left join open_cases using (problem_type)
    left join complaints using (problem_type)
    where $department::varchar is null or list_contains(subjects.departments, $department)
)

select * from joined
where count_open_cases + count_complaints > 0
order by count_open_cases + count_complaints desc, subject, problem_type
"""

MERGES_SQL = """
with

suggestions as (
    select * from merge_suggestions
    where month_on between date_trunc('month', $date_from::date) and $date_to
        and ($community::varchar is null or community_id = $community)
        and ($department::varchar is null or list_contains(departments, $department))
),

communities as (
    select * from stg_reference__communities
),

merged as (
    select
        community_id,
        coalesce(any_value(communities.community_name), any_value(community)) as community,
        subject,
        list_sort(list_distinct(flatten(list(departments)))) as departments,
        sum(count_visits)::bigint as count_visits,
        sum(count_visits_saved)::bigint as count_visits_saved
    from suggestions
    left join communities using (community_id)
    group by community_id, subject
)

select * from merged
order by count_visits_saved desc, community_id, subject
limit $limit
"""


def agenda(
    con: duckdb.DuckDBPyConnection, period: Period, merge_limit: int = MERGE_LIMIT
) -> dict[str, pl.DataFrame]:
    """The joint meeting's agenda for the period: three tables.

    `multi_department`: problem types of subjects that 3+ departments inspect, with cases open at
    as_of (found by the period's end) or complaints received in the period: subject, problem_type,
    departments, count_departments, count_open_cases, count_complaints.
    `overdue`: `overdue_cases` at the period's as_of.
    `merges`: the `merge_limit` communities and subjects whose duplicate visits a joint inspection
    would save most (whole months of `merge_suggestions`): community_id, community, subject,
    departments, count_visits, count_visits_saved.
    """
    params = period.params()
    return {
        "multi_department": fetch_frame(
            con,
            MULTI_DEPARTMENT_SQL,
            {**params, "min_departments": MIN_DEPARTMENTS, "closed_status": CLOSED_STATUS},
        ),
        "overdue": overdue_cases(con, period.as_of, period.community, period.department),
        "merges": fetch_frame(
            con,
            MERGES_SQL,
            {
                "date_from": period.date_from,
                "date_to": period.date_to,
                "community": period.community,
                "department": period.department,
                "limit": merge_limit,
            },
        ),
    }
