"""The resumable sign-in's cookie: handed over by a one-time nonce, read by each new session.

After a password sign-in the server signs a token (warehouse.sessions.sign_token) and keeps it
under a random one-time nonce for a minute; a script on the next page POSTs the nonce to
`/api/duban/session` (a route of `duban serve`'s st.App), whose answer sets the token as an
HttpOnly, SameSite=Strict cookie (Secure on https). Page scripts can neither read the token nor
find it in the URL. A reload is a new Streamlit session: `resume` reads the cookie
(st.context.cookies) and accepts it only signed, unexpired and not signed out. Sign-out revokes
the session id and clears the cookie.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from warehouse.session_store import RevokedSessions, session_secret
from warehouse.sessions import Session, read_token, sign_token

COOKIE = "duban_session"
ISSUE_PATH = "/api/duban/session"
CLEAR_PATH = "/api/duban/sign-out"
HANDOFF_SECONDS = 60.0
_handoffs: dict[str, tuple[str, int, float]] = {}  # nonce -> (token, max-age, monotonic expiry)
_lock = threading.Lock()


def offer(session: Session, now: datetime) -> str:
    """Sign the session and keep its token for one POST of the returned nonce (a minute)."""
    token = sign_token(session, session_secret())
    max_age = max(0, int((session.expires_at - now).total_seconds()))
    nonce = secrets.token_urlsafe(32)
    deadline = time.monotonic() + HANDOFF_SECONDS
    with _lock:
        for stale in [key for key, (_, _, until) in _handoffs.items() if until < time.monotonic()]:
            del _handoffs[stale]
        _handoffs[nonce] = (token, max_age, deadline)
    return nonce


def take(nonce: str) -> tuple[str, int] | None:
    """The token and cookie lifetime kept under a nonce, once, within its minute; else None."""
    with _lock:
        found = _handoffs.pop(nonce, None)
    if found is None or found[2] < time.monotonic():
        return None
    return found[0], found[1]


def resume(cookies: dict[str, str], now: datetime) -> Session | None:
    """The session the browser's cookie carries, if signed, unexpired and not signed out."""
    session = read_token(cookies.get(COOKIE), session_secret(), now)
    if session is None or RevokedSessions().is_revoked(session.token):
        return None
    return session


def revoke(session: Session) -> None:
    """Sign this session out everywhere: its token is refused from now on."""
    RevokedSessions().revoke(session.token, session.expires_at)


def _script(path: str, body: str) -> str:
    # the nonce is URL-safe base64 (no quotes, no markup): safe inside a JS string literal
    return (
        f'<script>fetch("{path}", {{method: "POST", credentials: "same-origin", '
        f'headers: {{"Content-Type": "text/plain"}}, body: "{body}"}});</script>'
    )


def issue_script(nonce: str) -> str:
    """The page script that exchanges the nonce for the cookie."""
    return _script(ISSUE_PATH, nonce)


def clear_script() -> str:
    """The page script that asks the server to clear the cookie."""
    return _script(CLEAR_PATH, "")


async def _issue(request: Request) -> Response:
    nonce = (await request.body())[:128].decode("ascii", errors="replace")
    found = take(nonce)
    if found is None:
        return Response(status_code=403)
    token, max_age = found
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


async def _clear(request: Request) -> Response:
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


def routes() -> list[Route]:
    """The two routes `duban serve`'s st.App adds (POST only)."""
    return [
        Route(ISSUE_PATH, _issue, methods=["POST"]),
        Route(CLEAR_PATH, _clear, methods=["POST"]),
    ]
