"""UI text in the current language: `t(key, **values)` over the message catalogue."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import DEFAULT_LANGUAGE, MESSAGES, translate


def language() -> str:
    """The UI language chosen in the sidebar (kept in the URL as ?lang=)."""
    return str(st.session_state.get("language", DEFAULT_LANGUAGE))


def t(key: str, **values: object) -> str:
    """Translate a message key in the current language."""
    return translate(key, language(), **values)


def label(name: str) -> str:
    """A column's display label (`col.<name>` in the catalogue), else the column name itself."""
    key = f"col.{name}"
    return translate(key, language()) if key in MESSAGES else name
