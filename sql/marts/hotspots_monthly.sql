-- Where problems concentrate: complaints, repeats and failed inspection items by area, with the top problem; one row per month, level (community, grid) and area
-- Addresses are counted on demand from the tickets and visits (warehouse/hotspots.py), their
-- names and households from hotspot_addresses.
with

by_category as (
    select * from hotspots_category_monthly
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

-- the (category, type) pairs in sort order (nulls last): few, so each is a small number below
pairs as (
    select
        category_l1,
        problem_type,
        row_number() over (order by category_l1 nulls last, problem_type nulls last) as pair_rank
    from (select distinct category_l1, problem_type from by_category)
),

-- the area's top problem: most problems first, then by category and type (nulls last), as one
-- integer (problems in the high bits, the pair's rank reversed in the low 32) whose max is a
-- fast hash aggregate; the mix itself is hotspots_category_monthly, which the dashboard reads
by_area as (
    select
        month_on,
        level,
        area_id,
        sum(count_complaints)::bigint as count_complaints,
        sum(count_repeats)::bigint as count_repeats,
        sum(count_failed_items)::bigint as count_failed_items,
        max(
            (count_complaints + count_failed_items)::hugeint * 4294967296
            + (4294967295 - pairs.pair_rank)
        ) as top_key
    from by_category
    join pairs
        on pairs.category_l1 is not distinct from by_category.category_l1
        and pairs.problem_type is not distinct from by_category.problem_type
    group by month_on, level, area_id
),

top_pairs as (
    select
        by_area.* exclude (top_key),
        pairs.category_l1 as top_category_l1,
        pairs.problem_type as top_problem_type
    from by_area
    join pairs on pairs.pair_rank = 4294967295 - by_area.top_key % 4294967296
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
        by_area.top_category_l1,
        by_area.top_problem_type
    from top_pairs as by_area
    left join areas
        on areas.level = by_area.level
        and areas.area_id = by_area.area_id
),

-- stored level by level with one community's areas together: the dashboard's reads filter on the
-- level and often on one community and skip the other row groups (incremental builds keep it so)
stored as (
    select * from final
    order by level, community_id, month_on, area_id
)

select * from stored
