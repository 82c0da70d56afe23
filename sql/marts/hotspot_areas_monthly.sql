-- Problems by community and by grid (hotspots_monthly's two upper levels, without the mix); one row per month, level (community, grid) and area
-- warehouse/hotspots.py reads the community and grid levels here: hotspots_monthly's rows without
-- the top problem, ordered so that one community's grids sit together.
with

monthly as (
    select * from hotspots_monthly
),

upper_levels as (
    select
        month_on, level, area_id, area_name, community_id, grid_id, households,
        count_complaints, count_repeats, count_failed_items, count_problems
    from monthly
    where level in ('community', 'grid')
    order by level, community_id, month_on, area_id
)

select * from upper_levels
