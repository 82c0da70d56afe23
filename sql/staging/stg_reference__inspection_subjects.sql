-- The unified inspection subjects (reference data), the latest load of each; one row per unified subject
with

versions as (
    select * from raw.inspection_subjects
),

ranked as (
    select
        *,
        row_number() over (partition by subject_id order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        subject_id,
        subject_name,
        problem_types,
        departments
    from ranked
    where version_rank = 1
)

select * from latest
