"""检查 Inspections: the duplicate rate against the baseline, who duplicates whom, merges."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.components import chart, kpi_tile, number, page_header, table
from dashboard.queries_inspections import (
    baseline,
    department_pairs,
    duplicates_by_subject,
    merge_suggestions,
)
from dashboard.queries_overview import kpi_series
from dashboard.text import t

chosen = filters.current()
version = queries.current_version()
page_header("inspections.header", "inspections.intro")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
params = chosen.params()
values = queries.kpis(version, chosen.period)
base_period, base_rate = baseline(version, chosen.period)
reduction = values["duplicate_inspection_reduction"]
columns = st.columns(3)
with columns[0]:
    kpi_tile(values["duplicate_inspection_rate"])
with columns[1]:
    kpi_tile(reduction)
with columns[2], st.container(border=True):
    st.metric(
        t("inspections.baseline_rate"),
        "—" if base_rate.value is None else f"{base_rate.value:.1%}",
    )
    st.caption(
        t(
            "inspections.baseline_caption",
            date_from=base_period.date_from,
            date_to=base_period.date_to,
            fraction=f"{number(base_rate.numerator)} / {number(base_rate.denominator)}",
        )
    )
if chosen.problem_type:
    st.caption(t("inspections.ptype_note"))

st.subheader(t("inspections.trend"))
series = kpi_series(version, params).filter(pl.col("name") == "duplicate_inspection_rate")
if series.is_empty():
    st.info(t("empty.no_data"))
else:
    goal = reduction.target.value if reduction.target else None
    wanted = None if base_rate.value is None or goal is None else base_rate.value * (1 - goal)
    figure = charts.rate_trend(
        series,
        x="month_on",
        y="value",
        target=wanted,
        x_label=t("chart.month"),
        y_label=t("kpi.duplicate_inspection_rate"),
        target_label=t("inspections.target_line"),
        numerator="numerator",
        denominator="denominator",
        baseline=base_rate.value,
        baseline_label=t("inspections.baseline"),
    )
    chart(figure, version, "inspections_monthly", "duplicate_trend")

st.subheader(t("inspections.matrix"))
st.caption(t("inspections.matrix_caption"))
pairs = department_pairs(version, params)
if pairs.is_empty():
    st.info(t("empty.no_data"))
else:
    figure = charts.matrix(
        pairs,
        rows="earlier_department",
        columns="later_department",
        value="count_duplicates",
        row_label=t("col.earlier_department"),
        column_label=t("col.later_department"),
    )
    chart(figure, version, "duplicate_inspection_pairs", "pairs")
    table(pairs, "duplicate_pairs", version, "duplicate_inspection_pairs")

st.subheader(t("inspections.by_subject"))
table(
    duplicates_by_subject(version, params), "duplicates_by_subject", version, "inspections_monthly"
)

st.subheader(t("inspections.merges"))
merges = merge_suggestions(version, params)
if not merges.is_empty():
    st.metric(t("inspections.visits_saved"), number(float(merges["count_visits_saved"].sum())))
table(merges, "merge_suggestions", version, "merge_suggestions")
