-- Complaints resolved to a known address, grid and community where the address allows; one row per complaint
-- config: materialized=table (kept per ticket, narrow, so an incremental build resolves only new tickets)
with

-- only what is kept below: the wide text stays out
complaints as (
    select
        complaint_id, load_id, source_row, received_at, received_on, problem_type, caller_name,
        caller_phone, address, community_id
    from stg_hotline__complaints
),

-- each distinct address text resolved once (int_address_texts_resolved)
resolved_texts as (
    select * from int_address_texts_resolved
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
