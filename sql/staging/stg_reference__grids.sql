-- Grids with their GeoJSON polygons (reference data), the latest load of each; one row per grid
with

versions as (
    select * from raw.grids
),

ranked as (
    select
        *,
        row_number() over (partition by grid_id order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        grid_id,
        community_id,
        grid_name,
        building_count,
        household_count,
        geometry
    from ranked
    where version_rank = 1
)

select * from latest
