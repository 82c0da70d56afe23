"""审计 Audit: the audit log (who saw, exported or revealed which records) and the user list."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.components import page_header
from dashboard.records import refusal
from dashboard.text import t
from warehouse.access import AccessError, audit_log
from warehouse.users import UserError

ACTIONS = ["", "view", "export", "reveal", "denied", "login", "login_failed", "logout"]

page_header("audit.header", "audit.intro")
viewer = auth.viewer()
left, right = st.columns(2)
action = left.selectbox(
    t("audit.action"),
    ACTIONS,
    format_func=lambda a: a or t("filter.all"),
    key="audit_action",
)
user = right.text_input(t("audit.user"), max_chars=64, key="audit_user")
st.subheader(t("audit.log"))
try:
    log = audit_log(auth.audit_store(), viewer, user=user.strip() or None, action=action or None)
except AccessError as error:
    refusal(error)
    st.stop()
st.dataframe(log, hide_index=True, width="stretch")  # a table, never markdown: users typed it

st.subheader(t("audit.users"))
try:
    users = auth.users_table()
except UserError:
    st.warning(t("audit.users_unreadable"))
    st.stop()
st.dataframe(pl.DataFrame(users), hide_index=True, width="stretch")
