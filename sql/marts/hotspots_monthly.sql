-- Where problems concentrate: complaints, repeats and failed inspection items by area, with the category mix; one row per month, level (community, grid, address) and area
with

tickets as (
    select * from complaint_tickets
),

visits as (
    select * from inspection_visits
),

checks as (
    select * from stg_supervisors__inspections
),

communities as (
    select * from stg_reference__communities
),

grids as (
    select * from stg_reference__grids
),

addresses as (
    select * from stg_reference__addresses
),

problem_types as (
    select level3, min(level1) as level1
    from stg_reference__problem_types
    group by level3
),

-- tickets counted per month, place and type first: the levels below then add up far fewer rows
complaint_events as (
    select
        received_month as month_on,
        community_id,
        grid_id,
        address_id,
        category_l1,
        problem_type,
        count(*) as count_complaints,
        count(*) filter (where is_repeat) as count_repeats,
        0 as count_failed_items
    from tickets
    group by all
),

failed_visit_events as (
    select
        visits.inspected_month as month_on,
        visits.community_id,
        visits.grid_id,
        visits.address_id,
        problem_types.level1 as category_l1,
        visits.problem_type,
        0 as count_complaints,
        0 as count_repeats,
        1 as count_failed_items
    from visits
    left join problem_types on problem_types.level3 = visits.problem_type
    where visits.is_failed
),

abnormal_check_events as (
    select
        date_trunc('month', checks.checked_on)::date as month_on,
        coalesce(checks.community_id, grids.community_id) as community_id,
        grids.grid_id,
        null::varchar as address_id,
        problem_types.level1 as category_l1,
        problem_types.level3 as problem_type,
        0 as count_complaints,
        0 as count_repeats,
        1 as count_failed_items
    from checks
    left join grids
        on grids.grid_id = checks.grid
        or (grids.grid_name = checks.grid
            and grids.community_id is not distinct from coalesce(checks.community_id, grids.community_id))
    left join problem_types on problem_types.level3 = checks.problem
    where checks.is_abnormal
),

events as (
    select * from complaint_events
    union all
    select * from failed_visit_events
    union all
    select * from abnormal_check_events
),

leveled as (
    select 'community' as level, community_id as area_id, * from events where community_id is not null
    union all
    select 'grid', grid_id, * from events where grid_id is not null
    union all
    select 'address', address_id, * from events where address_id is not null
),

by_category as (
    select
        month_on,
        level,
        area_id,
        category_l1,
        problem_type,
        sum(count_complaints)::bigint as count_complaints,
        sum(count_repeats)::bigint as count_repeats,
        sum(count_failed_items)::bigint as count_failed_items
    from leveled
    group by all
),

by_area as (
    select
        month_on,
        level,
        area_id,
        sum(count_complaints)::bigint as count_complaints,
        sum(count_repeats)::bigint as count_repeats,
        sum(count_failed_items)::bigint as count_failed_items,
        -- most problems first (`rank` = minus the count sorts first), then by category and type;
        -- sorting the finished list is cheaper than an ordered aggregate over many small areas
        list_sort(list(
            {
                'rank': -(count_complaints + count_failed_items),
                'category_l1': category_l1,
                'problem_type': problem_type,
                'count_complaints': count_complaints,
                'count_failed_items': count_failed_items
            }
        )) as category_mix
    from by_category
    group by all
),

address_households as (
    select
        community_id,
        grid_id,
        sum(household_count) over (partition by community_id)::bigint as community_households,
        sum(household_count) over (partition by grid_id)::bigint as grid_households
    from addresses
),

community_households as (
    select community_id, any_value(community_households) as households
    from address_households
    group by community_id
),

grid_households as (
    select grid_id, any_value(grid_households) as households
    from address_households
    group by grid_id
),

-- households from the reference row, else the sum over the area's known addresses
areas as (
    select
        'community' as level,
        communities.community_id as area_id,
        communities.community_name as area_name,
        communities.community_id,
        null::varchar as grid_id,
        coalesce(communities.household_count, community_households.households) as households
    from communities
    left join community_households using (community_id)
    union all
    select
        'grid',
        grids.grid_id,
        grids.grid_name,
        grids.community_id,
        grids.grid_id,
        coalesce(grids.household_count, grid_households.households)
    from grids
    left join grid_households using (grid_id)
    union all
    select 'address', address_id, address, community_id, grid_id, household_count
    from addresses
),

final as (
    select
        by_area.month_on,
        by_area.level,
        by_area.area_id,
        areas.area_name,
        coalesce(areas.community_id, case when by_area.level = 'community' then by_area.area_id end)
            as community_id,
        coalesce(areas.grid_id, case when by_area.level = 'grid' then by_area.area_id end)
            as grid_id,
        areas.households,
        by_area.count_complaints,
        by_area.count_repeats,
        by_area.count_failed_items,
        by_area.count_complaints + by_area.count_failed_items as count_problems,
        by_area.category_mix[1].category_l1 as top_category_l1,
        by_area.category_mix[1].problem_type as top_problem_type,
        by_area.category_mix
    from by_area
    left join areas
        on areas.level = by_area.level
        and areas.area_id = by_area.area_id
)

select * from final
