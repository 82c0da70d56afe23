"""数据质量 Data quality: per department, last file, freshness, rows loaded/quarantined, drift;
the period's complaints: address resolution rate, unresolved addresses, quick closes."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, charts, filters, queries
from dashboard.components import chart, format_rate, number, page_header, table
from dashboard.queries_quality import drift, per_source, reasons, rejected, tickets, unresolved
from dashboard.text import t
from warehouse.access import ADMIN, ANALYST
from warehouse.settings import load_settings

TOTALS = ["count_rows_received", "count_rows_loaded", "count_rows_quarantined"]
TOTALS += ["count_files_rejected", "count_schema_drift_events"]

chosen = filters.current()
version = queries.current_version()
page_header("quality.header", "quality.intro")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
params = chosen.params()
sources = per_source(version, params)
st.subheader(t("quality.sources"))
st.caption(t("quality.sources_caption"))
if sources is None:
    st.info(t("empty.pending", what="data_quality"))
else:
    present = [name for name in TOTALS if name in sources.columns]
    for column, name in zip(st.columns(len(present) or 1), present, strict=False):
        column.metric(t(f"col.{name}"), number(float(sources[name].fill_null(0).sum())))
    table(sources, "data_quality", version, "data_quality")
    if {"source", "quarantine_rate"} <= set(sources.columns):
        rates = sources.drop_nulls("quarantine_rate")
        figure = charts.count_bars(
            rates,
            category="source",
            value="quarantine_rate",
            value_label=t("col.quarantine_rate"),
            value_format=".1%",
        )
        chart(figure, version, "data_quality", "quarantine_rate")

st.subheader(t("quality.drift"))
st.caption(t("quality.drift_caption"))
drifted = drift(version, params)
if drifted is not None:
    table(drifted, "schema_drift", version, "raw.load_ledger")

st.subheader(t("quality.reasons"))
unmasked = auth.viewer().role in (ANALYST, ADMIN)
if not unmasked:
    st.caption(t("quality.reasons_masked"))
table(reasons(version, params, unmasked), "quarantine_reasons", version, "raw.load_ledger")
st.subheader(t("quality.rejected"))
table(rejected(version, params), "rejected_files", version, "raw.load_ledger")

st.subheader(t("quality.tickets"))
minutes = load_settings().quick_close_minutes
st.caption(t("quality.tickets_caption", minutes=minutes))
complaints = tickets(version, params)
with_address = float(complaints["count_with_address"].sum())
resolved = float(complaints["count_address_resolved"].sum())
left = st.columns(3)
left[0].metric(
    t("col.address_resolution_rate"), format_rate(resolved / with_address if with_address else None)
)
left[1].metric(
    t("col.count_address_unresolved"), number(float(complaints["count_address_unresolved"].sum()))
)
left[2].metric(
    t("quality.closed_within", minutes=minutes),
    number(float(complaints["count_closed_within_minutes"].sum())),
)
table(complaints, "complaint_quality", version, "complaint_tickets")
st.subheader(t("quality.unresolved"))
st.caption(t("quality.unresolved_masked"))
table(unresolved(version, params), "unresolved_addresses", version, "complaint_tickets")
