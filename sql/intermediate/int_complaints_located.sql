-- Complaints resolved to a known address, grid and community where the address allows; one row per complaint
-- config: materialized=table (kept per ticket, so an incremental build resolves only new tickets)
with

complaints as (
    select * from stg_hotline__complaints
),

-- each distinct address text resolved once (int_address_texts_resolved)
resolved_texts as (
    select * from int_address_texts_resolved
),

keyed as (
    select
        complaints.* exclude (community_id) replace (resolved_texts.address_text as address_text),
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
