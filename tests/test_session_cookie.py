"""Resumable password sign-ins: the signed token, the server's secret, revocation, the handoff."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard import session_cookie
from warehouse.session_store import RevokedSessions, SessionSecretError, session_secret
from warehouse.sessions import new_session, read_token, sign_token

SECRET = b"s" * 32
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The key file and the revocation list beside a temporary audit file."""
    monkeypatch.setenv("DUBAN_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.delenv("DUBAN_SESSION_SECRET", raising=False)
    return tmp_path


def test_a_signed_token_reads_back_as_its_session() -> None:
    session = new_session("林主任", NOW)
    found = read_token(sign_token(session, SECRET), SECRET, NOW + timedelta(hours=1))
    assert found is not None
    assert (found.user, found.token) == ("林主任", session.token)
    assert found.expires_at == session.expires_at


def test_a_tampered_token_is_refused() -> None:
    token = sign_token(new_session("lin", NOW), SECRET)
    payload, signature = token.split(".")
    other = sign_token(new_session("admin", NOW), SECRET).split(".")[0]
    assert read_token(f"{other}.{signature}", SECRET, NOW) is None  # another payload
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert read_token(f"{payload}.{flipped}", SECRET, NOW) is None  # another signature
    assert read_token(token, b"t" * 32, NOW) is None  # another server's secret
    for broken in ["", ".", "abc", f"{payload}", f"{payload}.{signature}.x", "é.é"]:
        assert read_token(broken, SECRET, NOW) is None, broken


def test_a_token_is_refused_outside_its_lifetime() -> None:
    token = sign_token(new_session("lin", NOW), SECRET)
    assert read_token(token, SECRET, NOW + timedelta(hours=7, minutes=59)) is not None
    assert read_token(token, SECRET, NOW + timedelta(hours=8)) is None
    assert read_token(token, SECRET, NOW - timedelta(minutes=1)) is None


def test_a_short_secret_signs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError):
        sign_token(new_session("lin", NOW), b"short")
    monkeypatch.setenv("DUBAN_SESSION_SECRET", "too short")
    with pytest.raises(SessionSecretError):
        session_secret()


def test_the_secret_comes_from_the_environment_or_a_private_key_file(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = session_secret()
    assert len(first) == 32 and session_secret() == first  # made once, then read
    key = store / "session.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    monkeypatch.setenv("DUBAN_SESSION_SECRET", "x" * 40)
    assert session_secret() == b"x" * 40


def test_signing_out_revokes_the_session() -> None:
    session = new_session("lin", datetime.now(UTC))
    cookies = {session_cookie.COOKIE: sign_token(session, session_secret())}
    resumed = session_cookie.resume(cookies, datetime.now(UTC))
    assert resumed is not None and resumed.token == session.token
    session_cookie.revoke(session)
    assert RevokedSessions().is_revoked(session.token)
    assert session_cookie.resume(cookies, datetime.now(UTC)) is None
    other = new_session("lin", datetime.now(UTC))  # a new sign-in is a new session
    assert session_cookie.resume(
        {session_cookie.COOKIE: sign_token(other, session_secret())}, datetime.now(UTC)
    )


def test_a_revocation_is_forgotten_once_the_session_has_expired(store: Path) -> None:
    revoked = RevokedSessions(store / "sessions.sqlite")
    revoked.revoke("old", datetime.now(UTC) - timedelta(hours=1))
    revoked.revoke("current", datetime.now(UTC) + timedelta(hours=1))
    assert revoked.is_revoked("current") and not revoked.is_revoked("old")
    assert not revoked.is_revoked("never-seen")


def test_a_nonce_hands_over_its_token_once_within_its_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(UTC)
    session = new_session("lin", now)
    nonce = session_cookie.offer(session, now)
    found = session_cookie.take(nonce)
    assert found is not None
    token, max_age = found
    assert read_token(token, session_secret(), now) is not None
    assert 8 * 3600 - 5 <= max_age <= 8 * 3600
    assert session_cookie.take(nonce) is None  # once only
    late = session_cookie.offer(session, now)
    monkeypatch.setattr(session_cookie, "HANDOFF_SECONDS", -1.0)
    stale = session_cookie.offer(session, now)
    assert session_cookie.take(stale) is None  # past its minute
    assert session_cookie.take(late) is not None
    assert session_cookie.take("guessed") is None


def _post(path: str, body: bytes) -> tuple[int, list[tuple[bytes, bytes]]]:
    """Call one of the routes as the ASGI server would; the status and the headers."""
    route = next(r for r in session_cookie.routes() if r.path == path)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": path, "raw_path": path.encode(),
        "query_string": b"", "headers": [], "scheme": "http", "server": ("127.0.0.1", 80),
        "root_path": "",
    }  # fmt: skip
    asyncio.run(route.handle(scope, receive, send))  # type: ignore[arg-type]
    start = sent[0]
    return int(start["status"]), list(start.get("headers", []))  # type: ignore[call-overload]


def test_the_route_sets_an_http_only_cookie_for_a_valid_nonce_only() -> None:
    now = datetime.now(UTC)
    nonce = session_cookie.offer(new_session("lin", now), now)
    status, headers = _post(session_cookie.ISSUE_PATH, nonce.encode())
    assert status == 204
    cookie = next(v.decode() for k, v in headers if k == b"set-cookie")
    assert cookie.startswith(f"{session_cookie.COOKIE}=")
    for attribute in ["HttpOnly", "SameSite=strict", "Path=/", "Max-Age="]:
        assert attribute.lower() in cookie.lower(), attribute
    assert _post(session_cookie.ISSUE_PATH, nonce.encode())[0] == 403  # used up
    assert _post(session_cookie.ISSUE_PATH, b"guessed")[0] == 403


def test_the_sign_out_route_clears_the_cookie() -> None:
    status, headers = _post(session_cookie.CLEAR_PATH, b"")
    cookie = next(v.decode() for k, v in headers if k == b"set-cookie")
    assert status == 204 and "max-age=0" in cookie.lower()
