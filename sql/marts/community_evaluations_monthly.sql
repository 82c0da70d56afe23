-- Monthly residents' evaluation sums behind the weighted evaluation score; one row per month, community and evaluator type
-- warehouse/scores.py groups the evaluator types by its settings and divides the sums: a group's
-- mean score is sum_satisfaction_score / count_scored over its types and the period's months.
with

evaluations as (
    select * from stg_evaluations__resident_evaluations
),

monthly as (
    select
        date_trunc('month', evaluated_on)::date as month_on,
        community_id,
        evaluator_type,
        count(*) as count_evaluations,
        count(satisfaction_score) as count_scored,
        sum(satisfaction_score) as sum_satisfaction_score,
        max(evaluated_on) as latest_on
    from evaluations
    where evaluated_on is not null
    group by all
)

select * from monthly
