"""The audit log: append-only through its API, tamper-evident, readable by admins only."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warehouse.access import AccessDenied, Viewer, audit_log
from warehouse.audit import AuditEvent, AuditStore, audit_path

ADMIN = Viewer("root", "admin")


def event(user: str = "ana", action: str = "view", **extra: object) -> AuditEvent:
    return AuditEvent(
        user=user, role="analyst", action=action, page="complaints", dataset="tickets",
        filters={"community": "C01"}, record_ids=("T1", "T2"), **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_appends_and_reads_newest_first(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.sqlite")
    store.append(event(), at=datetime(2025, 5, 1, 8, 0, tzinfo=UTC))
    store.append(event(action="reveal", reason="回访"), at=datetime(2025, 5, 1, 9, 0, tzinfo=UTC))
    store.append(event(user="lead"))
    result = store.read()
    assert result.get_column("action").to_list() == ["view", "reveal", "view"]
    reveal = store.read(action="reveal").row(0, named=True)
    assert reveal["reason"] == "回访" and reveal["at"].startswith("2025-05-01T09:00")
    assert json.loads(reveal["record_ids"]) == ["T1", "T2"]
    assert json.loads(reveal["filters"]) == {"community": "C01"}
    assert store.read(user="lead").height == 1
    since = datetime(2025, 5, 1, 8, 30, tzinfo=UTC)
    assert store.read(since=since).height == 2
    assert store.verify() is None


def test_the_api_offers_no_way_to_change_or_remove_rows() -> None:
    public = {name for name in dir(AuditStore) if not name.startswith("_")}
    assert public == {"append", "read", "verify"}


def test_rows_cannot_be_altered_even_in_the_file(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.sqlite")
    store.append(event())
    with sqlite3.connect(store.path) as con:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("update audit_log set user_name = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from audit_log")
    assert store.read().get_column("user_name").to_list() == ["ana"]


def test_tampering_around_the_triggers_breaks_the_hash_chain(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.sqlite")
    for user in ("a", "b", "c"):
        store.append(event(user=user))
    with sqlite3.connect(store.path) as con:
        con.execute("drop trigger audit_log_no_update")
        con.execute("update audit_log set record_ids = '[]' where user_name = 'b'")
    assert store.verify() == 2


def test_injection_text_is_stored_as_data(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.sqlite")
    payload = "'); drop table audit_log; -- <script>alert(1)</script>"
    store.append(event(user=payload, reason=payload))
    assert store.read(user=payload).row(0, named=True)["reason"] == payload
    assert store.verify() is None


def test_only_admins_read_the_log_and_reading_is_audited(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.sqlite")
    store.append(event())
    for viewer in (Viewer("lead", "leader"), Viewer("ana", "analyst", may_reveal=True),
                   Viewer("x", None), Viewer("meet", "meeting")):  # fmt: skip
        with pytest.raises(AccessDenied):
            audit_log(store, viewer)
    result = audit_log(store, ADMIN, since=datetime.now(UTC) - timedelta(hours=1))
    assert result.get_column("action").to_list()[0] == "audit_read"
    assert "denied" in result.get_column("action").to_list()


def test_the_audit_path_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_AUDIT", "/tmp/elsewhere.sqlite")
    assert audit_path() == Path("/tmp/elsewhere.sqlite")
    monkeypatch.delenv("DUBAN_AUDIT")
    assert audit_path() == Path("data/audit.sqlite")
    assert audit_path("x.sqlite") == Path("x.sqlite")
