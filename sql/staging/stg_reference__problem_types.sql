-- The unified problem taxonomy (reference data), the latest load of each; one row per level-3 problem type
with

versions as (
    select * from raw.problem_types
),

ranked as (
    select
        *,
        row_number() over (partition by problem_type_id order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        problem_type_id,
        level1,
        level2,
        level3,
        default_department,
        coalesce(is_environment, false) as is_environment
    from ranked
    where version_rank = 1
)

select * from latest
