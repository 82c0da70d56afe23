"""Small widgets shared by pages: language, period filter, KPI tile, source caption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from warehouse.clock import now_local
from warehouse.metrics import KpiValue, Period


@dataclass(frozen=True)
class Filters:
    """The shared filters the router owns and every page reads."""

    language: str
    period: Period


def language() -> str:
    """The UI language chosen in the sidebar (kept in the URL as ?lang=)."""
    return str(st.session_state.get("language", DEFAULT_LANGUAGE))


def t(key: str, **values: object) -> str:
    """Translate a message key in the current language."""
    return translate(key, language(), **values)


def _param_date(name: str) -> date | None:
    value = st.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def language_switch() -> str:
    """The language radio; the choice is kept in the URL."""
    wanted = st.query_params.get("lang", DEFAULT_LANGUAGE)
    if wanted not in LANGUAGES:
        wanted = DEFAULT_LANGUAGE
    codes = list(LANGUAGES)
    chosen = st.sidebar.radio(
        translate("filter.language", wanted),
        codes,
        index=codes.index(wanted),
        format_func=LANGUAGES.__getitem__,
        horizontal=True,
    )
    st.session_state["language"] = chosen
    st.query_params["lang"] = chosen
    return str(chosen)


def period_filter(default_from: date, default_to: date) -> Period:
    """From/to date inputs in the sidebar, kept in the URL as ?from=&to=."""
    chosen_from = _param_date("from") or default_from
    chosen_to = _param_date("to") or default_to
    st.sidebar.subheader(t("filter.header"))
    date_from = st.sidebar.date_input(t("filter.from"), value=chosen_from, key="filter_from")
    date_to = st.sidebar.date_input(t("filter.to"), value=chosen_to, key="filter_to")
    if not isinstance(date_from, date) or not isinstance(date_to, date) or date_from > date_to:
        st.sidebar.warning(t("filter.bad_period"))
        date_from, date_to = default_from, default_to
    st.query_params["from"] = date_from.isoformat()
    st.query_params["to"] = date_to.isoformat()
    return Period(date_from, date_to, now_local())


def format_rate(value: float | None) -> str:
    """A ratio as a percentage, or a dash."""
    return "—" if value is None else f"{value:.1%}"


def format_value(value: float | None, unit: str) -> str:
    """A KPI value in its unit, or a dash."""
    if value is None:
        return "—"
    if unit == "working_days":
        return t("unit.working_days", value=f"{value:.1f}")
    return format_rate(value)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.3f}"


def kpi_tile(kpi: KpiValue) -> None:
    """One KPI: value, target, status, numerator/denominator."""
    label = t(f"kpi.{kpi.name}")
    if kpi.target is None:
        target = t("kpi.no_target")
    else:
        target = t("kpi.target", op=kpi.target.op, value=format_value(kpi.target.value, kpi.unit))
    status = {True: t("kpi.met"), False: t("kpi.not_met"), None: t("kpi.no_data")}[kpi.meets_target]
    if kpi.target is None and kpi.value is not None:
        status = ""
    fraction = t(
        "kpi.fraction", numerator=_number(kpi.numerator), denominator=_number(kpi.denominator)
    )
    with st.container(border=True):
        st.metric(label, format_value(kpi.value, kpi.unit), help=target)
        st.caption(" · ".join(part for part in (target, status, fraction) if part))


def source_caption(source: str, loaded_at: datetime | None) -> None:
    """The caption under a chart or table: its source and the data's freshness."""
    when = loaded_at.strftime("%Y-%m-%d %H:%M") if loaded_at else t("source.never")
    st.caption(t("source.caption", source=source, loaded_at=when))
