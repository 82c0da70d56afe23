-- Monthly complaint counts and the repeat-complaint rate; one row per month, community and problem type
with

tickets as (
    select * from complaint_tickets
),

monthly as (
    select
        received_month as month_on,
        community,
        category_l1,
        problem_type,
        count(*) as count_complaints,
        count(*) filter (where is_repeat) as count_repeats,
        count(*) filter (where location_key is null) as count_unlocated
    from tickets
    group by all
),

rated as (
    select
        *,
        count_repeats / count_complaints as repeat_complaint_rate
    from monthly
)

select * from rated
