-- Complaint measures of each ticket's events, each event dated in the month it counts in (received: every ticket; closed: closed tickets); one row per ticket and event
with

tickets as (
    select * from complaint_tickets
),

-- the one definition of every monthly complaint measure: a mart groups these rows by its keys and
-- counts the count_* columns (true when the event counts, else null) and sums the sum_* ones
-- (complaints_monthly, complaints_monthly_grid), so the marts' totals agree by construction
received as (
    select
        received_month as month_on,
        community_id,
        grid_id,
        category_l1,
        problem_type,
        department,
        true as count_complaints,
        if(is_repeat, true, null) as count_repeats,
        if(location_key is null, true, null) as count_unlocated,
        if(is_responded_within_24h, true, null) as count_responded_24h,
        if(is_environment, true, null) as count_environment,
        if(is_environment and is_repeat, true, null) as count_environment_repeats,
        null::boolean as count_closed,
        null::integer as sum_handling_working_days,
        null::boolean as count_rated,
        null::boolean as count_satisfied
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
        null::boolean as count_complaints,
        null::boolean as count_repeats,
        null::boolean as count_unlocated,
        null::boolean as count_responded_24h,
        null::boolean as count_environment,
        null::boolean as count_environment_repeats,
        true as count_closed,
        handling_working_days as sum_handling_working_days,
        if(is_rated, true, null) as count_rated,
        if(is_satisfied, true, null) as count_satisfied
    from tickets
    where is_closed
),

events as (
    select * from received
    union all
    select * from closed
)

select * from events
