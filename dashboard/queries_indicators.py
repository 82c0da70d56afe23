"""Indicator queries: compliance per community and indicator, evaluation scores, the catalogue."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from dashboard.queries import WarehouseVersion, has, run, try_analysis
from warehouse.metrics import Period
from warehouse.settings import load_settings

COMPLIANCE_SQL = """
    select
        community_name as community,
        indicator_id,
        indicator_name as indicator,
        any_value(comparator) || ' ' || any_value(threshold) as threshold_text,
        count(*) filter (where has_measure) as count_measured,
        count(*) filter (where is_compliant) as count_compliant,
        100.0 * count(*) filter (where is_compliant)
            / nullif(count(*) filter (where has_measure), 0) as compliance_pct
    from indicator_compliance
    where month_on between date_trunc('month', $date_from::date) and $date_to
        and ($community::varchar is null or community_id = $community)
    group by all
    order by community, indicator_id
"""

CATALOGUE_SQL = """
    select indicator_id, category, indicator_name, unit, comparator, threshold, threshold_source
    from stg_reference__indicators
    order by indicator_id
"""


def compliance(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame | None:
    """Share of compliant months per community and indicator; None until the mart is built."""
    if not has(version, "indicator_compliance"):
        return None
    return run(version, COMPLIANCE_SQL, params)


def street_scores(version: WarehouseVersion, period: Period) -> pl.DataFrame | None:
    """Every community's weighted evaluation score and street-wide rank for the period's dates
    (warehouse.scores, cached per date range: a community filter does not recompute it)."""
    street = replace(period, community=None, department=None)
    return try_analysis(version, "warehouse.scores", "evaluation_scores", street)


def evaluation_scores(version: WarehouseVersion, period: Period) -> pl.DataFrame | None:
    """The weighted evaluation scores shown: the period's community (with its rank in the
    street) or all of them; None until available."""
    scores = street_scores(version, period)
    if scores is None or period.community is None or "community_id" not in scores.columns:
        return scores
    return scores.filter(pl.col("community_id") == period.community)


def red_black(
    version: WarehouseVersion, period: Period
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """(red, black): the street's best and worst rankable communities for the period's dates,
    as `warehouse.scores.red_black_list` draws them, from the cached street-wide scores."""
    scores = street_scores(version, period)
    if scores is None or "is_rankable" not in scores.columns:
        return None
    size = load_settings().ranking.list_size
    rankable = scores.filter(pl.col("is_rankable"))
    red = rankable.head(size)
    return red, rankable.slice(len(red)).reverse().head(size)


def catalogue(version: WarehouseVersion) -> pl.DataFrame:
    """The indicator catalogue with thresholds."""
    return run(version, CATALOGUE_SQL)
