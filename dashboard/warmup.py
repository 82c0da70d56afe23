"""Warm-up: the default overview's figures computed in the background while a viewer signs in."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from dashboard import queries
from dashboard.queries_indicators import red_black
from dashboard.queries_overview import kpi_series, previous_period
from warehouse.clock import now_local
from warehouse.metrics import Period

LOG = logging.getLogger("duban.dashboard")
AS_OF_STEP_MINUTES = 10  # figures are as of the last 10-minute mark, so reruns share the cache
_started: set[tuple[str, str]] = set()
_lock = threading.Lock()
_preloading = threading.Event()  # once per process


def as_of_now() -> datetime:
    """Now, rounded down to the last AS_OF_STEP_MINUTES mark."""
    now = now_local()
    return now.replace(minute=now.minute - now.minute % AS_OF_STEP_MINUTES, second=0)


def default_period(version: queries.WarehouseVersion, as_of: datetime) -> Period:
    """The period the shared filters open with (no community, department or problem type)."""
    date_from, date_to = queries.default_dates(version, as_of)
    return Period(date_from, date_to, as_of)


def warm(version: queries.WarehouseVersion, as_of: datetime) -> None:
    """Fill the caches the default overview reads: the filter options, both periods' KPIs, the
    monthly series and the street's red/black list. Aggregates only; nothing is shown."""
    period = default_period(version, as_of)
    queries.options(version)
    queries.kpis(version, period, None)
    queries.kpis(version, previous_period(period), None)
    kpi_series(version, {**period.params(), "ptype": None})
    red_black(version, period)


def preload() -> None:
    """Import what the first page's drawing needs (pandas for st.dataframe, plotly and its
    validators for a chart, the overview's own modules), which the first overview would
    otherwise import itself."""
    import pandas  # noqa: F401
    import plotly.graph_objects as go
    import plotly.io

    import dashboard.charts
    import dashboard.components
    import dashboard.scoring  # noqa: F401

    plotly.io.to_json(go.Figure(go.Bar(x=[1], y=["a"], orientation="h")), validate=False)


def _warm_quietly(version: queries.WarehouseVersion, as_of: datetime) -> None:
    try:
        warm(version, as_of)
    except Exception:  # a warehouse being replaced, or one an older version built: the page says so
        LOG.warning("warm-up failed", exc_info=True)


def start(version: queries.WarehouseVersion) -> bool:
    """Start the warm-up for this warehouse version once per process (and per as-of mark); the
    runs that need the same figures wait for it on Streamlit's per-value cache locks."""
    as_of = as_of_now()
    key = (f"{version.path}:{version.stamp}", as_of.isoformat())
    with _lock:
        if key in _started:
            return False
        _started.add(key)
    threading.Thread(
        target=_warm_quietly, args=(version, as_of), name="duban-warmup", daemon=True
    ).start()
    if not _preloading.is_set():
        _preloading.set()
        threading.Thread(target=_preload_quietly, name="duban-preload", daemon=True).start()
    return True


def _preload_quietly() -> None:
    try:
        preload()
    except Exception:  # only a head start: the page imports them itself
        LOG.warning("preload failed", exc_info=True)
