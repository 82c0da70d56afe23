-- 12345 hotline complaints, the latest version of each ticket, typed and keyed; one row per ticket
with

versions as not materialized (
    select * from raw.complaints
),

typed_versions as (
    select * from stg_hotline__complaint_versions
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
    select complaint_id, picked.load_id as load_id, picked.row as source_row, count_versions
    from latest_keys
),

latest as (
    select
        typed_versions.* exclude (source, load_id, source_row),
        picked_keys.count_versions,
        typed_versions.source,
        typed_versions.load_id,
        typed_versions.source_row
    from typed_versions
    join picked_keys
        on picked_keys.complaint_id = typed_versions.complaint_id
        and picked_keys.load_id = typed_versions.load_id
        and picked_keys.source_row = typed_versions.source_row
)

select * from latest
