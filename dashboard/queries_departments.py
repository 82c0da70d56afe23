"""Department queries: the scorecard and the joint meeting's agenda (a department's own rows come
through dashboard.records and the access layer)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from dashboard.queries import WarehouseVersion, try_analysis
from warehouse.metrics import Period
from warehouse.settings import load_settings


def min_volume() -> int:
    """Rows a department (or community) needs in the period before it is ranked."""
    return int(load_settings().ranking.min_volume)


def scorecard(
    version: WarehouseVersion, period: Period, problem_type: str | None = None
) -> pl.DataFrame | None:
    """Every department's scorecard (warehouse.scorecards), of one problem type when given;
    None until it can be computed."""
    everyone = replace(period, department=None, problem_type=problem_type)
    return try_analysis(version, "warehouse.scorecards", "department_scorecard", everyone)


def agenda(version: WarehouseVersion, period: Period) -> dict[str, pl.DataFrame] | None:
    """The joint meeting's agenda: multi-department problems, overdue cases, merges."""
    return try_analysis(version, "warehouse.scorecards", "agenda", replace(period, department=None))
