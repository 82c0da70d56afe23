-- 12345 hotline complaints as loaded, every version of each ticket, typed and keyed; one row per loaded row
with

versions as (
    select * from raw.complaints
),

typed as (
    select
        complaint_id,
        received_at,
        cast(received_at as date) as received_on,
        channel,
        caller_name,
        caller_phone,
        address,
        nullif(trim(regexp_replace(address, '\s+', ' ', 'g')), '') as address_text,
        community,
        community_id,
        category_l1,
        category_l2,
        category_l3,
        coalesce(category_l3, category_l2, category_l1) as problem_type,
        description,
        department,
        status,
        first_response_at,
        closed_at,
        satisfaction,
        _source as source,
        _load_id as load_id,
        _row as source_row
    from versions
)

select * from typed
