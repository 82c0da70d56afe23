-- Complaints resolved to a known address, grid and community where the address allows; one row per complaint
-- config: materialized=table (kept per ticket, so an incremental build resolves only new tickets)
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

local as (
    select
        complaints.*,
        regexp_replace(address_text, '^.*街道', '') as local_text
    from complaints
),

parsed as (
    select
        local.*,
        regexp_extract(
            local_text, '^(.+?)(\d+)(?:幢|号楼|栋|座|号)(\d+)单元', ['place', 'building', 'unit']
        ) as parts
    from local
),

-- an address with no building and unit ("文堤公寓门口") still names its community by its start
named_by_prefix as (
    select
        parsed.complaint_id,
        arg_max(community_names.community_id, length(community_names.name)) as community_id
    from parsed
    join community_names on starts_with(parsed.local_text, community_names.name)
    where parsed.parts.place = '' and parsed.community_id is null
    group by parsed.complaint_id
),

resolved as (
    select
        parsed.* exclude (parts),
        addresses.address_id,
        addresses.grid_id,
        coalesce(
            addresses.community_id,
            parsed.community_id,
            place.community_id,
            named_by_prefix.community_id
        ) as resolved_community_id
    from parsed
    left join community_names as place
        on place.name = nullif(parsed.parts.place, '')
    left join named_by_prefix
        on named_by_prefix.complaint_id = parsed.complaint_id
    left join addresses
        on addresses.community_id = place.community_id
        and addresses.building = parsed.parts.building
        and addresses.unit = parsed.parts.unit
),

keyed as (
    select
        * exclude (community_id, resolved_community_id, local_text),
        resolved_community_id as community_id,
        address_id is not null as is_address_resolved,
        coalesce(address_id, address_text) as location_key
    from resolved
)

select * from keyed
