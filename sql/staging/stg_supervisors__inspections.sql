-- Community supervisors' random inspections, latest version of each check; one row per check
with

versions as (
    select * from raw.supervisor_inspections
),

ranked as (
    select
        *,
        row_number() over (
            partition by check_id order by _period desc nulls last, _load_id desc, _row desc
        ) as version_rank
    from versions
),

latest as (
    select
        check_id,
        checked_at,
        cast(checked_at as date) as checked_on,
        supervisor_id,
        supervisor,
        community,
        community_id,
        grid,
        subject,
        result = '异常' as is_abnormal,
        problem,
        is_fed_back,
        _source as source,
        _load_id as load_id,
        _row as source_row
    from ranked
    where version_rank = 1
)

select * from latest
