-- Complaints resolved to a known address, grid and community where the address allows; one row per complaint
with

complaints as (
    select * from stg_hotline__complaints
),

community_names as (
    select * from int_community_names
),

addresses as (
    select * from stg_reference__addresses
),

parsed as (
    select
        complaints.*,
        regexp_extract(
            regexp_replace(address_text, '^.*街道', ''),
            '^(.+?)(\d+)(?:幢|号楼|栋|座|号)(\d+)单元',
            ['place', 'building', 'unit']
        ) as parts
    from complaints
),

resolved as (
    select
        parsed.* exclude (parts),
        addresses.address_id,
        addresses.grid_id,
        coalesce(addresses.community_id, parsed.community_id, place.community_id) as resolved_community_id
    from parsed
    left join community_names as place
        on place.name = nullif(parsed.parts.place, '')
    left join addresses
        on addresses.community_id = place.community_id
        and addresses.building = parsed.parts.building
        and addresses.unit = parsed.parts.unit
),

keyed as (
    select
        * exclude (community_id, resolved_community_id),
        resolved_community_id as community_id,
        address_id is not null as is_address_resolved,
        coalesce(address_id, address_text) as location_key
    from resolved
)

select * from keyed
