-- Known unit addresses (reference data), the latest load of each; one row per unit address
with

versions as (
    select * from raw.addresses
),

ranked as (
    select
        *,
        row_number() over (partition by address_id order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        address_id,
        community_id,
        grid_id,
        building,
        unit,
        address,
        household_count,
        lon,
        lat
    from ranked
    where version_rank = 1
)

select * from latest
