"""The dashboard's router: title, language, sign-in, shared filters, the pages a role may open."""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard import auth, queries, warmup
from dashboard.filters import language_switch, shared_filters
from dashboard.registry import PAGES, PageSpec
from dashboard.text import t
from warehouse.access import DEPARTMENT, aggregate_allowed

LOG = logging.getLogger("duban.dashboard")


def _filters(language: str, departments: tuple[str, ...]) -> None:
    """The shared filters for the aggregate roles; stops the run when there is no warehouse."""
    version = queries.current_version()
    if version is None:
        st.info(t("empty.no_warehouse"))
        st.stop()
    as_of = warmup.as_of_now()
    try:
        default_from, default_to = queries.default_dates(version, as_of)
        options = queries.options(version)
    except Exception:  # a warehouse built by an older version, or one being replaced
        st.warning(t("empty.unreadable"))
        st.stop()
    st.session_state["filters"] = shared_filters(
        language, default_from, default_to, as_of, options, departments
    )


def _page(page: PageSpec, default: bool) -> StreamlitPage:
    return st.Page(
        str(page.path),
        title=t(page.title_key),
        icon=page.icon,
        url_path=page.url_path,
        default=default,
    )


def _hold_requested_page() -> None:
    """Before signing in: resolve the URL's page without running it or showing a menu, so that
    the run after signing in opens it (when the role may)."""
    st.navigation([_page(page, index == 0) for index, page in enumerate(PAGES)], position="hidden")


def main() -> None:
    """Set up the page, sign the viewer in, set the shared filters and run the selected page."""
    st.set_page_config(page_title="督办 Duban", page_icon=":material/fact_check:", layout="wide")
    language = language_switch()
    st.title(t("app.title"))
    version = queries.current_version()
    if version is not None and auth.VIEWER_KEY not in st.session_state:
        warmup.start(version)  # the default overview's figures, while the viewer signs in
    viewer = auth.require_viewer(_hold_requested_page)  # the sign-in, and a stop, until signed in
    if aggregate_allowed(viewer):
        own = viewer.departments if viewer.role == DEPARTMENT else ()
        _filters(language, own)
    entries = [(index, page) for index, page in enumerate(PAGES) if page.allows(viewer)]
    if not entries:
        st.warning(t("access.unknown_viewer"))
        st.stop()
    navigation = st.navigation(
        [_page(page, default=position == 0) for position, (_, page) in enumerate(entries)]
    )
    try:
        navigation.run()
    except Exception:  # nothing raises into the page: say so, log the details for the operator
        LOG.exception("page %s failed", navigation.url_path)
        st.error(t("error.page"))


main()
