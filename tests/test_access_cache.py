"""The record cache: masked frames served again per role and filters, every view still audited."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import polars as pl
import pytest

from tests.factories import CALLERS
from warehouse import access
from warehouse.access import RecordCache, RecordFilters, Reveal, Viewer, tickets
from warehouse.audit import AuditStore

LEADER = Viewer("lead", "leader")
ANALYST = Viewer("ana", "analyst", may_reveal=True)
CHENGGUAN = Viewer("cg", "department", ("城管",))
MINZHENG = Viewer("mz", "department", ("民政",))
NAMES = [name for name, _, _, _ in CALLERS.values()]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL the access layer sends to the warehouse, one entry per query."""
    sent: list[str] = []
    original = access.fetch_frame

    def counting(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> pl.DataFrame:
        sent.append(sql)
        return original(con, sql, params)

    monkeypatch.setattr(access, "fetch_frame", counting)
    return sent


def ids(frame: pl.DataFrame) -> list[str]:
    return sorted(str(v) for v in frame.get_column("complaint_id").to_list())


def test_a_cached_view_is_audited_and_masked_for_a_role_without_personal_information(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, reads: list[str]
) -> None:
    cache = RecordCache()
    shown = [
        tickets(reader, LEADER, RecordFilters(), audit=audit, page="p", cache=cache, version="v1")
        for _ in range(3)
    ]
    assert len(reads) == 1 and len(cache) == 1  # read once, served twice from the cache
    for frame in shown:
        assert ids(frame) == ["T1", "T2", "T3", "T4"]
        text = repr(frame.rows())
        assert [name for name in NAMES if name in text] == []
        assert all(v is None or "*" in v for v in frame.get_column("caller_name").to_list())
    views = access_events(audit, "view")
    assert len(views) == 3 and {e["user_name"] for e in views} == {"lead"}
    assert all(sorted(json.loads(e["record_ids"])) == ["T1", "T2", "T3", "T4"] for e in views)


def test_the_key_holds_the_scope_the_filters_and_the_version(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, reads: list[str]
) -> None:
    cache = RecordCache()

    def read(viewer: Viewer, version: str = "v1", **filters: Any) -> list[str]:
        return ids(tickets(reader, viewer, RecordFilters(**filters), audit=audit, page="p",
                           cache=cache, version=version))  # fmt: skip

    assert read(LEADER) == ["T1", "T2", "T3", "T4"]
    assert read(CHENGGUAN) == ["T1", "T3"]  # not the leader's cached rows
    assert read(MINZHENG) == ["T2"]
    assert read(LEADER, record_ids=("T2",)) == ["T2"]  # another filter value
    assert read(LEADER, version="v2") == ["T1", "T2", "T3", "T4"]
    assert len(reads) == 5  # leader, two departments, a filter, a new version: each a miss
    assert read(MINZHENG) == ["T2"] and read(LEADER, record_ids=("T2",)) == ["T2"]
    assert len(reads) == 5
    assert len(access_events(audit, "view")) == 7


def test_reveals_are_never_cached_and_always_audited(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, reads: list[str]
) -> None:
    cache = RecordCache()
    reveal = Reveal(("T1",), "回访核实")
    for _ in range(2):
        frame = tickets(reader, ANALYST, RecordFilters(), audit=audit, page="p", reveal=reveal,
                        cache=cache, version="v1")  # fmt: skip
        assert frame.filter(pl.col("complaint_id") == "T1")["caller_name"][0] in NAMES
    assert len(reads) == 2 and len(cache) == 0
    assert len(access_events(audit, "reveal")) == 2
    masked = tickets(reader, ANALYST, RecordFilters(), audit=audit, page="p", cache=cache,
                     version="v1")  # fmt: skip
    assert [n for n in NAMES if n in repr(masked.rows())] == []


def test_a_refused_viewer_is_refused_and_audited_even_with_a_warm_cache(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    cache = RecordCache()
    tickets(reader, LEADER, RecordFilters(), audit=audit, page="p", cache=cache, version="v1")
    with pytest.raises(access.RecordsDenied):
        tickets(reader, Viewer("meet", "meeting"), RecordFilters(), audit=audit, page="p",
                cache=cache, version="v1")  # fmt: skip
    assert len(access_events(audit, "denied")) == 1


def test_entries_expire_and_the_least_recently_used_go_first() -> None:
    frame = pl.DataFrame({"x": [1]})
    cache = RecordCache(ttl=60, max_entries=2)
    cache.put("a", frame)
    cache.put("b", frame)
    assert cache.get("a") is frame  # a is now the most recently used
    cache.put("c", frame)
    assert cache.get("b") is None and cache.get("a") is frame and len(cache) == 2
    expired = RecordCache(ttl=0)
    expired.put("a", frame)
    assert expired.get("a") is None


def access_events(audit: AuditStore, action: str) -> list[dict[str, Any]]:
    return list(audit.read(action=action).iter_rows(named=True))
