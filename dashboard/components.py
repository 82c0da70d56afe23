"""Small widgets shared by pages: KPI tile, source caption, downloadable table, empty states."""

from __future__ import annotations

import io
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pyarrow as pa
import streamlit as st

from dashboard import queries
from dashboard.scoring import lower_is_better, status
from dashboard.text import label, language, t
from warehouse.access import csv_bytes
from warehouse.metrics import KPIS, KpiValue

MAX_ROWS = 5000  # rows a drill-down table shows and exports


def format_rate(value: float | None) -> str:
    """A ratio as a percentage, or a dash."""
    return "—" if value is None else f"{value:.1%}"


def format_value(value: float | None, unit: str, short: bool = False) -> str:
    """A KPI value in its unit (`short`: without the unit's name), or a dash."""
    if value is None:
        return "—"
    if unit == "working_days" and short:
        return f"{value:.1f}"
    if unit == "working_days":
        return t("unit.working_days", value=f"{value:.1f}")
    return format_rate(value)


def number(value: float) -> str:
    """A count with thousands separators, or a decimal to three places."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.3f}"


# the status as coloured text (Streamlit markdown colours; no emoji font needed)
MARKERS = {
    "green": ":green[● {badge}]",
    "amber": ":orange[● {badge}]",
    "red": ":red[● {badge}]",
    "none": ":gray[○ {badge}]",
}


def _fraction(kpi: KpiValue) -> str:
    """What the value is made of: numerator / denominator, the count for a median, or the
    baseline and current rates for a reduction."""
    kind = KPIS[kpi.name].kind if kpi.name in KPIS else "ratio"
    if kind == "median":
        return t("kpi.count", count=number(kpi.denominator))
    if kind == "reduction":
        base = kpi.denominator
        return t(
            "kpi.reduction_parts",
            baseline=format_rate(base or None),
            current=format_rate(base - kpi.numerator if base else None),
        )
    return t("kpi.fraction", numerator=number(kpi.numerator), denominator=number(kpi.denominator))


def _delta(kpi: KpiValue, previous: KpiValue | None) -> str | None:
    if previous is None or kpi.value is None or previous.value is None:
        return None
    change = kpi.value - previous.value
    if kpi.unit == "working_days":
        return t("kpi.delta_days", value=f"{change:+.1f}")
    return t("kpi.delta_points", value=f"{change * 100:+.1f}")


def kpi_tile(
    kpi: KpiValue,
    previous: KpiValue | None = None,
    trend: pl.DataFrame | None = None,
) -> None:
    """One KPI: value, target, red/amber/green status, change on the previous period, sparkline."""
    name = t(f"kpi.{kpi.name}")
    if kpi.target is None:
        target = t("kpi.no_target")
    else:
        target = t("kpi.target", op=kpi.target.op, value=format_value(kpi.target.value, kpi.unit))
    colour = status(kpi)
    badge = {
        "green": t("kpi.met"),
        "amber": t("kpi.near"),
        "red": t("kpi.not_met"),
        "none": "" if kpi.value is not None else t("kpi.no_data"),
    }[colour]
    fraction = _fraction(kpi)
    series = None
    if trend is not None and trend.height > 1:
        series = [v if v is not None else 0.0 for v in trend["value"].to_list()]
    with st.container(border=True):
        st.metric(
            name,
            format_value(kpi.value, kpi.unit, short=True),  # the label names the unit
            delta=_delta(kpi, previous),
            delta_color="inverse" if lower_is_better(kpi) else "normal",
            help=t("kpi.help", target=target, fraction=fraction),
            chart_data=series,
            chart_type="area",
        )
        marker = MARKERS[colour].format(badge=badge) if badge else ""
        st.caption(" · ".join(p for p in (marker, target, fraction) if p))


def source_caption(version: queries.WarehouseVersion, source: str) -> None:
    """The caption under a chart or table: its source and the data's freshness."""
    loaded_at, latest = queries.source_freshness(version, source)
    when = loaded_at.strftime("%Y-%m-%d %H:%M") if loaded_at else t("source.never")
    text = t("source.caption", source=source, loaded_at=when)
    if latest:
        text += t("source.latest", period=latest)
    st.caption(text)


def _exportable(data: pl.DataFrame) -> pl.DataFrame:
    """Lists joined into text, columns labelled in the UI language."""
    lists = [name for name, dtype in data.schema.items() if isinstance(dtype, pl.List)]
    data = data.with_columns(pl.col(name).list.join("、") for name in lists)
    return data.rename(_labels(data))


def _labels(data: pl.DataFrame) -> dict[str, str]:
    """Column name -> shown label; two columns never share a label."""
    labels: dict[str, str] = {}
    for name in data.columns:
        shown = label(name)
        labels[name] = f"{shown} ({name})" if shown in labels.values() else shown
    return labels


NOT_RATIOS = {"satisfaction_pct", "z_score"}
RATE_NAMES = ("_rate", "_share", "rate_of_", "share_", "satisfaction", "_score", "outcome")


def _is_ratio(name: str) -> bool:
    """Whether a column holds a ratio in [0, 1] (shown as a percentage)."""
    return name not in NOT_RATIOS and any(part in name for part in RATE_NAMES)


def _formats(data: pl.DataFrame) -> dict[str, Any]:
    """Display formats by column (keyed by the shown label): rates as %, dates as dates."""
    formats: dict[str, Any] = {}
    labels = _labels(data)
    for name, dtype in data.schema.items():
        shown = labels[name]
        if dtype == pl.Date:
            formats[shown] = st.column_config.DateColumn(shown, format="YYYY-MM-DD")
        elif dtype == pl.Datetime:
            formats[shown] = st.column_config.DatetimeColumn(shown, format="YYYY-MM-DD HH:mm")
        elif dtype.is_float() and _is_ratio(name):
            formats[shown] = st.column_config.NumberColumn(shown, format="percent")
        elif dtype.is_float():
            formats[shown] = st.column_config.NumberColumn(shown, format="%.2f")
    return formats


# column types an Arrow table carries to the browser as pandas would have (see `_arrow`)
PLAIN_TYPES = (pl.String, pl.Boolean, pl.Float32, pl.Float64, pl.Date, pl.Datetime)


def _arrow(data: pl.DataFrame) -> pl.DataFrame | pa.Table:
    """The shown frame as an Arrow table, typed as st.dataframe's pandas round trip types it
    (integers with nulls as floats, dates as millisecond timestamps), so the browser gets the
    same table without the round trip (~60 ms for 5,000 rows at every rerun). Other types go
    the pandas way."""
    casts = []
    for name, dtype in data.schema.items():
        if dtype.is_integer() and dtype not in (pl.Int128, pl.UInt128):
            if data[name].null_count():
                casts.append(pl.col(name).cast(pl.Float64))
        elif dtype == pl.Date:
            casts.append(pl.col(name).cast(pl.Datetime("ms")))
        elif not isinstance(dtype, PLAIN_TYPES) and dtype not in PLAIN_TYPES:
            return data
    return data.with_columns(casts).to_arrow(compat_level=pl.CompatLevel.oldest())


SHOWN_TABLES = 128  # shown tables kept for reruns that show the same frame again
_shown: OrderedDict[
    tuple[int, str], tuple[weakref.ref[pl.DataFrame], pl.DataFrame, pl.DataFrame | pa.Table]
] = OrderedDict()
_shown_lock = threading.Lock()


def _shown_table(data: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | pa.Table]:
    """The frame as shown (first MAX_ROWS rows, lists joined, labelled) and as sent (`_arrow`),
    made once per frame and language: a rerun that shows the same cached frame again (the
    caches hand out the same object; callers never change a frame in place) skips the
    conversion. Keyed by the frame's identity, checked through a weak reference; an entry goes
    when its frame does."""
    key = (id(data), language())
    with _shown_lock:
        found = _shown.get(key)
        if found is not None and found[0]() is data:
            _shown.move_to_end(key)
            return found[1], found[2]
    shown = _exportable(data.head(MAX_ROWS))
    sent = _arrow(shown)

    def forget(dead: weakref.ref[pl.DataFrame]) -> None:  # may run in any thread, in GC: no lock
        entry = _shown.get(key)
        if entry is not None and entry[0] is dead:
            _shown.pop(key, None)

    with _shown_lock:
        _shown[key] = (weakref.ref(data, forget), shown, sent)
        while len(_shown) > SHOWN_TABLES:
            _shown.popitem(last=False)
    return shown, sent


def _csv(data: pl.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens the Chinese text correctly), formula cells
    neutralised: the access layer's `csv_bytes`."""
    return csv_bytes(data)


def _xlsx(data: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    data.write_excel(buffer, autofit=True)
    return buffer.getvalue()


def _export_frame(export: Callable[[], pl.DataFrame], labels: dict[str, str]) -> pl.DataFrame:
    """The export's rows labelled; runs outside the script run, so the labels come ready-made."""
    data = export()
    lists = [name for name, dtype in data.schema.items() if isinstance(dtype, pl.List)]
    data = data.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join("、") for c in lists)
    return data.rename(labels, strict=False)


def _export_csv(export: Callable[[], pl.DataFrame], labels: dict[str, str]) -> bytes:
    return csv_bytes(_export_frame(export, labels))


def _export_xlsx(export: Callable[[], pl.DataFrame], labels: dict[str, str]) -> bytes:
    return _xlsx(_export_frame(export, labels))


def table(
    data: pl.DataFrame,
    key: str,
    version: queries.WarehouseVersion,
    source: str,
    *,
    height: int | None = None,
    export: Callable[[], pl.DataFrame] | None = None,
) -> None:
    """A table as filtered, with CSV and XLSX downloads and its source caption.

    `export`, for record-level rows, makes the download's frame when the button is clicked (the
    access layer's masked rows, audited as an export) instead of the shown frame."""
    if data.is_empty():
        st.info(t("empty.no_data"))
        source_caption(version, source)
        return
    shown, sent = _shown_table(data)
    st.dataframe(
        sent,
        hide_index=True,
        width="stretch",
        height=height or "auto",
        column_config=_formats(data),
    )
    if data.height > MAX_ROWS:
        st.caption(t("table.truncated", shown=number(MAX_ROWS), total=number(data.height)))
    buttons = st.container(horizontal=True)
    labels = _labels(data)  # downloads are built on click, not on every run
    stamp = datetime.now().strftime("%Y%m%d")
    buttons.download_button(
        t("table.csv"),
        data=partial(_export_csv, export, labels) if export else partial(_csv, shown),
        file_name=f"{key}_{stamp}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        icon=":material/download:",
    )
    buttons.download_button(
        t("table.xlsx"),
        data=partial(_export_xlsx, export, labels) if export else partial(_xlsx, shown),
        file_name=f"{key}_{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        icon=":material/download:",
    )
    source_caption(version, source)


def chart(figure: go.Figure, version: queries.WarehouseVersion, source: str, key: str) -> None:
    """A plotly chart followed by its source caption."""
    st.plotly_chart(figure, width="stretch", key=f"chart_{key}")
    source_caption(version, source)


def empty(message_key: str = "empty.no_data") -> None:
    """An empty state."""
    st.info(t(message_key))


def page_header(title_key: str, intro_key: str | None = None) -> None:
    """The page's header and its one-line explanation."""
    st.header(t(title_key))
    if intro_key:
        st.caption(t(intro_key))
