-- Unit addresses as hotspot areas: name, community, grid and households; one row per address
-- warehouse/hotspots.py counts an address's problems from the tickets and visits on demand (a
-- drill-down asks for one grid's addresses) and takes their names and households from here,
-- ordered so that one grid's addresses sit together.
with

addresses as (
    select * from stg_reference__addresses
),

areas as (
    select
        address_id as area_id,
        address as area_name,
        community_id,
        grid_id,
        household_count::bigint as households
    from addresses
    order by community_id, grid_id, area_id
)

select * from areas
