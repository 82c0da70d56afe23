"""Sign-in for the dashboard: OIDC (`st.login`) or a password form, an 8-hour session, sign-out.

The router calls `require_viewer()` before anything else renders. The Session lives in
`st.session_state[SESSION_KEY]`; every run re-reads the user (`sessions.current_viewer`), so a
removed or demoted account loses access on its next run. A password session also survives a reload
through a signed HttpOnly cookie (dashboard/session_cookie.py); OIDC keeps its own. Sign-out
revokes the session. Sign-ins, failed sign-ins and sign-outs are written to the audit store.
There is no bypass: tests put a Session in the session state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from dashboard import session_cookie
from dashboard.text import t
from warehouse.access import Viewer
from warehouse.audit import AuditEvent, AuditStore, audit_path
from warehouse.sessions import Session, current_viewer, new_session
from warehouse.users import UserError, authenticate, load_users, viewer_for, viewer_for_email

LOG = logging.getLogger("duban.dashboard")
SESSION_KEY = "auth_session"
VIEWER_KEY = "viewer"
COOKIE_NONCE_KEY = "auth_cookie_nonce"  # a password sign-in's cookie, to hand over on the next run
SIGNED_OUT_KEY = "auth_signed_out"  # this browser session signed out: never resume its cookie
MAX_NAME = 64


@st.cache_resource(max_entries=4)
def _store(path: str) -> AuditStore:
    return AuditStore(audit_path(path))


def audit_store() -> AuditStore:
    """The audit store (env DUBAN_AUDIT, else data/audit.sqlite), shared across runs."""
    return _store(str(audit_path().resolve()))


def _log(viewer_name: str, role: str, action: str, reason: str | None = None) -> None:
    try:
        audit_store().append(
            AuditEvent(user=viewer_name[:MAX_NAME], role=role, action=action, page="sign-in",
                       reason=reason)
        )  # fmt: skip
    except Exception:  # the audit file unwritable: say so in the operator's log, keep going
        LOG.exception("audit %s failed", action)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _lookup(name: str) -> Viewer | None:
    try:
        return viewer_for(name)
    except UserError:  # a broken users file: nobody gets in
        LOG.exception("users file unreadable")
        return None


def viewer() -> Viewer:
    """The signed-in viewer of this run (set by `require_viewer`)."""
    found = st.session_state.get(VIEWER_KEY)
    if not isinstance(found, Viewer):
        st.stop()
    return found


def start_session(signed_in: Viewer) -> None:
    """Keep a fresh 8-hour session for a viewer who has just signed in, and audit it."""
    st.session_state[SESSION_KEY] = new_session(signed_in.name, datetime.now(UTC))
    _log(signed_in.name, signed_in.role or "", "login")


def sign_out(reason: str | None = None) -> None:
    """End the session (and the OIDC identity), audit it and start again at the sign-in."""
    session = st.session_state.pop(SESSION_KEY, None)
    current = st.session_state.pop(VIEWER_KEY, None)
    st.session_state.pop(COOKIE_NONCE_KEY, None)
    st.session_state[SIGNED_OUT_KEY] = True
    if isinstance(session, Session):
        role = current.role or "" if isinstance(current, Viewer) else ""
        _log(session.user, role, "logout", reason)
        try:
            session_cookie.revoke(session)
        except Exception:  # the store unwritable: the cookie still expires with the session
            LOG.exception("revoking the session failed")
    if _oidc_configured() and st.user.is_logged_in:
        st.logout()


def _cookies() -> dict[str, str]:
    try:
        return dict(st.context.cookies)
    except Exception:  # no browser request behind this run (a bare script run)
        return {}


def _resumed(now: datetime) -> Session | None:
    """The session a reloaded page's cookie carries (a password sign-in's), if still valid."""
    if st.session_state.get(SIGNED_OUT_KEY) or session_cookie.COOKIE not in _cookies():
        return None
    try:
        return session_cookie.resume(_cookies(), now)
    except Exception:  # the secret or the revocation list unreadable: sign in again
        LOG.exception("resuming a session failed")
        return None


def _revoked(session: Session) -> bool:
    try:
        return session_cookie.RevokedSessions().is_revoked(session.token)
    except Exception:  # the revocation list unreadable: refuse, as an expired session
        LOG.exception("reading the revoked sessions failed")
        return True


def _active_viewer() -> Viewer | None:
    now = datetime.now(UTC)
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        session = _resumed(now)
        if session is None:
            return None
        st.session_state[SESSION_KEY] = session
    if not isinstance(session, Session):
        st.session_state.pop(SESSION_KEY, None)
        return None
    found = current_viewer(session, session.token, now, _lookup)
    if found is not None and _revoked(session):  # signed out in another tab
        found = None
    if found is None:  # expired, or the account was removed or lost its role
        sign_out("expired_or_revoked")
        st.info(t("auth.expired"))
    return found


def _password_form() -> Viewer | None:
    """The form; on a matching password the session starts and the app runs again."""
    st.header(t("auth.header"))
    with st.form("sign_in"):
        name = st.text_input(t("auth.user"), key="sign_in_user", max_chars=MAX_NAME)
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.submit"))
    if not submitted:
        return None
    try:
        found = authenticate(name.strip(), password)
    except UserError:
        LOG.exception("users file unreadable")
        found = None
    if found is None:
        _log(name.strip(), "", "login_failed")
        st.error(t("auth.failed"))
        return None
    start_session(found)
    st.session_state.pop(SIGNED_OUT_KEY, None)
    try:
        session = st.session_state[SESSION_KEY]
        st.session_state[COOKIE_NONCE_KEY] = session_cookie.offer(session, session.issued_at)
    except Exception:  # no secret to sign with: this tab's session only, as before
        LOG.exception("signing the session cookie failed")
    st.rerun()


def _oidc() -> Viewer | None:
    """The OIDC sign-in; the viewer whose email the identity provider vouches for."""
    if not st.user.is_logged_in:
        st.header(t("auth.header"))
        if st.button(t("auth.oidc"), key="sign_in_oidc"):
            st.login()
        return None
    email = st.user.get("email")
    verified = st.user.get("email_verified", True)
    found = viewer_for_email(str(email)) if email and verified is not False else None
    if found is None:
        _log(str(email or ""), "", "login_failed", "no_account")
        st.warning(t("auth.no_account"))
        if st.button(t("auth.sign_out"), key="sign_out_oidc"):
            st.logout()
        return None
    start_session(found)
    return found


def require_viewer(before_sign_in: Callable[[], None] | None = None) -> Viewer:
    """The signed-in viewer; otherwise the sign-in (form or OIDC) and the run stops here.

    `before_sign_in` runs before the sign-in is shown: the router resolves the page the URL
    names there (a hidden navigation, not run) so that the app comes back to it once signed in.
    """
    found = _active_viewer()
    if found is None:
        st.session_state.pop(VIEWER_KEY, None)
        if before_sign_in is not None:
            before_sign_in()
        if session_cookie.COOKIE in _cookies():  # signed out, expired or revoked: forget it
            st.html(session_cookie.clear_script(), unsafe_allow_javascript=True)
        found = _oidc() if _oidc_configured() else _password_form()
        if found is None:
            st.stop()
    nonce = st.session_state.pop(COOKIE_NONCE_KEY, None)
    if isinstance(nonce, str):  # just signed in with a password: the browser fetches its cookie
        st.html(session_cookie.issue_script(nonce), unsafe_allow_javascript=True)
    st.session_state[VIEWER_KEY] = found
    role = t(f"role.{found.role}")
    st.sidebar.caption(t("auth.signed_in_as", user=found.name, role=role))
    if st.sidebar.button(t("auth.sign_out"), key="sign_out"):
        sign_out()
        st.rerun()
    return found


def users_table() -> list[dict[str, object]]:
    """Every user without a password hash, for the admin page."""
    return [
        {
            "name": user.name,
            "role": user.role,
            "departments": "、".join(user.departments),
            "email": user.email or "",
            "may_reveal": user.may_reveal,
            "has_password": user.password_hash is not None,
        }
        for user in load_users().values()
    ]
