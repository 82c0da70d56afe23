"""总览 Overview: the headline KPIs against their targets and the monthly trend, for leadership."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries
from dashboard.components import Filters, kpi_tile, source_caption, t

filters: Filters = st.session_state["filters"]
period = filters.period
version = queries.current_version()
st.header(t("overview.header"))
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
values = queries.kpis(version, period)
tiles = list(values.values())
for start in range(0, len(tiles), 4):
    for column, value in zip(st.columns(4), tiles[start : start + 4], strict=False):
        with column:
            kpi_tile(value)

st.subheader(t("overview.trend"))
trend = queries.monthly_repeat_rate(version, period.date_to)
if trend.is_empty():
    st.info(t("empty.no_data"))
else:
    target = values["repeat_complaint_rate"].target
    st.plotly_chart(
        charts.rate_trend(
            trend,
            x="month_on",
            y="repeat_complaint_rate",
            target=None if target is None else target.value,
            x_label=t("chart.month"),
            y_label=t("chart.rate"),
            target_label=t("chart.target"),
        ),
        width="stretch",
    )
source_caption("complaints_monthly", queries.last_load(version))
