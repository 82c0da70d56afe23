"""The server side of resumable sign-ins: the signing secret and the revoked session ids.

Both sit beside the audit file (env DUBAN_AUDIT, else data/audit.sqlite; data/ is git-ignored):
`session.key`, 32 random bytes made on first use, readable by the server's user only, unless env
DUBAN_SESSION_SECRET gives the secret (at least 32 characters); and `sessions.sqlite`, the ids of
sessions signed out before their expiry. Rotating the secret (deleting the key file, or changing
the variable) signs everyone out.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from datetime import datetime
from pathlib import Path

from warehouse.audit import audit_path
from warehouse.sessions import MIN_SECRET_BYTES

SECRET_ENV = "DUBAN_SESSION_SECRET"
SCHEMA = """
create table if not exists revoked_sessions (
    session_id text primary key,
    expires_at real not null
)
"""


class SessionSecretError(RuntimeError):
    """The configured session secret is too short to sign with."""


def session_secret(folder: Path | None = None) -> bytes:
    """The server's signing secret: env DUBAN_SESSION_SECRET, else the key file (made once)."""
    configured = os.environ.get(SECRET_ENV)
    if configured is not None:
        secret = configured.encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            raise SessionSecretError(f"{SECRET_ENV} must be at least {MIN_SECRET_BYTES} bytes")
        return secret
    path = (folder or audit_path().parent) / "session.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # created whole or not at all; a concurrent first use reads the winner's key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    key = secrets.token_bytes(MIN_SECRET_BYTES)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return key


class RevokedSessions:
    """Session ids signed out before their expiry, kept until then (SQLite, many processes)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or audit_path().with_name("sessions.sqlite")

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10)
        con.execute(SCHEMA)
        return con

    def revoke(self, session_id: str, expires_at: datetime) -> None:
        """Refuse this session id from now on; ids past their expiry are forgotten."""
        con = self._connect()
        try:
            with con:
                con.execute(
                    "insert or replace into revoked_sessions values (?, ?)",
                    (session_id, expires_at.timestamp()),
                )
                con.execute(
                    "delete from revoked_sessions where expires_at < ?",
                    (datetime.now().timestamp(),),
                )
        finally:
            con.close()

    def is_revoked(self, session_id: str) -> bool:
        """Whether the session id was signed out."""
        if not self.path.exists():
            return False
        con = self._connect()
        try:
            row = con.execute(
                "select 1 from revoked_sessions where session_id = ?", (session_id,)
            ).fetchone()
        finally:
            con.close()
        return row is not None
