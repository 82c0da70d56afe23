-- The indicator catalogue with thresholds (reference data), the latest load of each; one row per indicator
with

versions as (
    select * from raw.indicators
),

ranked as (
    select
        *,
        row_number() over (partition by indicator_id order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        indicator_id,
        category,
        indicator_name,
        unit,
        comparator,
        threshold,
        threshold_source,
        coalesce(editable, false) as editable
    from ranked
    where version_rank = 1
)

select * from latest
