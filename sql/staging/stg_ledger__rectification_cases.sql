-- Rectification ledger cases, the latest version of each case round, typed; one row per case round
with

versions as (
    select * from raw.rectification_cases
),

-- the latest version of each case round: the one with a period, the latest period, then the latest
-- load and row, picked as stg_hotline__complaints picks (the max of a 128-bit version key, macros in
-- warehouse/versions.py), then the row of the (load, row) it names
periods as (
    select _period, row_number() over (order by _period) as period_rank
    from (select distinct _period from versions where _period is not null)
),

latest_keys as (
    select max(version_key(periods.period_rank, _load_id, _row)) as picked
    from versions
    left join periods using (_period)
    group by case_id, round
),

ranked as (
    select versions.*
    from versions
    semi join latest_keys
        on version_load_id(latest_keys.picked) = versions._load_id
        and version_row(latest_keys.picked) = versions._row
),

latest as (
    select
        case_id || '#' || round as case_round_id,
        case_id,
        round,
        found_by,
        source_ref,
        community,
        community_id,
        grid,
        address,
        problem_type,
        description,
        responsible_unit,
        responsible_unit_type,
        found_at,
        noticed_at,
        deadline_on,
        reported_at,
        verified_at as completed_at,
        evaluated_at,
        satisfaction_pct,
        status,
        remark,
        _source as source,
        _load_id as load_id,
        _row as source_row
    from ranked
)

select * from latest
