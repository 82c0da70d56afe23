-- Communities with their name variants (reference data), the latest load of each; one row per community
with

versions as (
    select * from raw.communities
),

ranked as (
    select
        *,
        row_number() over (partition by community_id order by _load_id desc, _row desc) as version_rank
    from versions
),

latest as (
    select
        community_id,
        street_id,
        community_name,
        short_name,
        aliases,
        kind,
        coalesce(is_pilot, false) as is_pilot,
        property_company,
        grid_count,
        household_count,
        lon,
        lat
    from ranked
    where version_rank = 1
)

select * from latest
