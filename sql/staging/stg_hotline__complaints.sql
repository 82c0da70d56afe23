-- 12345 hotline complaints, the latest version of each ticket, typed and keyed; one row per ticket
with

versions as not materialized (
    select * from raw.complaints
),

typed_versions as (
    select * from stg_hotline__complaint_versions
),

-- the latest version of each ticket: the one with a period, the latest period, then the latest
-- load and row. A hash aggregate over keys only (a window partitioned by the ticket id sorts every
-- row and is several times slower), of one 128-bit number ordered as that rule orders versions:
-- the period's rank in bits 96-127, the load in bits 48-95, the row in bits 0-47 (a max of it is
-- much faster than an arg_max over structs); the (load, row) it picks is joined back
periods as (
    select _period, row_number() over (order by _period) as period_rank
    from (select distinct _period from versions where _period is not null)
),

latest_keys as (
    select
        complaint_id,
        max(
            coalesce(case
                when _load_id not between 0 and 281474976710655
                    or _row not between 0 and 281474976710655
                then error('a complaint load id or row number is outside 0 .. 2^48 - 1')
            end, 0)::uhugeint
            | (coalesce(periods.period_rank, 0)::uhugeint << 96)
            | (_load_id::uhugeint << 48)
            | _row::uhugeint
        ) as picked,
        count(*) as count_versions
    from versions
    left join periods using (_period)
    group by complaint_id
),

picked_keys as (
    select
        complaint_id,
        ((picked >> 48) & 281474976710655::uhugeint)::bigint as load_id,
        (picked & 281474976710655::uhugeint)::bigint as source_row,
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
        on picked_keys.complaint_id = typed_versions.complaint_id
        and picked_keys.load_id = typed_versions.load_id
        and picked_keys.source_row = typed_versions.source_row
)

select * from latest
