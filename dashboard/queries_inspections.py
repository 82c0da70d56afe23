"""Inspection queries: duplicates by subject, who duplicates whom, merge suggestions, baseline."""

from __future__ import annotations

import polars as pl

from dashboard.queries import WarehouseVersion, analysis, kpis, run
from warehouse.metrics import KpiValue, Period
from warehouse.settings import load_settings

MONTHS = (
    "month_on between date_trunc('month', $date_from::date) and $date_to"
    " and ($community::varchar is null or community_id = $community)"
)

BY_SUBJECT_SQL = f"""
    select
        subject,
        sum(count_duplicates)::bigint as count_duplicates,
        sum(count_visits)::bigint as count_visits,
        sum(count_duplicates) / nullif(sum(count_visits), 0) as duplicate_inspection_rate
    from inspections_monthly
    where {MONTHS} and ($department::varchar is null or department = $department)
    group by subject
    order by duplicate_inspection_rate desc, count_visits desc
"""  # noqa: S608

PAIRS_SQL = f"""
    select
        coalesce(earlier_department, '—') as earlier_department,
        later_department,
        sum(count_duplicates)::bigint as count_duplicates
    from duplicate_inspection_pairs
    where {MONTHS}
        and ($department::varchar is null
            or earlier_department = $department or later_department = $department)
    group by all
    order by count_duplicates desc
"""  # noqa: S608

MERGES_SQL = f"""
    select
        month_on,
        coalesce(communities.community_name, merges.community) as community,
        subject,
        departments,
        count_departments,
        count_visits,
        count_visits_saved
    from merge_suggestions as merges
    left join stg_reference__communities as communities
        on communities.community_id = merges.community_id
    where {MONTHS.replace("community_id", "merges.community_id")}
        and ($department::varchar is null or list_contains(departments, $department))
    order by count_visits_saved desc, month_on desc
    limit 5000
"""  # noqa: S608


def duplicates_by_subject(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """The duplicate-inspection rate per subject in the period's months."""
    return run(version, BY_SUBJECT_SQL, params)


def department_pairs(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """Duplicate visits by the earlier visit's department and the duplicate's department."""
    return run(version, PAIRS_SQL, params)


def merge_suggestions(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """Month, community and subject visited by several departments, and the visits a merge saves."""
    return run(version, MERGES_SQL, params)


def baseline(version: WarehouseVersion, period: Period) -> tuple[Period, KpiValue]:
    """The baseline period and its duplicate-inspection rate (same filters)."""
    base = analysis(version, "warehouse.metrics", "baseline_period", period, load_settings())
    return base, kpis(version, base)["duplicate_inspection_rate"]
