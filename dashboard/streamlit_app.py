"""The dashboard's router: title, language, shared filters and the page navigation."""

from __future__ import annotations

import streamlit as st

from dashboard import queries
from dashboard.components import Filters, language_switch, period_filter, t
from dashboard.registry import PAGES
from warehouse.clock import now_local


def main() -> None:
    """Set up the page, the shared filters and run the selected page."""
    st.set_page_config(page_title="督办 Duban", page_icon=":material/fact_check:", layout="wide")
    language = language_switch()
    st.title(t("app.title"))
    version = queries.current_version()
    if version is None:
        st.info(t("empty.no_warehouse"))
        st.stop()
    default_from, default_to = queries.default_dates(version, now_local())
    st.session_state["filters"] = Filters(language, period_filter(default_from, default_to))
    navigation = st.navigation(
        [
            st.Page(
                str(page.path),
                title=t(page.title_key),
                icon=page.icon,
                url_path=page.url_path,
                default=index == 0,
            )
            for index, page in enumerate(PAGES)
        ]
    )
    navigation.run()


main()
