"""热点 Hotspots: grid map, ranked areas, rising hotspots, drill-down to tickets and visits."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, filters, queries
from dashboard.components import chart, number, page_header, table
from dashboard.queries_areas import (
    MAX_GRID_SHAPES,
    area_params,
    category_mix,
    community_centres,
    grid_count,
    grid_shapes,
    hotspots,
)
from dashboard.records import RecordView, show
from dashboard.text import t
from warehouse.access import RecordFilters

METRICS = ["count_complaints", "count_failed_items", "count_problems"]
TICKET_COLUMNS = ("received_at", "caller_name", "caller_phone", "address", "problem_type",
                  "handling_department", "status", "is_repeat", "original_complaint_id",
                  "closed_at", "satisfaction", "description")  # fmt: skip
VISIT_COLUMNS = ("inspected_on", "department", "address", "subject", "is_failed", "problem",
                 "problem_type", "is_duplicate", "departments_involved")  # fmt: skip
SOURCE = "hotspots_monthly"

chosen = filters.current()
version = queries.current_version()
page_header("hotspots.header", "hotspots.intro")
if version is None:
    st.info(t("empty.no_warehouse"))
    st.stop()
period = chosen.period
ptype = chosen.problem_type
if period.department:
    st.caption(t("hotspots.filters_note"))
if ptype:
    st.caption(t("hotspots.ptype_note"))
communities = hotspots(version, period, "community", None, ptype)
if communities is None:
    st.info(t("empty.pending", what="warehouse.hotspots / hotspots_monthly"))
    st.stop()


def pick(column: object, label_key: str, frame: pl.DataFrame, key: str, fixed: str | None) -> str:
    """A drill-down selectbox over the areas in `frame` ("all" first)."""
    names = dict(zip(frame["area_id"].to_list(), frame["area_name"].to_list(), strict=True))
    codes = [fixed] if fixed else ["", *names]
    if key in st.session_state and st.session_state[key] not in codes:
        del st.session_state[key]
    value = column.selectbox(  # type: ignore[attr-defined]
        t(label_key),
        codes,
        format_func={"": t("filter.all"), **{k: str(v) for k, v in names.items()}}.get,
        key=key,
        disabled=bool(fixed) or frame.is_empty(),
    )
    return str(value or "")


EMPTY = pl.DataFrame(schema={"area_id": pl.String, "area_name": pl.String})
st.subheader(t("hotspots.drill"))
columns = st.columns(3)
community = pick(columns[0], "hotspots.community", communities, "hot_community", period.community)
grids = hotspots(version, period, "grid", community, ptype) if community else None
grids = EMPTY if grids is None else grids
grid = pick(columns[1], "hotspots.grid", grids, "hot_grid", None)
addresses = hotspots(version, period, "address", grid, ptype) if grid else None
addresses = EMPTY if addresses is None else addresses
address = pick(columns[2], "hotspots.address", addresses, "hot_address", None)
params = area_params(chosen.params(), community or None, grid or None, address or None)
level, ranked = (
    ("address", addresses) if grid else ("grid", grids) if community else ("community", communities)
)

metric = st.radio(
    t("hotspots.metric"),
    METRICS,
    format_func={m: t(f"col.{m}") for m in METRICS}.__getitem__,
    horizontal=True,
    key="hot_metric",
)

st.subheader(t("hotspots.map"))
if grid_count(version, params) > MAX_GRID_SHAPES:  # too many grids to draw: communities as points
    map_level = "community"
    shapes = community_centres(version)
    map_values: pl.DataFrame | None = communities
else:
    map_level = "grid"
    shapes = grid_shapes(version, params)
    map_values = grids if community else hotspots(version, period, "grid", None, ptype)
if shapes.is_empty():
    st.info(t("hotspots.no_shapes"))
else:
    if map_values is None or map_values.is_empty():  # no problems in any area: all zero
        map_values = pl.DataFrame(
            schema={
                "area_id": pl.String,
                "households": pl.Int64,
                **dict.fromkeys(METRICS, pl.Int64),
            }
        )
    keep = ["area_id", "households", *METRICS]
    if map_level == "community":
        keep.append("area_name")
    mapped = shapes.join(map_values.select(keep), on="area_id", how="left")
    per_households = mapped["households"].fill_null(0).sum() > 0
    if per_households:
        mapped = mapped.with_columns(
            value=pl.when(pl.col("households") > 0).then(
                1000.0 * pl.col(metric).fill_null(0) / pl.col("households")
            )
        )
        caption, unit = "hotspots.map_caption", t("hotspots.per_1000")
    else:  # no household counts for the grids: colour by the count itself, and say so
        mapped = mapped.with_columns(value=pl.col(metric).fill_null(0).cast(pl.Float64))
        caption, unit = "hotspots.map_caption_counts", t(f"col.{metric}")
    if map_level == "community":
        figure = charts.point_map(mapped.drop_nulls("area_name"), value="value", value_label=unit)
        st.caption(t("hotspots.map_communities", count=number(MAX_GRID_SHAPES)))
    else:
        figure = charts.grid_map(mapped, value="value", value_label=unit)
    st.caption(t(caption, metric=t(f"col.{metric}")))
    chart(figure, version, SOURCE, "map")

st.subheader(t(f"hotspots.ranked.{level}"))
if not ranked.is_empty() and "is_rising" in ranked.columns:
    rising = ranked.filter(pl.col("is_rising"))
    if rising.height:
        names = "、".join(rising["area_name"].head(10).to_list())
        st.warning(t("hotspots.rising", count=rising.height, names=names))
    ranked = ranked.sort(metric, descending=True)
table(
    ranked.drop([c for c in ("community_id", "grid_id") if c in ranked.columns]),
    f"hotspots_{level}",
    version,
    SOURCE,
)

st.subheader(t("hotspots.mix"))
area = address or grid or community or None
area_level = "address" if address else "grid" if grid else "community"
mix = category_mix(version, period, area_level, area, ptype)
if mix.is_empty():
    st.info(t("empty.no_data"))
else:
    figure = charts.count_bars(
        mix.head(15),
        category="problem_type",
        value="count_problems",
        value_label=t("col.count_problems"),
    )
    chart(figure, version, SOURCE, "mix")
    table(mix, "category_mix", version, SOURCE)

st.subheader(t("hotspots.records"))
if not community:  # the records are the drill-down's last step: a whole street's are not read
    st.info(t("hotspots.records_pick"))
    st.stop()
scope = RecordFilters.from_params(params, community=community, limit=5000)
found = show(
    RecordView("tickets", "hotspot_tickets", "hotspots", "complaint_tickets", scope, TICKET_COLUMNS)
)
if found is not None:
    st.caption(t("hotspots.records_caption", count=number(found.height)))
st.markdown(t("hotspots.visits"))
if grid:
    st.caption(t("hotspots.visits_placed"))
show(RecordView("visits", "hotspot_visits", "hotspots", "inspection_visits", scope, VISIT_COLUMNS))
