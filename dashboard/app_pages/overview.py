"""总览 Overview: KPI tiles against targets, the overall index, monthly trends, red/black lists."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.components import chart, format_value, kpi_tile, page_header, source_caption, table
from dashboard.queries_grids import grid_kpis
from dashboard.queries_indicators import red_black
from dashboard.queries_overview import kpi_series, previous_period
from dashboard.scoring import SCORE_CAP, overall_index, status
from dashboard.text import t
from warehouse.metrics import KPIS

RATE_HOVER = "%{x|%Y-%m}: %{y:.1%} (%{customdata})<extra></extra>"
DAYS_HOVER = "%{x|%Y-%m}: %{y:.1f} (%{customdata})<extra></extra>"
chosen = filters.current()
period = chosen.period
version = queries.current_version()
page_header("overview.header")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
st.caption(
    t(
        "overview.caption",
        date_from=period.date_from,
        date_to=period.date_to,
        as_of=period.as_of.strftime("%Y-%m-%d %H:%M"),
    )
)
if chosen.problem_type:
    st.caption(t("overview.ptype_note"))
values = queries.kpis(version, period, chosen.problem_type)
previous = queries.kpis(version, previous_period(period), chosen.problem_type)
series = kpi_series(version, chosen.params())

# the overall index: each targeted KPI scored against its target, averaged
index = overall_index(values)
left, right = st.columns([1, 3])
with left, st.container(border=True):
    st.metric(
        t("overview.index"),
        "—" if index.value is None else f"{index.value:.2f}",
        help=t("overview.index_help", cap=SCORE_CAP),
    )
    st.caption(t("overview.index_scale"))
with right, st.expander(t("overview.index_how"), expanded=False):
    st.markdown(t("overview.index_help", cap=SCORE_CAP))
    rows = [
        {
            "kpi": t(f"kpi.{name}"),
            "value_text": format_value(values[name].value, values[name].unit),
            "target_text": f"{kpi.target.op} {format_value(kpi.target.value, kpi.unit)}"
            if (kpi := values[name]).target
            else "",
            "score": round(value, 3),
            "status_text": t(f"status.{status(values[name])}"),
        }
        for name, value in index.scores.items()
    ]
    table(pl.DataFrame(rows), "overall_index", version, "complaint_tickets, rectification_cases")

st.subheader(t("overview.tiles"))
tiles = list(values.values())
for start in range(0, len(tiles), 4):
    for column, value in zip(st.columns(4), tiles[start : start + 4], strict=False):
        with column:
            trend = series.filter(pl.col("name") == value.name).tail(12)
            kpi_tile(value, previous.get(value.name), trend)
source_caption(version, "complaint_tickets, inspection_visits, rectification_cases")

if period.community:  # a community chosen: its complaint KPIs grid by grid
    st.subheader(t("overview.by_grid"))
    st.caption(t("overview.by_grid_caption"))
    if chosen.problem_type or period.department:
        st.caption(t("overview.by_grid_filters"))
    grids = grid_kpis(version, chosen.params(), t("overview.grid_unresolved"))
    table(grids, "kpis_by_grid", version, "complaints_monthly_grid")

st.subheader(t("overview.trends"))
names = [name for name in KPIS if name in set(series["name"].to_list())]
if not names:
    st.info(t("empty.no_data"))
else:
    name = st.selectbox(
        t("overview.trend_kpi"),
        names,
        format_func={n: t(f"kpi.{n}") for n in names}.__getitem__,
        key="overview_trend_kpi",
    )
    trend = series.filter(pl.col("name") == name)
    target = values[name].target
    is_rate = values[name].unit != "working_days"
    figure = charts.rate_trend(
        trend,
        x="month_on",
        y="value",
        target=None if target is None else target.value,
        x_label=t("chart.month"),
        y_label=t(f"kpi.{name}"),
        target_label=t("chart.target"),
        numerator="numerator",
        denominator="denominator",
        value_format=".0%" if is_rate else ".1f",
        hovertemplate=RATE_HOVER if is_rate else DAYS_HOVER,
    )
    st.caption(t("overview.trend_caption"))
    chart(figure, version, "complaints_monthly, inspections_monthly, rectification_cases", "trend")

st.subheader(t("overview.red_black"))
lists = red_black(version, period)  # the street's ranking: a community filter does not narrow it
if lists is not None:
    top, bottom = lists
    st.caption(t("overview.red_black_caption"))
    red, black = st.columns(2)
    with red:
        st.markdown(t("overview.red_list"))
        table(top, "red_list", version, "indicator_compliance")
    with black:
        st.markdown(t("overview.black_list"))
        table(bottom, "black_list", version, "indicator_compliance")
else:
    st.info(t("empty.pending", what="warehouse.scores.red_black_list"))
