"""Warm-up: the default overview's figures computed in the background while a viewer signs in."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime

import polars as pl

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
    """Fill the caches the default overview reads: the filter options, the sources' freshness,
    both periods' KPIs, the monthly series and the street's red/black list. Aggregates only;
    nothing is shown."""
    period = default_period(version, as_of)
    # the monthly series (three scans, the longest part) in a second thread beside the rest:
    # DuckDB releases the GIL, and one query alone leaves the second core mostly idle
    series = _in_background(lambda: kpi_series(version, {**period.params(), "ptype": None}))
    queries.options(version)
    queries.freshness(version)
    queries.kpis(version, period, None)
    queries.kpis(version, previous_period(period), None)
    red_black(version, period)
    series()


def _in_background(call: Callable[[], object]) -> Callable[[], None]:
    """Start `call` in a thread; the function returned waits for it and raises its error."""
    errors: list[Exception] = []

    def target() -> None:
        try:
            call()
        except Exception as error:  # handed to the caller by the function returned
            errors.append(error)

    thread = threading.Thread(target=target, name="duban-warmup-series", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if errors:
            raise errors[0]

    return wait


def preload() -> None:
    """Import what the first page's drawing needs (pandas for st.dataframe, plotly and its
    validators for a chart, the overview's own modules), which the first overview would
    otherwise import itself."""
    import pandas  # noqa: F401
    import plotly.graph_objects as go
    import plotly.io

    import dashboard.components
    import dashboard.scoring  # noqa: F401
    from dashboard import charts

    plotly.io.to_json(go.Figure(go.Bar(x=[1], y=["a"], orientation="h")), validate=False)
    trend = pl.DataFrame({"month": [date(2000, 1, 1)], "value": [0.5], "n": [1], "d": [2]})
    figure = charts.rate_trend(
        trend,
        x="month",
        y="value",
        target=0.1,
        x_label="",
        y_label="",
        target_label="",
        numerator="n",
        denominator="d",
    )
    plotly.io.to_json(figure, validate=False)  # the overview's trend: lines, markers, a target


def _warm_quietly(version: queries.WarehouseVersion, as_of: datetime) -> None:
    try:
        warm(version, as_of)
    except Exception:  # a warehouse being replaced, or one an older version built: the page says so
        LOG.warning("warm-up failed", exc_info=True)


def start(version: queries.WarehouseVersion) -> bool:
    """Start the warm-up for this warehouse version once per process (and per as-of mark); the
    runs that need the same figures wait for it on Streamlit's per-value cache locks. The first
    warm-up then preloads the drawing's modules, after its queries, not beside them: while
    another thread imports pandas, DuckDB binding a query's parameters waits for that import
    to finish (0.3 s and more), so the queries would stall and the two not overlap."""
    as_of = as_of_now()
    key = (f"{version.path}:{version.stamp}", as_of.isoformat())
    with _lock:
        if key in _started:
            return False
        _started.add(key)
    threading.Thread(
        target=_warm_then_preload, args=(version, as_of), name="duban-warmup", daemon=True
    ).start()
    return True


def _warm_then_preload(version: queries.WarehouseVersion, as_of: datetime) -> None:
    _warm_quietly(version, as_of)
    with _lock:
        if _preloading.is_set():
            return
        _preloading.set()
    _preload_quietly()


def _preload_quietly() -> None:
    try:
        preload()
    except Exception:  # only a head start: the page imports them itself
        LOG.warning("preload failed", exc_info=True)
