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
        count(*) filter (where is_environment and is_repeat) as count_environment_repeats
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
        count(*) as count_closed,
        sum(handling_working_days) as sum_handling_working_days,
        count(*) filter (where is_rated) as count_rated,
        count(*) filter (where is_satisfied) as count_satisfied
    from tickets
    where is_closed
    group by all
),

-- the two sides joined on the whole key (nulls matching) rather than appended and grouped again
monthly as (
    select
        coalesce(r.month_on, c.month_on) as month_on,
        coalesce(r.community_id, c.community_id) as community_id,
        coalesce(r.category_l1, c.category_l1) as category_l1,
        coalesce(r.problem_type, c.problem_type) as problem_type,
        coalesce(r.department, c.department) as department,
        coalesce(r.count_complaints, 0)::bigint as count_complaints,
        coalesce(r.count_repeats, 0)::bigint as count_repeats,
        coalesce(r.count_unlocated, 0)::bigint as count_unlocated,
        coalesce(r.count_responded_24h, 0)::bigint as count_responded_24h,
        coalesce(r.count_environment, 0)::bigint as count_environment,
        coalesce(r.count_environment_repeats, 0)::bigint as count_environment_repeats,
        coalesce(c.count_closed, 0)::bigint as count_closed,
        coalesce(c.sum_handling_working_days, 0)::bigint as sum_handling_working_days,
        coalesce(c.count_rated, 0)::bigint as count_rated,
        coalesce(c.count_satisfied, 0)::bigint as count_satisfied
    from received as r
    full outer join closed as c
        on c.month_on = r.month_on
        and c.community_id is not distinct from r.community_id
        and c.category_l1 is not distinct from r.category_l1
        and c.problem_type is not distinct from r.problem_type
        and c.department is not distinct from r.department
),

rated as (
    select
        *,
        count_repeats / nullif(count_complaints, 0) as repeat_complaint_rate
    from monthly
)

select * from rated
