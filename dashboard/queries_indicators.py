"""Indicator queries: compliance per community and indicator, evaluation scores, the catalogue."""

from __future__ import annotations

import polars as pl

from dashboard.queries import WarehouseVersion, has, run, try_analysis
from warehouse.metrics import Period

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


def evaluation_scores(version: WarehouseVersion, period: Period) -> pl.DataFrame | None:
    """The weighted evaluation score per community (warehouse.scores); None until available."""
    return try_analysis(version, "warehouse.scores", "evaluation_scores", period)


def catalogue(version: WarehouseVersion) -> pl.DataFrame:
    """The indicator catalogue with thresholds."""
    return run(version, CATALOGUE_SQL)
