-- 12345 hotline complaints, the latest version of each ticket, typed and keyed; one row per ticket
with

versions as not materialized (
    select * from raw.complaints
),

typed_versions as (
    select * from stg_hotline__complaint_versions
),

-- the latest version of each ticket: the one with a period, the latest period, then the latest
-- load and row, as the max of a 128-bit key ordered as that rule orders versions (a hash aggregate
-- over keys only; the macros are in warehouse/versions.py). The (load, row) it picks names one
-- loaded row, so the two integers are the whole join key back to the versions
periods as (
    select _period, row_number() over (order by _period) as period_rank
    from (select distinct _period from versions where _period is not null)
),

latest_keys as (
    select
        complaint_id,
        max(version_key(periods.period_rank, _load_id, _row)) as picked,
        count(*) as count_versions
    from versions
    left join periods using (_period)
    group by complaint_id
),

picked_keys as (
    select
        version_load_id(picked) as load_id,
        version_row(picked) as source_row,
        count_versions
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
        on picked_keys.load_id = typed_versions.load_id
        and picked_keys.source_row = typed_versions.source_row
)

select * from latest
