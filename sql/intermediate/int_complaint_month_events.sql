-- Complaint measures of each ticket's events, each event dated in the month it counts in (received: every ticket; closed: closed tickets); one row per ticket and event
with

tickets as (
    select * from complaint_tickets
),

-- the one definition of every monthly complaint measure: a mart sums these columns by its keys
-- (complaints_monthly, complaints_monthly_grid), so the marts' totals agree by construction
received as (
    select
        received_month as month_on,
        community_id,
        grid_id,
        category_l1,
        problem_type,
        department,
        1 as count_complaints,
        if(is_repeat, 1, 0) as count_repeats,
        if(location_key is null, 1, 0) as count_unlocated,
        if(is_responded_within_24h, 1, 0) as count_responded_24h,
        if(is_environment, 1, 0) as count_environment,
        if(is_environment and is_repeat, 1, 0) as count_environment_repeats,
        0 as count_closed,
        0 as sum_handling_working_days,
        0 as count_rated,
        0 as count_satisfied
    from tickets
),

closed as (
    select
        closed_month as month_on,
        community_id,
        grid_id,
        category_l1,
        problem_type,
        department,
        0 as count_complaints,
        0 as count_repeats,
        0 as count_unlocated,
        0 as count_responded_24h,
        0 as count_environment,
        0 as count_environment_repeats,
        1 as count_closed,
        coalesce(handling_working_days, 0) as sum_handling_working_days,
        if(is_rated, 1, 0) as count_rated,
        if(is_satisfied, 1, 0) as count_satisfied
    from tickets
    where is_closed
),

events as (
    select * from received
    union all
    select * from closed
)

select * from events
