"""Department queries: the scorecard, the joint meeting's agenda, one department's own rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl

from dashboard.queries import WarehouseVersion, run, try_analysis
from warehouse.metrics import Period
from warehouse.settings import load_settings

COMMUNITY = "($community::varchar is null or community_id = $community)"

OWN_VISITS_SQL = f"""
    select visit_id, inspected_on, community, subject, is_failed, problem, is_duplicate,
        previous_department, departments_involved
    from inspection_visits
    where inspected_on between $date_from and $date_to and {COMMUNITY}
        and list_contains(departments_involved, $own)
    order by inspected_on desc
    limit 5000
"""  # noqa: S608

OWN_CASES_SQL = f"""
    select case_id, round, community, problem_type, responsible_unit, noticed_at,
        rectification_deadline_on, completed_at, satisfaction_pct, status
    from rectification_cases
    where noticed_on between $date_from and $date_to and {COMMUNITY}
        and responsible_department = $own
    order by noticed_at desc
    limit 5000
"""  # noqa: S608


def min_volume() -> int:
    """Rows a department (or community) needs in the period before it is ranked."""
    return int(load_settings().ranking.min_volume)


def scorecard(version: WarehouseVersion, period: Period) -> pl.DataFrame | None:
    """Every department's scorecard (warehouse.scorecards); None until it can be computed."""
    return try_analysis(
        version, "warehouse.scorecards", "department_scorecard", replace(period, department=None)
    )


def agenda(version: WarehouseVersion, period: Period) -> dict[str, pl.DataFrame] | None:
    """The joint meeting's agenda: multi-department problems, overdue cases, merges."""
    return try_analysis(version, "warehouse.scorecards", "agenda", replace(period, department=None))


def own_visits(version: WarehouseVersion, params: dict[str, Any], own: str) -> pl.DataFrame:
    """The visits one department took part in."""
    return run(version, OWN_VISITS_SQL, {**params, "own": own})


def own_cases(version: WarehouseVersion, params: dict[str, Any], own: str) -> pl.DataFrame:
    """The cases one department is responsible for."""
    return run(version, OWN_CASES_SQL, {**params, "own": own})
