-- Rectification ledger cases, the latest version of each case round, typed; one row per case round
with

versions as (
    select * from raw.rectification_cases
),

ranked as (
    select
        *,
        row_number() over (
            partition by case_id, round
            order by _period desc nulls last, _load_id desc, _row desc
        ) as version_rank
    from versions
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
    where version_rank = 1
)

select * from latest
