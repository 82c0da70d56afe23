"""Record tables: every row through `warehouse.access` (scoped, masked in SQL, audited per view).

The access layer keeps the masked frames it read for a short while (`RECORD_TTL`), keyed by the
warehouse version, the viewer's role and departments, and every bound filter; each view is still
checked and audited, and reveals are never kept.

A `RecordView` names the dataset, the filters and, for lists computed elsewhere (overdue cases,
repeat chains), a frame of non-personal columns keyed by record id that is joined onto the rows the
viewer may see. Downloads call the access layer again with `action="export"` when clicked. An
analyst who may reveal gets a form: record ids and a reason -> `Reveal`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import duckdb
import polars as pl
import streamlit as st

from dashboard import auth, queries
from dashboard.components import table
from dashboard.text import t
from warehouse import access
from warehouse.access import AccessError, RecordCache, RecordFilters, Reveal, Viewer
from warehouse.audit import AuditStore

RECORD_TTL = 120  # seconds a masked record frame is served again (audited each time)
RECORD_ENTRIES = 256
KEYS = {"tickets": "complaint_id", "visits": "visit_id", "cases": "case_round_id"}
FETCH: dict[str, Callable[..., pl.DataFrame]] = {
    "tickets": access.tickets,
    "visits": access.visits,
    "cases": access.cases,
}


@dataclass(frozen=True)
class RecordView:
    """One record table: dataset, widget key, page name (for the audit), source caption, filters;
    `columns` keeps some of the access layer's columns (all when empty); `extra` is joined on
    its column `on` (the record id) and restricts the rows to its ids, in its order."""

    dataset: str
    key: str
    page: str
    source: str
    filters: RecordFilters = field(default_factory=RecordFilters)
    columns: tuple[str, ...] = ()
    extra: pl.DataFrame | None = None
    on: str | None = None


def compose(view: RecordView, rows: pl.DataFrame) -> pl.DataFrame:
    """The access layer's rows shaped for the view (columns kept, the extra frame joined)."""
    key = KEYS[view.dataset]
    if view.columns:
        rows = rows.select([c for c in (key, *view.columns) if c in rows.columns])
    if view.extra is None:
        return rows
    on = view.on or key
    extra = view.extra.with_row_index("_order")
    rows = rows.drop([c for c in rows.columns if c in extra.columns and c != on])
    if on != key:
        rows = rows.drop([on] if on in rows.columns else []).rename({key: on})
    joined = extra.join(rows, on=on, how="inner", coalesce=True).sort("_order")
    return joined.drop("_order")


def scoped_filters(view: RecordView) -> RecordFilters:
    """The view's filters; for an extra frame, only its record ids."""
    if view.extra is None:
        return view.filters
    ids = view.extra.get_column(view.on or KEYS[view.dataset]).cast(pl.String).drop_nulls()
    wanted = tuple(dict.fromkeys(ids.to_list()))[: access.MAX_IDS]
    return RecordFilters(record_ids=wanted or ("",), limit=max(len(wanted), 1))


@st.cache_resource(max_entries=2)
def _record_cache(version: queries.WarehouseVersion) -> RecordCache:
    return RecordCache(ttl=RECORD_TTL, max_entries=RECORD_ENTRIES)


def record_cache(version: queries.WarehouseVersion) -> tuple[RecordCache, str]:
    """The shared record cache for a warehouse version, and the version's key for it."""
    return _record_cache(version), f"{version.path}:{version.stamp}"


def fetch(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    view: RecordView,
    store: AuditStore,
    *,
    reveal: Reveal | None = None,
    action: str = "view",
    cache: tuple[RecordCache, str] | None = None,
) -> pl.DataFrame:
    """The view's rows as this viewer may see them; raises the access layer's refusals."""
    kept, version = cache if cache is not None else (None, None)
    rows = FETCH[view.dataset](
        con, viewer, scoped_filters(view), audit=store, page=view.page, reveal=reveal,
        action=action, cache=kept, version=version,
    )  # fmt: skip
    return compose(view, rows)


def export(
    connection: duckdb.DuckDBPyConnection, viewer: Viewer, view: RecordView, store: AuditStore,
    reveal: Reveal | None, cache: tuple[RecordCache, str] | None = None,
) -> pl.DataFrame:  # fmt: skip
    """The download's rows: read again on click (or from the cache), audited as an export."""
    return fetch(
        connection.cursor(), viewer, view, store, reveal=reveal, action="export", cache=cache
    )


def refusal(error: AccessError) -> None:
    """A refusal in the UI language."""
    key = f"access.{error.code}"
    if error.code == "aggregates_only":
        st.info(t(key))
    else:
        st.warning(t(key))


def _reveal_key(view: RecordView) -> str:
    return f"reveal_{view.key}"


def _reveal_form(view: RecordView, ids: list[str]) -> None:
    """Analysts: pick records and give a reason to see their personal information."""
    active = st.session_state.get(_reveal_key(view))
    with st.expander(t("reveal.header"), expanded=isinstance(active, Reveal)):
        if isinstance(active, Reveal):
            st.caption(t("reveal.active", count=len(active.record_ids)))
            if st.button(t("reveal.clear"), key=f"reveal_clear_{view.key}"):
                st.session_state.pop(_reveal_key(view), None)
                st.rerun()
        with st.form(f"reveal_form_{view.key}"):
            chosen = st.multiselect(t("reveal.ids"), ids[:500], key=f"reveal_ids_{view.key}")
            reason = st.text_input(
                t("reveal.reason"), max_chars=access.MAX_REASON, key=f"reveal_reason_{view.key}"
            )
            submitted = st.form_submit_button(t("reveal.submit"))
        if submitted:
            try:
                st.session_state[_reveal_key(view)] = Reveal(tuple(chosen), reason)
            except AccessError as error:
                refusal(error)
                return
            st.rerun()


def show(view: RecordView) -> pl.DataFrame | None:
    """The view as a table with audited downloads (and the reveal form for analysts); the
    refusal's message instead when the viewer may not see records. Returns the rows shown."""
    version = queries.current_version()
    if version is None:
        return None
    viewer = auth.viewer()
    store = auth.audit_store()
    reveal = st.session_state.get(_reveal_key(view)) if viewer.can_reveal else None
    reveal = reveal if isinstance(reveal, Reveal) else None
    connection = queries.connection(version)
    cache = record_cache(version)
    try:
        rows = fetch(connection.cursor(), viewer, view, store, reveal=reveal, cache=cache)
    except AccessError as error:
        refusal(error)
        return None
    table(
        rows, view.key, version, view.source,
        export=partial(export, connection, viewer, view, store, reveal, cache),
    )  # fmt: skip
    if viewer.can_reveal and not rows.is_empty():
        key = KEYS[view.dataset] if view.extra is None else (view.on or KEYS[view.dataset])
        _reveal_form(view, [str(v) for v in rows.get_column(key).to_list()])
    return rows
