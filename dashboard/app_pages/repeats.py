"""重复投诉 Repeat complaints: the rate against the 10% target over time and by area; the chains."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.components import chart, kpi_tile, page_header, table
from dashboard.queries_complaints import chain_ids, repeat_chains, repeat_rate_by
from dashboard.queries_overview import kpi_series
from dashboard.records import RecordView, show
from dashboard.text import t

CHAIN_COLUMNS = (
    "received_at", "is_repeat", "previous_complaint_id", "address", "problem_type",
    "handling_department", "status", "closed_at", "satisfaction", "description",
)  # fmt: skip

chosen = filters.current()
version = queries.current_version()
page_header("repeats.header", "repeats.intro")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
params = chosen.params()
kpi = queries.kpis(version, chosen.period, chosen.problem_type)["repeat_complaint_rate"]
target = kpi.target.value if kpi.target else None
left, right = st.columns([1, 3])
with left:
    kpi_tile(kpi)
with right:
    series = kpi_series(version, params).filter(pl.col("name") == "repeat_complaint_rate")
    if series.is_empty():
        st.info(t("empty.no_data"))
    else:
        figure = charts.rate_trend(
            series,
            x="month_on",
            y="value",
            target=target,
            x_label=t("chart.month"),
            y_label=t("chart.rate"),
            target_label=t("chart.target"),
            numerator="numerator",
            denominator="denominator",
        )
        chart(figure, version, "complaints_monthly", "repeat_trend")

st.subheader(t("repeats.by"))
st.caption(t("repeats.by_caption"))
tabs = st.tabs(
    [t("repeats.by_community"), t("repeats.by_problem_type"), t("repeats.by_department")]
)
for tab, dimension in zip(tabs, ["community", "problem_type", "department"], strict=True):
    with tab:
        rates = repeat_rate_by(version, params, dimension)
        if rates.is_empty():
            st.info(t("empty.no_data"))
            continue
        colours = (
            [charts.department_colour(c) for c in rates.sort("repeat_complaint_rate")["category"]]
            if dimension == "department"
            else None
        )
        figure = charts.rate_bars(
            rates.head(30),
            category="category",
            rate="repeat_complaint_rate",
            numerator="count_repeats",
            denominator="count_complaints",
            target=target,
            rate_label=t("chart.rate"),
            target_label=t("chart.target"),
            colours=colours[-30:] if colours else None,
        )
        chart(figure, version, "complaints_monthly", f"repeat_by_{dimension}")
        table(rates, f"repeat_rate_by_{dimension}", version, "complaints_monthly")

st.subheader(t("repeats.chains"))
st.caption(t("repeats.chains_caption"))
chains = show(
    RecordView(
        "tickets", "repeat_chains", "repeats", "complaint_tickets, rectification_cases",
        columns=("address",), extra=repeat_chains(version, params), on="original_complaint_id",
    )
)  # fmt: skip
if chains is not None and not chains.is_empty():
    original = st.selectbox(
        t("repeats.chain_pick"),
        chains["original_complaint_id"].head(500).to_list(),
        key="repeats_chain",
    )
    if original:
        st.markdown(t("repeats.chain_tickets", original=original))
        show(
            RecordView(
                "tickets", "repeat_chain_tickets", "repeats", "complaint_tickets",
                columns=CHAIN_COLUMNS, extra=chain_ids(version, original),
            )
        )  # fmt: skip
