-- Monthly complaint measures by grid, each counted in the month of its own event, the tickets with no resolved grid in a row with a null grid_id; one row per month, community and grid
with

events as (
    select * from int_complaint_month_events
),

-- the same measures as complaints_monthly (defined once, in int_complaint_month_events), by grid
monthly as (
    select
        month_on,
        community_id,
        grid_id,
        count(columns('^count_')),
        coalesce(sum(columns('^sum_')), 0)::bigint
    from events
    group by all
),

rated as (
    select
        month_on,
        community_id,
        grid_id,
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

-- not stored in an order: sorting took ~0.3 s of ~2.5 s at 10m, and the dashboard's read of one
-- community over a period scans the 1.6M rows in milliseconds
select * from rated
