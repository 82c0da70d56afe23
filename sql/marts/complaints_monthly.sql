-- Monthly complaint measures, each counted in the month of its own event; one row per month, community, problem type and department
with

tickets as (
    select * from complaint_tickets
),

received as (
    select
        received_month as month_on,
        community_id,
        category_l1,
        problem_type,
        department,
        count(*) as count_complaints,
        count(*) filter (where is_repeat) as count_repeats,
        count(*) filter (where location_key is null) as count_unlocated,
        count(*) filter (where is_responded_within_24h) as count_responded_24h,
        count(*) filter (where is_environment) as count_environment,
        count(*) filter (where is_environment and is_repeat) as count_environment_repeats,
        0 as count_closed,
        0 as sum_handling_working_days,
        0 as count_rated,
        0 as count_satisfied
    from tickets
    group by all
),

closed as (
    select
        closed_month as month_on,
        community_id,
        category_l1,
        problem_type,
        department,
        0 as count_complaints,
        0 as count_repeats,
        0 as count_unlocated,
        0 as count_responded_24h,
        0 as count_environment,
        0 as count_environment_repeats,
        count(*) as count_closed,
        sum(handling_working_days) as sum_handling_working_days,
        count(*) filter (where is_rated) as count_rated,
        count(*) filter (where is_satisfied) as count_satisfied
    from tickets
    where is_closed
    group by all
),

combined as (
    select * from received
    union all
    select * from closed
),

monthly as (
    select
        month_on,
        community_id,
        category_l1,
        problem_type,
        department,
        sum(count_complaints)::bigint as count_complaints,
        sum(count_repeats)::bigint as count_repeats,
        sum(count_unlocated)::bigint as count_unlocated,
        sum(count_responded_24h)::bigint as count_responded_24h,
        sum(count_environment)::bigint as count_environment,
        sum(count_environment_repeats)::bigint as count_environment_repeats,
        sum(count_closed)::bigint as count_closed,
        sum(sum_handling_working_days)::bigint as sum_handling_working_days,
        sum(count_rated)::bigint as count_rated,
        sum(count_satisfied)::bigint as count_satisfied
    from combined
    group by all
),

rated as (
    select
        *,
        count_repeats / nullif(count_complaints, 0) as repeat_complaint_rate
    from monthly
)

select * from rated
