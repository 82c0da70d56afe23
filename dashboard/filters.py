"""The shared sidebar filters (period, community, department, problem type), kept in the URL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import streamlit as st

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from dashboard.text import t
from warehouse.metrics import Period

# URL query parameter -> widget key; the router writes every one back after each run
PARAMS = {
    "from": "filter_from",
    "to": "filter_to",
    "community": "filter_community",
    "department": "filter_department",
    "ptype": "filter_problem_type",
}
ALL = ""


@dataclass(frozen=True)
class Filters:
    """The shared filters the router owns and every page reads."""

    language: str
    period: Period
    problem_type: str | None = None

    def params(self) -> dict[str, object]:
        """The filters as bound SQL parameters ($date_from … $community, $department, $ptype)."""
        return {**self.period.params(), "ptype": self.problem_type}

    def without_problem_type(self) -> Filters:
        """The same filters with the problem type cleared."""
        return replace(self, problem_type=None)


def _param(name: str) -> str | None:
    try:
        value = st.query_params.get(name)
    except Exception:  # a malformed query string is ignored, never raised into the page
        return None
    return value if isinstance(value, str) and len(value) <= 200 else None


def _param_date(name: str) -> date | None:
    value = _param(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _set_param(name: str, value: str | None) -> None:
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def language_switch() -> str:
    """The language radio; the choice is kept in the URL as ?lang=."""
    wanted = _param("lang") or DEFAULT_LANGUAGE
    if wanted not in LANGUAGES:
        wanted = DEFAULT_LANGUAGE
    codes = list(LANGUAGES)
    if st.session_state.get("filter_language") not in codes:
        st.session_state.pop("filter_language", None)
    chosen = st.sidebar.radio(
        translate("filter.language", wanted),
        codes,
        index=codes.index(wanted),
        format_func=LANGUAGES.__getitem__,
        horizontal=True,
        key="filter_language",
    )
    st.session_state["language"] = chosen
    st.query_params["lang"] = chosen
    return str(chosen)


def _choice(
    param: str, key: str, label: str, options: dict[str, str], locked: bool = False
) -> str | None:
    """A selectbox over `options` (id -> name) with an "all" entry; the URL value if it is known.
    `locked`: no "all" entry (a department user's own departments), disabled with one option."""
    codes = [*options] if locked else [ALL, *options]
    wanted = _param(param) or ALL
    if key in st.session_state and st.session_state[key] not in codes:
        del st.session_state[key]
    chosen = st.sidebar.selectbox(
        label,
        codes,
        index=codes.index(wanted) if wanted in codes else 0,
        format_func={ALL: t("filter.all"), **options}.__getitem__,
        key=key,
        disabled=locked and len(codes) == 1,
    )
    value = chosen or None
    _set_param(param, value)
    return value


def shared_filters(
    language: str,
    default_from: date,
    default_to: date,
    as_of: datetime,
    options: dict[str, dict[str, str]],
    own_departments: tuple[str, ...] = (),
) -> Filters:
    """Period, community, department and problem type in the sidebar; unknown URL values ignored.
    `own_departments` (a department user's): the department filter offers only those, no "all"."""
    st.sidebar.subheader(t("filter.header"))
    chosen_from = _param_date("from") or default_from
    chosen_to = _param_date("to") or default_to
    date_from = st.sidebar.date_input(t("filter.from"), value=chosen_from, key="filter_from")
    date_to = st.sidebar.date_input(t("filter.to"), value=chosen_to, key="filter_to")
    if not isinstance(date_from, date) or not isinstance(date_to, date) or date_from > date_to:
        st.sidebar.warning(t("filter.bad_period"))
        date_from, date_to = default_from, default_to
    st.query_params["from"] = date_from.isoformat()
    st.query_params["to"] = date_to.isoformat()
    community = _choice(
        "community", PARAMS["community"], t("filter.community"), options["community"]
    )
    departments = options["department"]
    if own_departments:
        departments = {d: departments.get(d, d) for d in own_departments}
    department = _choice(
        "department",
        PARAMS["department"],
        t("filter.department"),
        departments,
        locked=bool(own_departments),
    )
    problem_type = _choice(
        "ptype", PARAMS["ptype"], t("filter.problem_type"), options["problem_type"]
    )
    period = Period(date_from, date_to, as_of, community=community, department=department)
    return Filters(language, period, problem_type)


def current() -> Filters:
    """The filters the router set for this run."""
    return st.session_state["filters"]
