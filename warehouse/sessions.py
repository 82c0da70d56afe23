"""Sign-in sessions: random tokens that expire 8 hours after sign-in; pure functions of `now`.

The dashboard keeps the Session in `st.session_state` after `users.authenticate` (or after
`st.login` and `users.viewer_for_email`), and on every run calls `current_viewer`, which checks
the token and the expiry and re-reads the user's role, so a removed or changed account takes
effect on the next run.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from warehouse.access import Viewer

SESSION_HOURS = 8


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
