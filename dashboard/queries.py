"""Parameterised queries the pages run, cached per warehouse version; frames and values out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from warehouse.connection import connect_readonly, fetch_frame, fetch_one
from warehouse.metrics import KpiValue, Period, compute, default_period
from warehouse.paths import warehouse_path


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
    except FileNotFoundError:
        return None
    return WarehouseVersion(str(path), f"{stat.st_ino}-{stat.st_mtime_ns}")


@st.cache_resource(max_entries=2)
def _connection(version: WarehouseVersion) -> duckdb.DuckDBPyConnection:
    return connect_readonly(Path(version.path))


def _cursor(version: WarehouseVersion) -> duckdb.DuckDBPyConnection:
    return _connection(version).cursor()


@st.cache_data(ttl=600, max_entries=64)
def default_dates(version: WarehouseVersion, as_of: datetime) -> tuple[date, date]:
    """The default period: the latest month with complaints."""
    period = default_period(_cursor(version), as_of)
    return period.date_from, period.date_to


@st.cache_data(ttl=600, max_entries=256)
def kpis(version: WarehouseVersion, period: Period) -> dict[str, KpiValue]:
    """Every KPI for the period."""
    return compute(_cursor(version), period)


@st.cache_data(ttl=600, max_entries=256)
def monthly_repeat_rate(version: WarehouseVersion, date_to: date, months: int = 24) -> pl.DataFrame:
    """The repeat-complaint rate per month, for the `months` months up to the period's end."""
    return fetch_frame(
        _cursor(version),
        """
            select
                month_on,
                sum(count_repeats)::bigint as count_repeats,
                sum(count_complaints)::bigint as count_complaints,
                sum(count_repeats) / sum(count_complaints) as repeat_complaint_rate
            from complaints_monthly
            where month_on > date_trunc('month', $date_to::date) - to_months($months)
                and month_on <= $date_to
            group by month_on
            order by month_on
        """,
        {"date_to": date_to, "months": months},
    )


@st.cache_data(ttl=600, max_entries=8)
def last_load(version: WarehouseVersion) -> datetime | None:
    """When the last file was loaded into this warehouse."""
    row = fetch_one(_cursor(version), "select max(finished_at) from raw.load_ledger")
    value = row[0] if row else None
    return value if isinstance(value, datetime) else None


def warehouse_env() -> str | None:
    """The configured warehouse path from the environment, if any."""
    return os.environ.get("DUBAN_WAREHOUSE")
