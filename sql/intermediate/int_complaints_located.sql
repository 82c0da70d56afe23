-- Complaints resolved to a known address, grid and community where the address allows; one row per complaint
-- config: materialized=table (kept per ticket, narrow, so an incremental build resolves only new tickets)
with

-- only what is kept below: this is read twice, so it is materialized, and the wide text stays out
complaints as (
    select
        complaint_id, load_id, source_row, received_at, received_on, problem_type, caller_name,
        caller_phone, address, community_id
    from stg_hotline__complaints
),

community_names as (
    select * from int_community_names
),

addresses as (
    select * from stg_reference__addresses
),

-- callers repeat the same addresses: normalise (as stg_hotline__complaints.address_text does) and
-- resolve each distinct address once, then join the tickets to the few resolved rows
addresses_called as (
    select distinct address
    from complaints
    where address is not null
),

texts as (
    select address, nullif(trim(regexp_replace(address, '\s+', ' ', 'g')), '') as address_text
    from addresses_called
),

local as (
    select
        address,
        address_text,
        regexp_replace(address_text, '^.*街道', '') as local_text
    from texts
    where address_text is not null
),

parsed as materialized (
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
        parsed.address,
        arg_max(community_names.community_id, length(community_names.name)) as community_id
    from parsed
    join community_names on starts_with(parsed.local_text, community_names.name)
    where parsed.parts.place = ''
    group by parsed.address
),

resolved_texts as (
    select
        parsed.address,
        parsed.address_text,
        addresses.address_id,
        addresses.grid_id,
        coalesce(addresses.community_id, place.community_id) as place_community_id,
        named_by_prefix.community_id as prefix_community_id
    from parsed
    left join community_names as place
        on place.name = nullif(parsed.parts.place, '')
    left join addresses
        on addresses.community_id = place.community_id
        and addresses.building = parsed.parts.building
        and addresses.unit = parsed.parts.unit
    left join named_by_prefix
        on named_by_prefix.address = parsed.address
),

-- narrow: the keys of the version picked, what the repeat chains and timings need, and the callers
-- (for the access layer's drill-down); complaint_tickets joins the picked version's other columns
-- from stg_hotline__complaint_versions, so the wide text is written once, there
keyed as (
    select
        complaints.complaint_id,
        complaints.load_id,
        complaints.source_row,
        complaints.received_at,
        complaints.received_on,
        complaints.problem_type,
        complaints.caller_name,
        complaints.caller_phone,
        resolved_texts.address_id,
        resolved_texts.grid_id,
        coalesce(
            case when resolved_texts.address_id is not null then resolved_texts.place_community_id end,
            complaints.community_id,
            resolved_texts.place_community_id,
            resolved_texts.prefix_community_id
        ) as community_id,
        resolved_texts.address_id is not null as is_address_resolved,
        coalesce(resolved_texts.address_id, resolved_texts.address_text) as location_key
    from complaints
    left join resolved_texts
        on resolved_texts.address = complaints.address
)

select * from keyed
