-- Completed case rounds with the next new problem of the same type in the same community; one row per case round
with

cases as (
    select * from int_rectification_cases_timed
),

visits as (
    select * from int_inspections_duplicate_linked
),

-- the located tickets hold every column needed here: no need for the repeat chain and timings
complaints as (
    select * from int_complaints_located
),

settings as (
    select * from build_settings
),

problems as (
    select
        community_key,
        problem_type,
        cast(inspected_on as timestamp) as event_at,
        0 as kind,
        null::varchar as case_round_id
    from visits
    where is_failed and problem_type is not null
    union all
    select
        community_id,
        problem_type,
        received_at,
        0,
        null
    from complaints
    where community_id is not null
),

completions as (
    select community_key, problem_type, completed_at, 1, case_round_id
    from cases
    where is_completed
),

events as (
    select * from problems
    union all
    select * from completions
),

next_problem as (
    select
        case_round_id,
        min(case when kind = 0 then event_at end) over (
            partition by community_key, problem_type
            order by event_at, kind
            rows between 1 following and unbounded following
        ) as next_problem_at
    from events
),

linked as (
    select
        cases.*,
        next_problem.next_problem_at,
        coalesce(
            next_problem.next_problem_at
                <= cases.completed_at + to_days(settings.recurrence_days),
            false
        ) as is_recurred
    from cases
    cross join settings
    left join next_problem
        on next_problem.case_round_id = cases.case_round_id
)

select * from linked
