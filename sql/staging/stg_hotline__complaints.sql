-- 12345 hotline complaints, the latest version of each ticket, typed and keyed; one row per ticket
with

versions as (
    select * from raw.complaints
),

-- the window sorts only keys (sorting whole wide rows is slow); the latest row is joined back
ranked as (
    select
        complaint_id,
        _load_id,
        _row,
        row_number() over (
            partition by complaint_id
            order by _period desc nulls last, _load_id desc, _row desc
        ) as version_rank,
        count(*) over (partition by complaint_id) as count_versions
    from versions
),

latest_keys as (
    select complaint_id, _load_id, _row, count_versions
    from ranked
    where version_rank = 1
),

latest as (
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
        count_versions,
        _source as source,
        _load_id as load_id,
        _row as source_row
    from versions
    join latest_keys using (complaint_id, _load_id, _row)
)

select * from latest
