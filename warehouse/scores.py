"""The weighted evaluation score of each community and the red/black list (红黑榜).

The formula (docs/metrics.md; weights in warehouse/settings.yaml, `evaluation:` and `ranking:`):

    satisfaction = weighted mean of the evaluators' mean scores / 100, weights residents 0.4,
                   superior 0.3, third party 0.3 (over the evaluators present)
    outcome      = mean of satisfaction, solving_rate, lasting_rate (over the parts present)
    process      = mean of feedback_rate, on_time_rate, response_rate, compliance_share (likewise)
    score        = 100 * (0.6 * outcome + 0.4 * process); none when outcome or process is missing

Every part is a ratio in [0, 1] for the period (see SOURCE_PARTS_SQL for each one's definition).
Whole-month periods read the same parts from the monthly marts community_score_parts and
community_evaluations_monthly (MART_PARTS_SQL) when those give identical figures.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from warehouse.connection import fetch_frame, fetch_one
from warehouse.metrics import Period, month_bounds
from warehouse.settings import Settings, load_settings

# the score from per-community parts (the CTEs communities, evaluators, due, watched, found,
# responded and complied that each parts SQL below defines; community_ids is defined here)
SCORING_SQL = """
-- every community with any part (from the CTEs both parts SQLs define)
community_ids as (
    select community_id from communities
    union select community_id from evaluators
    union select community_id from due
    union select community_id from watched
    union select community_id from found
    union select community_id from responded
    union select community_id from complied
),

parts as (
    select
        community_ids.community_id,
        communities.community_name,
        evaluators.residents_score,
        evaluators.superior_score,
        evaluators.third_party_score,
        due.solving_rate,
        watched.lasting_rate,
        found.feedback_rate,
        due.on_time_rate,
        responded.response_rate,
        complied.compliance_share,
        coalesce(evaluators.count_evaluations, 0) + coalesce(due.count_cases_due, 0) as volume
    from community_ids
    left join communities on communities.community_id = community_ids.community_id
    left join evaluators on evaluators.community_id = community_ids.community_id
    left join due on due.community_id = community_ids.community_id
    left join watched on watched.community_id = community_ids.community_id
    left join found on found.community_id = community_ids.community_id
    left join responded on responded.community_id = community_ids.community_id
    left join complied on complied.community_id = community_ids.community_id
    where community_ids.community_id is not null
        and ($community::varchar is null or community_ids.community_id = $community)
),

satisfied as (
    select
        *,
        (coalesce($w_residents * residents_score, 0)
            + coalesce($w_superior * superior_score, 0)
            + coalesce($w_third_party * third_party_score, 0))
        / nullif(
            case when residents_score is not null then $w_residents else 0 end
            + case when superior_score is not null then $w_superior else 0 end
            + case when third_party_score is not null then $w_third_party else 0 end,
            0
        ) as satisfaction
    from parts
),

grouped as (
    select
        *,
        list_avg(list_filter([satisfaction, solving_rate, lasting_rate], lambda x: x is not null))
            as outcome,
        list_avg(list_filter(
            [feedback_rate, on_time_rate, response_rate, compliance_share],
            lambda x: x is not null
        )) as process,
        len(list_filter(
            [satisfaction, solving_rate, lasting_rate, feedback_rate, on_time_rate,
             response_rate, compliance_share],
            lambda x: x is not null
        )) as count_parts
    from satisfied
),

scored as (
    select
        *,
        100 * ($w_outcome * outcome + $w_process * process) as score
    from grouped
),

rankable as (
    select *, score is not null and volume >= $min_volume as is_rankable
    from scored
),

ranked as (
    select
        community_id, community_name, residents_score, superior_score, third_party_score,
        satisfaction, solving_rate, lasting_rate, outcome, feedback_rate, on_time_rate,
        response_rate, compliance_share, process, count_parts, score, volume, is_rankable,
        case when is_rankable then rank() over (partition by is_rankable order by score desc) end
            as rank
    from rankable
)

select * from ranked
order by rank nulls last, score desc nulls last, community_id
"""

# the parts from the ticket-level tables: any period and any as_of
SOURCE_PARTS_SQL = """
with

communities as (
    select * from stg_reference__communities
),

evaluations as (
    select * from stg_evaluations__resident_evaluations
    where evaluated_on between $date_from and $date_to and evaluated_on <= cast($as_of as date)
),

cases as (
    select * from rectification_cases
),

tickets as (
    select * from complaint_tickets
    where received_on between $date_from and $date_to and received_at <= $as_of
),

compliance as (
    select * from indicator_compliance
    where month_on between date_trunc('month', $date_from::date) and $date_to
        and is_compliant is not null
),

settings as (
    select * from build_settings
),

-- each evaluator group's mean satisfaction score (0-100) as a ratio
evaluators as (
    select
        community_id,
        avg(satisfaction_score) filter (where list_contains($residents_types, evaluator_type))
            / 100 as residents_score,
        avg(satisfaction_score) filter (where list_contains($superior_types, evaluator_type))
            / 100 as superior_score,
        avg(satisfaction_score) filter (where list_contains($third_party_types, evaluator_type))
            / 100 as third_party_score,
        count(*) filter (
            where list_contains($residents_types || $superior_types || $third_party_types,
                                evaluator_type)
        ) as count_evaluations
    from evaluations
    group by community_id
),

-- case rounds whose rectification deadline fell in the period (and by as_of)
due as (
    select
        community_id,
        count(*) as count_cases_due,
        avg(case when is_completed and completed_at <= $as_of then 1.0 else 0.0 end)
            as solving_rate,
        avg(case when is_completed_on_time and completed_at <= $as_of then 1.0 else 0.0 end)
            as on_time_rate
    from cases
    where rectification_deadline_on between $date_from and $date_to
        and rectification_deadline_on <= cast($as_of as date)
    group by community_id
),

-- completed case rounds whose recurrence watch (90 days) ended in the period (and by as_of)
watched as (
    select
        cases.community_id,
        1 - avg(case when is_recurred then 1.0 else 0.0 end) as lasting_rate
    from cases
    cross join settings
    where is_completed
        and cast(completed_at + to_days(settings.recurrence_days) as date)
            between $date_from and $date_to
        and completed_at + to_days(settings.recurrence_days) <= $as_of
    group by cases.community_id
),

-- first-round cases found in the period, noticed within 24 h
found as (
    select
        community_id,
        avg(case when is_noticed_within_24h and noticed_at <= $as_of then 1.0 else 0.0 end)
            as feedback_rate
    from cases
    where round = 1
        and cast(found_at as date) between $date_from and $date_to
        and found_at <= $as_of
    group by community_id
),

responded as (
    select
        community_id,
        avg(case when is_responded_within_24h and first_response_at <= $as_of then 1.0 else 0.0 end)
            as response_rate
    from tickets
    group by community_id
),

complied as (
    select community_id, avg(case when is_compliant then 1.0 else 0.0 end) as compliance_share
    from compliance
    group by community_id
),

"""

# the parts from the monthly marts community_score_parts and community_evaluations_monthly:
# whole months only, and an as_of at or after the rows' latest moment (see `_marts_apply`)
MART_PARTS_SQL = """
with

communities as (
    select * from stg_reference__communities
),

months as (
    select * from community_score_parts
    where month_on between date_trunc('month', $date_from::date) and $date_to
),

evaluation_months as (
    select * from community_evaluations_monthly
    where month_on between date_trunc('month', $date_from::date) and $date_to
),

evaluators as (
    select
        community_id,
        sum(sum_satisfaction_score) filter (where list_contains($residents_types, evaluator_type))
            / nullif(sum(count_scored) filter (
                where list_contains($residents_types, evaluator_type)), 0)
            / 100 as residents_score,
        sum(sum_satisfaction_score) filter (where list_contains($superior_types, evaluator_type))
            / nullif(sum(count_scored) filter (
                where list_contains($superior_types, evaluator_type)), 0)
            / 100 as superior_score,
        sum(sum_satisfaction_score) filter (
            where list_contains($third_party_types, evaluator_type))
            / nullif(sum(count_scored) filter (
                where list_contains($third_party_types, evaluator_type)), 0)
            / 100 as third_party_score,
        coalesce(sum(count_evaluations) filter (
            where list_contains($residents_types || $superior_types || $third_party_types,
                                evaluator_type)
        ), 0)::bigint as count_evaluations
    from evaluation_months
    group by community_id
),

sums as (
    select
        community_id,
        sum(count_cases_due)::bigint as count_cases_due,
        sum(count_cases_solved) as count_cases_solved,
        sum(count_cases_on_time) as count_cases_on_time,
        sum(count_watched) as count_watched,
        sum(count_recurred) as count_recurred,
        sum(count_found) as count_found,
        sum(count_noticed_24h) as count_noticed_24h,
        sum(count_tickets) as count_tickets,
        sum(count_responded_24h) as count_responded_24h,
        sum(count_compliance_measured) as count_compliance_measured,
        sum(count_compliant) as count_compliant
    from months
    group by community_id
),

due as (
    select
        community_id,
        count_cases_due,
        count_cases_solved / count_cases_due as solving_rate,
        count_cases_on_time / count_cases_due as on_time_rate
    from sums where count_cases_due > 0
),

watched as (
    select community_id, 1 - count_recurred / count_watched as lasting_rate
    from sums where count_watched > 0
),

found as (
    select community_id, count_noticed_24h / count_found as feedback_rate
    from sums where count_found > 0
),

responded as (
    select community_id, count_responded_24h / count_tickets as response_rate
    from sums where count_tickets > 0
),

complied as (
    select community_id, count_compliant / count_compliance_measured as compliance_share
    from sums where count_compliance_measured > 0
),

"""

# the latest moment the period's mart rows looked at (null when the period has none)
MART_LATEST_SQL = """
select greatest(
    (select max(latest_at) from community_score_parts
     where month_on between date_trunc('month', $date_from::date) and $date_to),
    (select max(latest_on)::timestamp from community_evaluations_monthly
     where month_on between date_trunc('month', $date_from::date) and $date_to)
)
"""

EVALUATION_SQL = SOURCE_PARTS_SQL + SCORING_SQL
MART_EVALUATION_SQL = MART_PARTS_SQL + SCORING_SQL


def _whole_months(period: Period) -> bool:
    """Whether the period runs from a month's first day to a month's last day."""
    return (
        period.date_from.day == 1
        and period.date_to == month_bounds(period.date_to)[1]
        and period.date_from <= period.date_to
    )


def marts_apply(con: duckdb.DuckDBPyConnection, period: Period) -> bool:
    """Whether the monthly marts give the period's scores exactly: whole months, the marts
    built, and every moment their rows for those months looked at no later than as_of."""
    if not _whole_months(period):
        return False
    params: dict[str, object] = {"date_from": period.date_from, "date_to": period.date_to}
    try:
        row = fetch_one(con, MART_LATEST_SQL, params)
    except duckdb.CatalogException:  # a warehouse built before the marts existed
        return False
    latest = row[0] if row else None
    return latest is None or (isinstance(latest, datetime) and latest <= period.as_of)


def evaluation_scores(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    settings: Settings | None = None,
    from_marts: bool | None = None,
) -> pl.DataFrame:
    """Each community's evaluation score for the period, with its parts, volume and rank.

    Columns: community_id, community_name, residents_score, superior_score, third_party_score,
    satisfaction, solving_rate, lasting_rate, outcome, feedback_rate, on_time_rate, response_rate,
    compliance_share, process (all ratios in [0, 1]), count_parts (of the 7 parts, how many had
    data), score (0-100), volume, is_rankable, rank
    (1 = best, rankable communities only); ranked first, best first.

    Read from the monthly marts when they give the same figures (`marts_apply`), else from the
    ticket-level tables; `from_marts` forces one or the other (tests compare the two).
    """
    settings = settings or load_settings()
    evaluation = settings.evaluation
    params: dict[str, object] = {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "as_of": period.as_of,
        "community": period.community,
        "min_volume": settings.ranking.min_volume,
        "w_outcome": evaluation.indicator_types["outcome"],
        "w_process": evaluation.indicator_types["process"],
    }
    for group in ("residents", "superior", "third_party"):
        params[f"w_{group}"] = evaluation.evaluators[group]
        params[f"{group}_types"] = list(evaluation.evaluator_types[group])
    if from_marts is None:
        from_marts = marts_apply(con, period)
    if from_marts:  # every as_of test holds for the marts' rows, so as_of is not bound
        return fetch_frame(
            con, MART_EVALUATION_SQL, {k: v for k, v in params.items() if k != "as_of"}
        )
    return fetch_frame(con, EVALUATION_SQL, params)


def red_black_list(
    con: duckdb.DuckDBPyConnection, period: Period, settings: Settings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(red, black): the `list_size` best and worst rankable communities, best and worst first.

    Same columns as `evaluation_scores`. A community is never on both lists: with fewer than
    2 * list_size rankable communities the black list is shorter.
    """
    settings = settings or load_settings()
    size = settings.ranking.list_size
    rankable = evaluation_scores(con, period, settings).filter(pl.col("is_rankable"))
    red = rankable.head(size)
    rest = rankable.slice(len(red))
    black = rest.reverse().head(size)
    return red, black
