-- Rectification ledger cases, the latest version of each case round, typed; one row per case round
with

versions as (
    select * from raw.rectification_cases
),

-- the latest version of each case round: the one with a period, the latest period, then the latest
-- load and row, picked as stg_hotline__complaints picks (a hash aggregate of one 128-bit number
-- ordered as that rule orders versions, instead of a window sorting every version), joined back
-- by its (load, row), which names one loaded row
periods as (
    select _period, row_number() over (order by _period) as period_rank
    from (select distinct _period from versions where _period is not null)
),

latest_keys as (
    select
        max(
            coalesce(case
                when _load_id not between 0 and 281474976710655
                    or _row not between 0 and 281474976710655
                then error('a case load id or row number is outside 0 .. 2^48 - 1')
            end, 0)::uhugeint
            | (coalesce(periods.period_rank, 0)::uhugeint << 96)
            | (_load_id::uhugeint << 48)
            | _row::uhugeint
        ) as picked
    from versions
    left join periods using (_period)
    group by case_id, round
),

ranked as (
    select versions.*
    from versions
    semi join latest_keys
        on ((latest_keys.picked >> 48) & 281474976710655::uhugeint)::bigint = versions._load_id
        and (latest_keys.picked & 281474976710655::uhugeint)::bigint = versions._row
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
