-- Departments' inspection visits, the latest version of each record, typed and keyed; one row per visit
with

versions as (
    select * from raw.inspections
),

-- the latest version of each record: the one with a period, the latest period, then the latest
-- load and row, picked as stg_hotline__complaints picks (the max of a 128-bit version key, macros in
-- warehouse/versions.py), then the row of the (load, row) it names
periods as (
    select _period, row_number() over (order by _period) as period_rank
    from (select distinct _period from versions where _period is not null)
),

latest_keys as (
    select max(version_key(periods.period_rank, _load_id, _row)) as picked
    from versions
    left join periods using (_period)
    group by department, inspection_id
),

ranked as (
    select versions.*
    from versions
    semi join latest_keys
        on version_load_id(latest_keys.picked) = versions._load_id
        and version_row(latest_keys.picked) = versions._row
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
