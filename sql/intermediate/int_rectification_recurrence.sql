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

-- a missing key is kept as a key of its own (so missing matches missing, as in a partition)
problems as (
    select
        coalesce(community_key, chr(0)) as community_key,
        coalesce(problem_type, chr(0)) as problem_type,
        cast(inspected_on as timestamp) as event_at
    from visits
    where is_failed and problem_type is not null
    union all
    select
        community_id,
        coalesce(problem_type, chr(0)),
        received_at
    from complaints
    where community_id is not null
),

completions as (
    select
        case_round_id,
        coalesce(community_key, chr(0)) as community_key,
        coalesce(problem_type, chr(0)) as problem_type,
        completed_at
    from cases
    where is_completed
),

-- the first new problem strictly after each completion: an as-of join sorts once by key and time
next_problem as (
    select
        completions.case_round_id,
        problems.event_at as next_problem_at
    from completions
    asof left join problems
        on problems.community_key = completions.community_key
        and problems.problem_type = completions.problem_type
        and problems.event_at > completions.completed_at
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
