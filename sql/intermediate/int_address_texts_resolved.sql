-- Address texts from complaints and inspections resolved to a known address, grid and community where the text allows; one row per distinct address text
-- config: materialized=table (kept per text, so an incremental build resolves only new texts)
with

complaints as (
    select * from stg_hotline__complaints
),

visits as (
    select * from stg_departments__inspections
),

community_names as (
    select * from int_community_names
),

addresses as (
    select * from stg_reference__addresses
),

-- callers and inspectors repeat the same addresses: normalise (as stg_hotline__complaints.address_text
-- does) and resolve each distinct text once; the tickets and visits then join the few resolved rows.
-- A text normalises to nothing exactly when every character is white space to the pattern (\s) or
-- to trim (the Unicode space separators, \p{Zs}; checked over every code point): that cheap match
-- is the filter, as a filter on the normalised text is pushed into the scan of every loaded ticket
-- version, running the replacement on each row instead of once per distinct text. The replacements
-- run only on the texts they can change (most have no white space, three in four no 街道): a match
-- or a substring test is cheaper than a replacement that copies the text
addresses_called as (
    select address from complaints where address is not null
    union
    select address from visits where address is not null
),

texts as (
    select
        address,
        trim(case
            when regexp_matches(address, '\s') then regexp_replace(address, '\s+', ' ', 'g')
            else address
        end) as address_text
    from addresses_called
    where regexp_matches(address, '[^\s\p{Zs}]')
),

local as (
    select
        address,
        address_text,
        case
            when contains(address_text, '街道') then regexp_replace(address_text, '^.*街道', '')
            else address_text
        end as local_text
    from texts
),

parsed as materialized (
    select
        local.*,
        regexp_extract(
            local_text, '^(.+?)(\d+)(?:幢|号楼|栋|座|号)(\d+)单元', ['place', 'building', 'unit']
        ) as parts
    from local
),

-- an address with no building and unit ("文堤公寓门口") still names its community by its start, the
-- longest name it starts with. A text starts with a name when its prefix of the name's length is
-- the name: one hash join per distinct name length (a few), not a nested loop over every name
name_lengths as (
    select distinct length(name) as name_length from community_names
),

named_by_prefix as (
    select
        parsed.address,
        arg_max(community_names.community_id, name_lengths.name_length) as community_id
    from parsed
    cross join name_lengths
    join community_names
        on community_names.name = left(parsed.local_text, name_lengths.name_length)
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
)

select * from resolved_texts
