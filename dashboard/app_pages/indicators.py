"""指标 Indicators: compliance per community and indicator, and the weighted evaluation score."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.components import chart, page_header, table
from dashboard.queries_indicators import catalogue, compliance, evaluation_scores
from dashboard.text import t

chosen = filters.current()
version = queries.current_version()
page_header("indicators.header", "indicators.intro")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
params = chosen.params()
MAX_CHART_ROWS = 40  # a chart shows the communities furthest behind; the table has them all

st.subheader(t("indicators.scores"))
st.caption(t("indicators.scores_caption"))
scores = evaluation_scores(version, chosen.period)
if scores is None:
    st.info(t("empty.pending", what="warehouse.scores.evaluation_scores"))
else:
    if {"community_name", "score"} <= set(scores.columns) and not scores.is_empty():
        scored = scores.drop_nulls("score").sort("score").head(MAX_CHART_ROWS)
        if scored.height < scores.height:
            st.caption(t("indicators.lowest", count=MAX_CHART_ROWS))
        figure = charts.count_bars(
            scored,
            category="community_name",
            value="score",
            value_label=t("col.score"),
        )
        chart(figure, version, "indicator_compliance", "scores")
    table(scores, "evaluation_scores", version, "indicator_compliance")

st.subheader(t("indicators.compliance"))
cells = compliance(version, params)
if cells is None:
    st.info(t("empty.pending", what="indicator_compliance"))
elif cells.is_empty():
    st.info(t("empty.no_data"))
else:
    measured = cells.drop_nulls("compliance_pct")
    lowest = (
        measured.group_by("community").agg(pl.col("compliance_pct").mean())
        .sort("compliance_pct", "community").head(MAX_CHART_ROWS)["community"]
    )  # fmt: skip
    if measured["community"].n_unique() > MAX_CHART_ROWS:
        st.caption(t("indicators.lowest", count=MAX_CHART_ROWS))
    figure = charts.matrix(
        measured.filter(pl.col("community").is_in(lowest.to_list())),
        rows="community",
        columns="indicator",
        value="compliance_pct",
        row_label=t("col.community"),
        column_label=t("col.indicator"),
        percent=True,
    )
    chart(figure, version, "indicator_compliance", "compliance")
    table(cells, "indicator_compliance", version, "indicator_compliance")

st.subheader(t("indicators.catalogue"))
table(catalogue(version), "indicator_catalogue", version, "stg_reference__indicators")
