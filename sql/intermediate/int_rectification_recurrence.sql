-- Completed case rounds with the next new problem of the same type in the same community; one row per case round
with

cases as (
    select * from int_rectification_cases_timed
),

-- the visits as the inspection_visits mart holds them (built already), not the linked view, which
-- would pick each visit's latest version again
visits as (
    select *, coalesce(community_id, community) as community_key from inspection_visits
),

-- the located tickets hold every column needed here: no need for the repeat chain and timings
complaints as (
    select * from int_complaints_located
),

settings as (
    select * from build_settings
),

-- a missing key is kept as a key of its own (so missing matches missing, as in a partition)
completion_keys as (
    select distinct
        coalesce(community_key, chr(0)) as community_key,
        coalesce(problem_type, chr(0)) as problem_type
    from cases
    where is_completed
),

-- only the problems of a (community, type) some round was completed in can follow a completion:
-- about one ticket in eight at 10m, so the as-of join sorts that many instead of every ticket
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

candidates as (
    select problems.*
    from problems
    semi join completion_keys
        on completion_keys.community_key = problems.community_key
        and completion_keys.problem_type = problems.problem_type
),

-- the first new problem strictly after each completion: an as-of join sorts once by key and time.
-- Every round is a left row (a round not completed, with no completion time, matches nothing),
-- so the rounds come out with their next problem and need no join back by round id
linked as (
    select
        cases.*,
        problems.event_at as next_problem_at,
        coalesce(
            problems.event_at <= cases.completed_at + to_days(settings.recurrence_days),
            false
        ) as is_recurred
    from cases
    asof left join candidates as problems
        on problems.community_key = coalesce(cases.community_key, chr(0))
        and problems.problem_type = coalesce(cases.problem_type, chr(0))
        and problems.event_at > cases.completed_at
    cross join settings
)

select * from linked
