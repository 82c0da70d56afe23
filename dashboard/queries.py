"""Shared queries: the warehouse connection, cached frames, filter options, KPIs and freshness."""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from warehouse.access import RecordCache, bound_key
from warehouse.connection import connect_readonly, fetch_frame
from warehouse.metrics import KpiValue, Period, compute, default_period
from warehouse.paths import warehouse_path

LOG = logging.getLogger("duban.dashboard")
TTL = 600  # seconds a cached result lives; a new warehouse file is a new cache key anyway

# The small per-version results every rerun reads (filter options, table list, freshness, KPIs) are
# also memoised in process in front of st.cache_data: a hit there hashes the arguments and unpickles
# a copy (~0.3-2 ms, the 8,400-community options the most), a dozen times a rerun. A version's data
# never changes, so the memo holds no stale value; callers only read what they get.
_memo = functools.lru_cache


@dataclass(frozen=True)
class WarehouseVersion:
    """The warehouse file and its identity; a new published file is a new version."""

    path: str
    stamp: str


def current_version() -> WarehouseVersion | None:
    """The warehouse in use now, or None when there is none yet."""
    path = warehouse_path().resolve()
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return WarehouseVersion(str(path), f"{stat.st_ino}-{stat.st_mtime_ns}")


@st.cache_resource(max_entries=2)
def _connection(version: WarehouseVersion) -> duckdb.DuckDBPyConnection:
    return connect_readonly(Path(version.path))


def connection(version: WarehouseVersion) -> duckdb.DuckDBPyConnection:
    """The cached read-only connection (take a cursor of it per thread)."""
    return _connection(version)


def cursor(version: WarehouseVersion) -> duckdb.DuckDBPyConnection:
    """A cursor on the cached read-only connection (each run gets its own)."""
    return _connection(version).cursor()


@st.cache_data(ttl=TTL, max_entries=1024, show_spinner=False)
def _frame(version: WarehouseVersion, sql: str, params: dict[str, Any]) -> pl.DataFrame:
    return fetch_frame(cursor(version), sql, params)


# The frames `run` and `try_analysis` returned lately, shared as they are (callers never change
# a frame in place): a hit here skips st.cache_data's hashing of the arguments and unpickling of a
# copy (~0.3-2 ms a call, a dozen calls a rerun). A miss goes to st.cache_data, which still makes
# concurrent sessions asking the same thing wait for one read. Short-lived so that it never
# outlives st.cache_data's entry.
_FRAMES = RecordCache(ttl=60.0, max_entries=1024)


def run(version: WarehouseVersion, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """A parameterised query's result, cached; `sql` is a module constant, values all bound.

    Only the parameters the SQL names are passed (DuckDB refuses extra ones), so a filter a
    query does not use does not split its cache entries.
    """
    named = set(re.findall(r"\$([a-z_]+)", sql))
    bound = {k: v for k, v in (params or {}).items() if k in named}
    key = (version, sql, bound_key(bound))
    frame = _FRAMES.get(key)
    if frame is None:
        frame = _frame(version, sql, bound)
        _FRAMES.put(key, frame)
    return frame


@_memo(maxsize=16)
@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def tables(version: WarehouseVersion) -> frozenset[str]:
    """The tables and views in the warehouse (schema-qualified for raw.*)."""
    rows = cursor(version).execute(
        "select case when table_schema = 'main' then table_name"
        " else table_schema || '.' || table_name end from information_schema.tables"
    )
    return frozenset(str(row[0]) for row in rows.fetchall())


def has(version: WarehouseVersion, name: str) -> bool:
    """Whether the warehouse holds a table or view of that name."""
    return name in tables(version)


@_memo(maxsize=64)
@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def default_dates(version: WarehouseVersion, as_of: datetime) -> tuple[date, date]:
    """The default period: the latest month with complaints."""
    period = default_period(cursor(version), as_of)
    return period.date_from, period.date_to


@_memo(maxsize=512)
@st.cache_data(ttl=TTL, max_entries=512, show_spinner=False)
def kpis(
    version: WarehouseVersion, period: Period, problem_type: str | None = None
) -> dict[str, KpiValue]:
    """Every KPI for the period (and its community/department filters, and problem type)."""
    return compute(cursor(version), replace(period, problem_type=problem_type))


OPTIONS_SQL = {
    "community": "select community_id, community_name from stg_reference__communities order by 1",
    "department": "select department, department from stg_reference__departments order by 1",
    "problem_type": "select distinct level3, level3 from stg_reference__problem_types order by 1",
}


@_memo(maxsize=8)
@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def options(version: WarehouseVersion) -> dict[str, dict[str, str]]:
    """The values each shared filter may take (id -> display name); empty when not loaded."""
    result: dict[str, dict[str, str]] = {}
    con = cursor(version)
    for name, sql in OPTIONS_SQL.items():
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error:
            rows = []
        result[name] = {str(key): str(value) for key, value in rows if key is not None}
    return result


# the raw datasets each mart is built from: a caption's freshness is theirs
MART_DATASETS = {
    "complaint_tickets": ("complaints",),
    "complaints_monthly": ("complaints",),
    "complaints_monthly_grid": ("complaints",),
    "inspection_visits": ("inspections",),
    "inspections_monthly": ("inspections",),
    "duplicate_inspection_pairs": ("inspections",),
    "merge_suggestions": ("inspections",),
    "rectification_cases": ("rectification_cases",),
    "hotspots_monthly": ("complaints", "inspections"),
    "hotspots_category_monthly": ("complaints", "inspections"),
    "indicator_compliance": ("indicators", "resident_evaluations", "rectification_cases"),
    "data_quality": (),
    "raw.load_ledger": (),
}


@_memo(maxsize=16)
@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def freshness(version: WarehouseVersion) -> dict[str, tuple[datetime | None, str | None]]:
    """Per raw dataset: when its last file was loaded and the latest period it covers."""
    rows = (
        cursor(version)
        .execute(
            "select dataset, max(finished_at), max(period) from raw.load_ledger"
            " where outcome = 'loaded' group by dataset"
        )
        .fetchall()
    )
    return {str(r[0]): (r[1] if isinstance(r[1], datetime) else None, r[2]) for r in rows}


def source_freshness(version: WarehouseVersion, source: str) -> tuple[datetime | None, str | None]:
    """The last load and the latest period of the data behind a mart (all data if unknown)."""
    known = freshness(version)
    datasets = MART_DATASETS.get(source) or tuple(known)
    found = [known[d] for d in datasets if d in known]
    loads = [load for load, _ in found if load]
    periods = [p for _, p in found if p]
    return (max(loads) if loads else None, max(periods) if periods else None)


def analysis_available(module: str, function: str) -> bool:
    """Whether an analysis function (e.g. warehouse.hotspots.hotspots) exists yet."""
    try:
        return callable(getattr(importlib.import_module(module), function, None))
    except ImportError:
        return False


@st.cache_data(ttl=TTL, max_entries=512, show_spinner=False)
def analysis(
    version: WarehouseVersion, module: str, function: str, *args: Any, **kwargs: Any
) -> Any:
    """The result of a warehouse analysis function called with a cursor; frames come as polars."""
    result = getattr(importlib.import_module(module), function)(cursor(version), *args, **kwargs)
    return _polars(result)


def try_analysis(
    version: WarehouseVersion, module: str, function: str, *args: Any, **kwargs: Any
) -> Any | None:
    """`analysis(...)`, or None when the function or a mart it reads is not there yet."""
    if not analysis_available(module, function):
        return None
    key: Hashable | None = (version, module, function, args, tuple(sorted(kwargs.items())))
    try:
        hash(key)
    except TypeError:  # an argument st.cache_data can hash but Python cannot: no memo
        key = None
    found = _FRAMES.get(key) if key is not None else None
    if found is not None:
        return found
    try:
        result = analysis(version, module, function, *args, **kwargs)
    except Exception:  # a mart not built yet in this warehouse: the page shows it pending
        LOG.warning("%s.%s failed", module, function, exc_info=True)
        return None
    if key is not None and isinstance(result, pl.DataFrame):  # frames only: never changed
        _FRAMES.put(key, result)
    return result


def _polars(value: Any) -> Any:
    if isinstance(value, pl.DataFrame):
        return value
    if hasattr(value, "to_dict") and hasattr(value, "columns") and hasattr(value, "dtypes"):
        return pl.from_pandas(value)
    if isinstance(value, tuple):
        return tuple(_polars(v) for v in value)
    if isinstance(value, dict):
        return {k: _polars(v) for k, v in value.items()}
    return value
