-- Monthly complaint measures, each counted in the month of its own event; one row per month, community, problem type and department
with

events as (
    select * from int_complaint_month_events
),

-- one pass over both events' rows: the measures are defined once, in int_complaint_month_events
monthly as (
    select
        month_on,
        community_id,
        category_l1,
        problem_type,
        department,
        sum(columns(* exclude (month_on, community_id, grid_id, category_l1, problem_type,
            department)))::bigint
    from events
    group by all
),

rated as (
    select
        *,
        count_repeats / nullif(count_complaints, 0) as repeat_complaint_rate
    from monthly
)

select * from rated
