-- Residents' evaluations, latest version of each evaluation; one row per evaluation
with

versions as (
    select * from raw.resident_evaluations
),

ranked as (
    select
        *,
        row_number() over (
            partition by evaluation_id order by _period desc nulls last, _load_id desc, _row desc
        ) as version_rank
    from versions
),

latest as (
    select
        evaluation_id,
        evaluated_on,
        community,
        community_id,
        evaluator_type,
        satisfaction_score,
        knows_results,
        took_part,
        comment,
        _source as source,
        _load_id as load_id,
        _row as source_row
    from ranked
    where version_rank = 1
)

select * from latest
