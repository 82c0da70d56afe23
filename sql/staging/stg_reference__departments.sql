-- Departments (reference data), the latest load of each; one row per department
with

versions as (
    select * from raw.departments
),

ranked as (
    select
        *,
        row_number() over (partition by department order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        department,
        full_name,
        id_prefix
    from ranked
    where version_rank = 1
)

select * from latest
