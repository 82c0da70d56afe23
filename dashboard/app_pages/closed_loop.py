"""整改闭环 Closed loop: the funnel from finding to satisfaction, overdue cases, second rounds."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.components import chart, kpi_tile, page_header, table
from dashboard.queries_loop import STAGES, funnel, overdue, recurred, second_rounds, stage_rates
from dashboard.records import RecordView, show
from dashboard.text import t

LOOP_KPIS = [
    "feedback_within_24h_rate",
    "rectified_on_time_rate",
    "rectification_completion_rate",
    "evaluated_on_time_rate",
    "rectification_satisfaction_rate",
    "second_rectification_rate",
    "recurrence_3m_rate",
]

# the overdue list leads with who is responsible and by how much it is late
OVERDUE_FIRST = [
    "case_id",
    "working_days_overdue",
    "responsible_unit",
    "responsible_department",
    "community",
    "problem_type",
    "rectification_deadline_on",
]

PAGE, SOURCE = "closed-loop", "rectification_cases"
SHOWN = ("address",)

chosen = filters.current()
version = queries.current_version()
page_header("loop.header", "loop.intro")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
params = chosen.params()
values = queries.kpis(version, chosen.period, chosen.problem_type)
columns = st.columns(3)
for index, name in enumerate(LOOP_KPIS):
    with columns[index % 3]:
        kpi_tile(values[name])

st.subheader(t("loop.funnel"))
st.caption(t("loop.funnel_caption"))
counts = funnel(version, params)
if counts["count_found"] == 0:
    st.info(t("empty.no_data"))
else:
    figure = charts.funnel([t(f"loop.stage.{stage}") for stage in STAGES], list(counts.values()))
    chart(figure, version, "rectification_cases", "funnel")
    rates = stage_rates(counts).with_columns(
        pl.col("stage").map_elements(lambda s: t(f"loop.stage.{s}"), return_dtype=pl.String)
    )
    table(rates, "loop_stages", version, "rectification_cases")

st.subheader(t("loop.overdue"))
st.caption(t("loop.overdue_caption", as_of=chosen.period.as_of.strftime("%Y-%m-%d")))
late = overdue(version, chosen.period)
if late is None:
    st.info(t("empty.pending", what="warehouse.scorecards.overdue_cases"))
else:
    if chosen.problem_type:
        late = late.filter(pl.col("problem_type") == chosen.problem_type)
    first = [c for c in OVERDUE_FIRST if c in late.columns]
    late = late.select([*first, *(c for c in late.columns if c not in first)])
    show(RecordView("cases", "overdue_cases", PAGE, SOURCE, columns=("address",), extra=late))

st.subheader(t("loop.second"))
second = second_rounds(version, params)
show(RecordView("cases", "second_rectifications", PAGE, SOURCE, columns=SHOWN, extra=second))

st.subheader(t("loop.recurrence"))
again = recurred(version, params)
show(RecordView("cases", "recurred_cases", PAGE, SOURCE, columns=SHOWN, extra=again))
