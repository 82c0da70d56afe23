-- 12345 hotline complaints, the latest version of each ticket, typed and keyed; one row per ticket
with

versions as not materialized (
    select * from raw.complaints
),

-- the latest version of each ticket by a hash aggregate over keys only (a window partitioned by the
-- ticket id sorts every row and is several times slower); (load, row) picks the row joined back
latest_keys as (
    select
        complaint_id,
        arg_max(
            {'load_id': _load_id, 'row': _row},
            {'has_period': _period is not null, 'period': _period, 'load_id': _load_id, 'row': _row}
        ) as picked,
        count(*) as count_versions
    from versions
    group by complaint_id
),

picked_keys as (
    select complaint_id, picked.load_id as _load_id, picked.row as _row, count_versions
    from latest_keys
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
    join picked_keys using (complaint_id, _load_id, _row)
)

select * from latest
