"""Hotspot queries: areas ranked per 1,000 households, grids' shapes (the drill-down's rows come
through dashboard.records and the access layer)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl

from dashboard.queries import WarehouseVersion, run, try_analysis
from warehouse.metrics import Period

GRID_SHAPES_SQL = """
    select grid_id as area_id, grid_name, community_id, geometry
    from stg_reference__grids
    where geometry is not null
        and ($area_community::varchar is null or community_id = $area_community)
"""


def area_params(
    params: dict[str, Any], community: str | None, grid: str | None, address: str | None
) -> dict[str, Any]:
    """The shared filters plus the drill-down's area."""
    return {**params, "area_community": community, "area_grid": grid, "area_address": address}


def hotspots(
    version: WarehouseVersion, period: Period, level: str, parent: str | None
) -> pl.DataFrame | None:
    """Areas of one level under `parent` (warehouse.hotspots); None until it can be computed."""
    return try_analysis(
        version, "warehouse.hotspots", "hotspots", replace(period, department=None), level, parent
    )


def category_mix(
    version: WarehouseVersion,
    period: Period,
    level: str,
    area: str | None,
    communities: list[str],
) -> pl.DataFrame | None:
    """Problems by problem type in one area; for the whole street, summed over its communities."""
    scoped = replace(period, department=None)
    if area:
        return try_analysis(version, "warehouse.hotspots", "category_mix", scoped, level, area)
    parts = [
        try_analysis(version, "warehouse.hotspots", "category_mix", scoped, "community", c)
        for c in communities
    ]
    frames = [p for p in parts if p is not None and not p.is_empty()]
    if not frames:
        return None if any(p is None for p in parts) else pl.DataFrame()
    return (
        pl.concat(frames, how="diagonal_relaxed")
        .group_by("category_l1", "problem_type")
        .agg(pl.col("count_complaints", "count_failed_items", "count_problems").sum())
        .sort("count_problems", descending=True)
    )


def grid_shapes(version: WarehouseVersion, params: dict[str, Any]) -> pl.DataFrame:
    """The grids' polygons (GeoJSON text) under the drill-down's community."""
    return run(version, GRID_SHAPES_SQL, params)
