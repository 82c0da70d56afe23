"""The audit log: an append-only SQLite file beside the warehouse (who saw which records, reveals).

SQLite, not DuckDB: the dashboard holds the warehouse open read-only while several threads (and the
`duban` command) append; SQLite's file locks let many processes append safely. Append-only three
ways: this module has no update or delete function; triggers abort any UPDATE or DELETE that
reaches the file by other means; and every row carries a SHA-256 hash chained to the row before,
so `verify()` finds a row altered or removed with the triggers dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

DEFAULT_AUDIT = Path("data") / "audit.sqlite"
COLUMNS = (
    "at", "user_name", "role", "action", "page", "dataset", "filters", "record_ids", "reason",
)  # fmt: skip
SCHEMA = """
create table if not exists audit_log (
    audit_id integer primary key autoincrement,
    at text not null,
    user_name text not null,
    role text not null,
    action text not null,
    page text not null,
    dataset text not null,
    filters text not null,
    record_ids text not null,
    reason text,
    previous_hash text not null,
    hash text not null
);
create trigger if not exists audit_log_no_update before update on audit_log
begin select raise(abort, 'the audit log is append-only'); end;
create trigger if not exists audit_log_no_delete before delete on audit_log
begin select raise(abort, 'the audit log is append-only'); end;
"""
GENESIS = "0" * 64


def audit_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The audit file: the explicit path, else env DUBAN_AUDIT, else data/audit.sqlite."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("DUBAN_AUDIT")
    return Path(env) if env else DEFAULT_AUDIT


@dataclass(frozen=True)
class AuditEvent:
    """One thing to record: who, what (view, export, reveal, denied, login…), where and which."""

    user: str
    role: str
    action: str
    page: str = ""
    dataset: str = ""
    filters: dict[str, object] = field(default_factory=dict)
    record_ids: tuple[str, ...] = ()
    reason: str | None = None


def _hash(previous: str, values: tuple[object, ...]) -> str:
    text = json.dumps([previous, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditStore:
    """Append and read; there is deliberately nothing else."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The store's one connection, opened on first use and shared by the threads that append
        (one at a time): opening one per event cost more than the event's write. Other
        processes still append safely through SQLite's file locks (`begin immediate`)."""
        with self._lock:
            if self._con is None:
                con = sqlite3.connect(
                    self.path, timeout=10, isolation_level=None, check_same_thread=False
                )
                con.execute("pragma journal_mode=wal")
                self._con = con
            yield self._con

    def append(self, event: AuditEvent, at: datetime | None = None) -> int:
        """Record one event (time in UTC); returns its audit_id."""
        moment = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
        values = (
            moment, event.user, event.role, event.action, event.page, event.dataset,
            json.dumps(event.filters, ensure_ascii=False, sort_keys=True, default=str),
            json.dumps(list(event.record_ids), ensure_ascii=False), event.reason,
        )  # fmt: skip
        with self._connect() as con:
            con.execute("begin immediate")
            try:
                row = con.execute(
                    "select hash from audit_log order by audit_id desc limit 1"
                ).fetchone()
                previous = row[0] if row else GENESIS
                cursor = con.execute(
                    f"insert into audit_log ({', '.join(COLUMNS)}, previous_hash, hash) "  # noqa: S608
                    f"values ({', '.join('?' * (len(COLUMNS) + 2))})",
                    (*values, previous, _hash(previous, values)),
                )
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        return int(cursor.lastrowid or 0)

    def read(
        self,
        user: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 500,
    ) -> pl.DataFrame:
        """The newest events first, filtered by user, action and time (all bound)."""
        with self._connect() as con:
            rows = con.execute(
                f"select audit_id, {', '.join(COLUMNS)} from audit_log "  # noqa: S608
                "where (? is null or user_name = ?) and (? is null or action = ?) "
                "and (? is null or at >= ?) order by audit_id desc limit ?",
                (user, user, action, action, since and since.astimezone(UTC).isoformat(),
                 since and since.astimezone(UTC).isoformat(), max(1, min(limit, 100_000))),
            ).fetchall()  # fmt: skip
        schema = {"audit_id": pl.Int64, **dict.fromkeys(COLUMNS, pl.String)}
        return pl.DataFrame(rows, schema=schema, orient="row")

    def verify(self) -> int | None:
        """The audit_id of the first row whose hash chain is broken, or None when intact."""
        with self._connect() as con:
            rows = con.execute(
                f"select audit_id, {', '.join(COLUMNS)}, previous_hash, hash "  # noqa: S608
                "from audit_log order by audit_id"
            ).fetchall()
        previous = GENESIS
        for row in rows:
            values = tuple(row[1 : len(COLUMNS) + 1])
            if row[-2] != previous or row[-1] != _hash(previous, values):
                return int(row[0])
            previous = row[-1]
        return None
