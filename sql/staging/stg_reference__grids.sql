-- Grids with their GeoJSON polygons (reference data), merged from the grid list and the shapes file; one row per grid
with

versions as (
    select * from raw.grids
),

-- the grid list (counts) and the shapes file (geometry) arrive as separate loads of the same grids:
-- each field comes from the latest load that carries it
merged as (
    select
        grid_id,
        arg_max(community_id, _load_id) filter (where community_id is not null) as community_id,
        arg_max(grid_name, _load_id) filter (where grid_name is not null) as grid_name,
        arg_max(building_count, _load_id) filter (where building_count is not null)
            as building_count,
        arg_max(household_count, _load_id) filter (where household_count is not null)
            as household_count,
        arg_max(geometry, _load_id) filter (where geometry is not null) as geometry
    from versions
    group by grid_id
)

select * from merged
