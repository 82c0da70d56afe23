"""Hotspot queries: areas ranked per 1,000 households, grids' shapes (the drill-down's rows come
through dashboard.records and the access layer)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl
import streamlit as st

from dashboard.charts import centre_of
from dashboard.queries import TTL, WarehouseVersion, run, try_analysis
from warehouse import hotspots as analysis
from warehouse.metrics import Period

MAX_GRID_SHAPES = 2000  # more grids than this on one map: the street shows its communities
GRID_COUNT_SQL = """
    select count(*) as grids from stg_reference__grids
    where geometry is not null
        and ($area_community::varchar is null or community_id = $area_community)
"""
ALL_GRIDS_SQL = """
    select community_id, geometry from stg_reference__grids
    where geometry is not null and community_id is not null
"""
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


# warehouse.hotspots' query with the counts taken from each area-month's category mix when a
# problem type is chosen (repeats are not kept per problem type there: null then)
_CURRENT = "\ncurrent_period as ("
PTYPE_MONTHLY = """
with

mix as (
    select
        month_on,
        area_id,
        sum(count_complaints) as count_complaints,
        sum(count_failed_items) as count_failed_items,
        sum(count_complaints + count_failed_items) as count_problems
    from hotspots_category_monthly
    where level = $level and problem_type = $ptype
        and month_on between $previous_first and $last
    group by month_on, area_id
),

monthly as (
    select
        area.* exclude (count_complaints, count_repeats, count_failed_items, count_problems),
        coalesce(mix.count_complaints, 0) as count_complaints,
        null::bigint as count_repeats,
        coalesce(mix.count_failed_items, 0) as count_failed_items,
        coalesce(mix.count_problems, 0) as count_problems
    from hotspots_monthly as area
    left join mix on mix.month_on = area.month_on and mix.area_id = area.area_id
    where area.level = $level
        and ($parent::varchar is null or area.community_id = $parent or area.grid_id = $parent)
        and ($community::varchar is null or area.community_id = $community)
),
"""
PTYPE_HOTSPOTS_SQL = PTYPE_MONTHLY + _CURRENT + analysis.HOTSPOTS_SQL.split(_CURRENT, 1)[1]


def _months(period: Period) -> dict[str, Any]:
    first, last, previous_first, previous_last = analysis.months(period)
    return {"first": first, "last": last, "previous_first": previous_first,
            "previous_last": previous_last}  # fmt: skip


def hotspots(
    version: WarehouseVersion,
    period: Period,
    level: str,
    parent: str | None,
    problem_type: str | None = None,
) -> pl.DataFrame | None:
    """Areas of one level under `parent` (warehouse.hotspots), counting one problem type when
    given; None until it can be computed."""
    scoped = replace(period, department=None)
    if problem_type is None:
        return try_analysis(version, "warehouse.hotspots", "hotspots", scoped, level, parent)
    params = {
        **_months(scoped), "level": level, "parent": parent, "community": scoped.community,
        "ptype": problem_type, "min_count": analysis.RISING_MIN_COUNT, "z": analysis.RISING_Z,
    }  # fmt: skip
    if level == "address":
        return run(version, *analysis.address_hotspots_query(params, problem_type))
    return run(version, PTYPE_HOTSPOTS_SQL, params)


def category_mix(
    version: WarehouseVersion,
    period: Period,
    level: str,
    area: str | None,
    problem_type: str | None = None,
) -> pl.DataFrame:
    """Problems by problem type in one area, or in the whole street (its communities summed)."""
    return run(version, *analysis.category_mix_query(period, level, area, problem_type))


def grid_shapes(version: WarehouseVersion, params: dict[str, Any]) -> pl.DataFrame:
    """The grids' polygons (GeoJSON text) under the drill-down's community."""
    return run(version, GRID_SHAPES_SQL, params)


def grid_count(version: WarehouseVersion, params: dict[str, Any]) -> int:
    """How many grids with a shape the drill-down's community (or the street) has."""
    return int(run(version, GRID_COUNT_SQL, params)["grids"][0])


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def community_centres(version: WarehouseVersion) -> pl.DataFrame:
    """Each community's point on the street map: the centre of its grids' polygons (area_id,
    x, y); computed once per warehouse."""
    grids = run(version, ALL_GRIDS_SQL)
    centres = [centre_of(g) for g in grids["geometry"].to_list()]
    return (
        grids.select(pl.col("community_id").alias("area_id"))
        .with_columns(
            x=pl.Series([c[0] for c in centres], dtype=pl.Float64),
            y=pl.Series([c[1] for c in centres], dtype=pl.Float64),
        )
        .group_by("area_id")
        .agg(pl.col("x").mean(), pl.col("y").mean())
        .drop_nulls()
    )
