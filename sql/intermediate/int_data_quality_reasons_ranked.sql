-- Quarantine reasons of the files currently loaded, counted and ranked per source; one row per source and rule
with

quarantined as (
    select * from stg_ingest__quarantined_rows
),

loads as (
    select * from stg_ingest__loads
),

current_rows as (
    select quarantined.*
    from quarantined
    inner join loads on quarantined.load_id = loads.load_id
    where loads.is_current
),

counted as (
    select
        source,
        rule,
        count(*) as count_rows
    from current_rows
    group by all
),

ranked as (
    select
        *,
        row_number() over (partition by source order by count_rows desc, rule) as reason_rank
    from counted
)

select * from ranked
