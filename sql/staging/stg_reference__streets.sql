-- Streets (reference data), the latest load of each; one row per street
with

versions as (
    select * from raw.streets
),

ranked as (
    select
        *,
        row_number() over (partition by street_id order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        street_id,
        street_name
    from ranked
    where version_rank = 1
)

select * from latest
