-- The configured sources with their dataset, department and expected cadence; one row per source
with

sources as (
    select * from raw.sources
),

renamed as (
    select
        source,
        dataset,
        department,
        cadence,
        is_reference,
        description
    from sources
)

select * from renamed
