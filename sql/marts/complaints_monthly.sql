-- Monthly complaint measures, each counted in the month of its own event; one row per month, community, problem type and department
with

events as (
    select * from int_complaint_month_events
),

-- one pass over both events' rows; the measures are defined once, in int_complaint_month_events
-- (count(): a count_* column is true or null, cheaper to aggregate than summed integers)
monthly as (
    select
        month_on,
        community_id,
        category_l1,
        problem_type,
        department,
        count(columns('^count_')),
        coalesce(sum(columns('^sum_')), 0)::bigint
    from events
    group by all
),

rated as (
    select
        month_on,
        community_id,
        category_l1,
        problem_type,
        department,
        count_complaints,
        count_repeats,
        count_unlocated,
        count_responded_24h,
        count_environment,
        count_environment_repeats,
        count_closed,
        sum_handling_working_days,
        count_rated,
        count_satisfied,
        count_repeats / nullif(count_complaints, 0) as repeat_complaint_rate
    from monthly
)

select * from rated
