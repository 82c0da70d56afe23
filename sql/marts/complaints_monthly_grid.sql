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
        sum(columns(* exclude (month_on, community_id, grid_id, category_l1, problem_type,
            department)))::bigint
    from events
    group by all
),

final as (
    select
        *,
        count_repeats / nullif(count_complaints, 0) as repeat_complaint_rate
    from monthly
),

-- stored by month and community: the dashboard reads one community's grids over a period
stored as (select * from final order by month_on, community_id, grid_id)

select * from stored
