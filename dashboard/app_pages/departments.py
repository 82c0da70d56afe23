"""部门 Departments: scorecards, the joint meeting's agenda, and one department's own data."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.auth import viewer
from dashboard.components import chart, kpi_tile, page_header, table
from dashboard.queries_departments import agenda, min_volume, scorecard
from dashboard.records import RecordView, show
from dashboard.text import t
from warehouse.access import DEPARTMENT, RecordFilters

OWN_KPIS = [
    "repeat_complaint_rate",
    "response_within_24h_rate",
    "duplicate_inspection_rate",
    "rectification_completion_rate",
]
AGENDA = ("multi_department", "overdue", "merges")
SOURCE = "complaint_tickets, inspection_visits, rectification_cases"
VISIT_COLUMNS = (
    "inspected_on", "community", "subject", "is_failed", "problem",
    "is_duplicate", "previous_department", "departments_involved",
)  # fmt: skip
CASE_COLUMNS = (
    "case_id", "round", "community", "problem_type", "responsible_unit", "noticed_at",
    "rectification_deadline_on", "completed_at", "satisfaction_pct", "status",
)  # fmt: skip

chosen = filters.current()
version = queries.current_version()
page_header("departments.header", "departments.intro")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
period = chosen.period

st.subheader(t("departments.scorecard"))
st.caption(t("departments.scorecard_caption", minimum=min_volume()))
cards = scorecard(version, period, chosen.problem_type)
if cards is None:
    st.info(t("empty.pending", what="warehouse.scorecards"))
else:
    scored = cards.drop_nulls("performance") if "performance" in cards.columns else cards.head(0)
    if not scored.is_empty():
        figure = charts.count_bars(
            scored,
            category="department",
            value="performance",
            value_label=t("col.performance"),
            department_colours=True,
        )
        chart(figure, version, SOURCE, "cards")
    table(cards, "department_scorecard", version, SOURCE)

st.subheader(t("departments.agenda"))
items = agenda(version, period)
if items is None:
    st.info(t("empty.pending", what="warehouse.scorecards.agenda"))
else:
    tabs = st.tabs([t(f"departments.agenda.{name}") for name in AGENDA])
    for tab, name in zip(tabs, AGENDA, strict=True):
        with tab:
            rows = items.get(name, pl.DataFrame())
            if name == "overdue":  # case rounds: record-level, through the access layer
                show(
                    RecordView(
                        "cases", "agenda_overdue", "departments", "rectification_cases",
                        columns=("address",), extra=rows,
                    )
                )  # fmt: skip
                continue
            table(rows, f"agenda_{name}", version, "rectification_cases, merge_suggestions")

st.subheader(t("departments.own"))
me = viewer()
names = list(me.departments if me.role == DEPARTMENT else queries.options(version)["department"])
if not names:
    st.info(t("empty.no_data"))
    st.stop()
own = st.selectbox(
    t("departments.pick"),
    names,
    index=names.index(period.department) if period.department in names else 0,
    key="departments_own",
)
values = queries.kpis(version, replace(period, department=own), chosen.problem_type)
for column, name in zip(st.columns(len(OWN_KPIS)), OWN_KPIS, strict=True):
    with column:
        kpi_tile(values[name])
scope = RecordFilters.from_params(chosen.params(), department=own, limit=5000)
st.markdown(t("departments.own_visits", department=own))
show(RecordView("visits", "department_visits", "departments", "inspection_visits", scope,
                VISIT_COLUMNS))  # fmt: skip
st.markdown(t("departments.own_cases", department=own))
show(RecordView("cases", "department_cases", "departments", "rectification_cases", scope,
                CASE_COLUMNS))  # fmt: skip
