"""Sign-in sessions: random tokens that expire 8 hours after sign-in; pure functions of `now`.

The dashboard keeps the Session in `st.session_state` after `users.authenticate` (or after
`st.login` and `users.viewer_for_email`), and on every run calls `current_viewer`, which checks
the token and the expiry and re-reads the user's role, so a removed or changed account takes
effect on the next run.

A password sign-in also gets a signed token (`sign_token`) the browser keeps in an HttpOnly cookie,
so that a reload (a new Streamlit session) resumes it: `read_token` accepts it only with a valid
HMAC-SHA256 under the server's secret and before its expiry; sign-out revokes its id
(warehouse/session_store.py), which `read_token`'s callers check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from warehouse.access import Viewer

SESSION_HOURS = 8
TOKEN_CONTEXT = b"duban-session-v1."  # bound into every signature: a token is for this use only
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Session:
    """A signed-in user's session."""

    token: str
    user: str
    issued_at: datetime
    expires_at: datetime


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("session times must be timezone-aware (e.g. datetime.now(UTC))")
    return now


def new_session(user: str, now: datetime, hours: float = SESSION_HOURS) -> Session:
    """A fresh session for a user, with a 256-bit random token, expiring `hours` after `now`."""
    now = _aware(now)
    return Session(
        token=secrets.token_urlsafe(32),
        user=user,
        issued_at=now,
        expires_at=now + timedelta(hours=hours),
    )


def is_active(session: Session | None, now: datetime) -> bool:
    """Whether the session exists and `now` lies in [issued_at, expires_at)."""
    if session is None:
        return False
    now = _aware(now)
    return session.issued_at <= now < session.expires_at


def token_matches(session: Session | None, presented: str | None) -> bool:
    """Whether a presented token is the session's (compared in constant time)."""
    if session is None or not presented:
        return False
    return hmac.compare_digest(session.token.encode(), presented.encode())


def current_viewer(
    session: Session | None,
    presented: str | None,
    now: datetime,
    lookup: Callable[[str], Viewer | None],
) -> Viewer | None:
    """The Viewer for an active session with a matching token, looked up afresh; else None."""
    if not is_active(session, now) or not token_matches(session, presented):
        return None
    assert session is not None
    viewer = lookup(session.user)
    return viewer if viewer is not None and viewer.is_known else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the session secret must have at least {MIN_SECRET_BYTES} bytes")
    return _b64(hmac.new(secret, TOKEN_CONTEXT + payload.encode("ascii"), hashlib.sha256).digest())


def sign_token(session: Session, secret: bytes) -> str:
    """The session as `payload.signature`: user, id, issue and expiry (epoch seconds), signed."""
    fields = [
        session.user,
        session.token,
        str(int(session.issued_at.timestamp())),
        str(int(session.expires_at.timestamp())),
    ]
    payload = _b64("\n".join(fields).encode("utf-8"))
    return f"{payload}.{_signature(secret, payload)}"


def read_token(token: str | None, secret: bytes, now: datetime) -> Session | None:
    """The Session a token carries if its signature is the secret's and `now` is within its
    lifetime; None for anything else (tampered, expired, malformed, not yet valid)."""
    now = _aware(now)
    if not token or not token.isascii() or token.count(".") != 1 or len(token) > 4096:
        return None
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature.encode(), _signature(secret, payload).encode()):
        return None
    try:
        user, session_id, issued, expires = _unb64(payload).decode("utf-8").split("\n")
        issued_at = datetime.fromtimestamp(int(issued), now.tzinfo)
        expires_at = datetime.fromtimestamp(int(expires), now.tzinfo)
    except ValueError:
        return None
    session = Session(token=session_id, user=user, issued_at=issued_at, expires_at=expires_at)
    return session if user and session_id and is_active(session, now) else None
