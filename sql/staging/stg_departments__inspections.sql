-- Departments' inspection visits, the latest version of each record, typed and keyed; one row per visit
with

versions as (
    select * from raw.inspections
),

ranked as (
    select
        *,
        row_number() over (
            partition by department, inspection_id
            order by _period desc nulls last, _load_id desc, _row desc
        ) as version_rank
    from versions
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
    where version_rank = 1
)

select * from latest
