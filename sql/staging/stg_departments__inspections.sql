-- Departments' inspection visits, the latest version of each record, typed and keyed; one row per visit
with

versions as (
    select * from raw.inspections
),

-- the latest version of each record: the one with a period, the latest period, then the latest
-- load and row, picked as stg_hotline__complaints picks (a hash aggregate of one 128-bit number
-- ordered as that rule orders versions, instead of a window sorting every version), joined back
-- by its (load, row), which names one loaded row
periods as (
    select _period, row_number() over (order by _period) as period_rank
    from (select distinct _period from versions where _period is not null)
),

latest_keys as (
    select
        max(
            coalesce(case
                when _load_id not between 0 and 281474976710655
                    or _row not between 0 and 281474976710655
                then error('an inspection load id or row number is outside 0 .. 2^48 - 1')
            end, 0)::uhugeint
            | (coalesce(periods.period_rank, 0)::uhugeint << 96)
            | (_load_id::uhugeint << 48)
            | _row::uhugeint
        ) as picked
    from versions
    left join periods using (_period)
    group by department, inspection_id
),

ranked as (
    select versions.*
    from versions
    semi join latest_keys
        on ((latest_keys.picked >> 48) & 281474976710655::uhugeint)::bigint = versions._load_id
        and (latest_keys.picked & 281474976710655::uhugeint)::bigint = versions._row
),

latest as (
    select
        department || ':' || inspection_id as visit_id,
        inspection_id,
        department,
        inspected_on,
        community,
        community_id,
        address,
        subject,
        source_subject,
        result = '不合格' as is_failed,
        problem,
        inspector,
        joint_departments,
        _source as source,
        _load_id as load_id,
        _row as source_row
    from ranked
)

select * from latest
