"""The warm-up fills exactly the caches the default overview reads (same periods, same keys)."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries, queries_overview, warmup
from tests.factories import dashboard_users, sign_in, small_warehouse

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
NOW = datetime(2025, 4, 20, 9, 37, 12)


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """The KPI and series requests made, by anyone, with the warehouse and clock fixed."""
    monkeypatch.setenv("DUBAN_WAREHOUSE", str(small_warehouse(tmp_path / "w.duckdb")))
    monkeypatch.setenv("DUBAN_USERS", str(dashboard_users(tmp_path / "users.json")))
    monkeypatch.setenv("DUBAN_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setattr(warmup, "now_local", lambda: NOW)
    made: list[tuple[str, Any]] = []
    kpis, series = queries.kpis, queries_overview.kpi_series

    def recorded_kpis(version: Any, period: Any, problem_type: Any = None) -> Any:
        made.append(("kpis", (period, problem_type)))
        return kpis(version, period, problem_type)

    def recorded_series(version: Any, params: dict[str, object], months: int = 24) -> Any:
        made.append(("series", tuple(sorted(params.items()))))
        return series(version, params, months)

    monkeypatch.setattr(queries, "kpis", recorded_kpis)
    monkeypatch.setattr(queries_overview, "kpi_series", recorded_series)
    monkeypatch.setattr(warmup, "kpi_series", recorded_series)
    return made


def test_the_warm_up_asks_for_what_the_default_overview_reads(
    calls: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    version = queries.current_version()
    assert version is not None
    warmup.warm(version, warmup.as_of_now())
    warmed = set(calls)
    calls.clear()
    monkeypatch.setattr(warmup, "start", lambda version: False)  # no thread racing the page
    at = sign_in(AppTest.from_file(APP, default_timeout=60), "t-leader").run()
    assert not at.exception, [e.value for e in at.exception]
    assert {("kpis", 2), ("series", 1)} <= {(k, sum(c[0] == k for c in calls)) for k, _ in calls}
    assert set(calls) == warmed


def test_the_warm_up_starts_once_per_version_and_as_of_mark(
    calls: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    version = queries.current_version()
    assert version is not None
    started: list[Any] = []
    monkeypatch.setattr(warmup, "_warm_quietly", lambda *args: started.append(args))
    monkeypatch.setattr(warmup, "_started", set())
    assert warmup.start(version) is True
    assert warmup.start(version) is False
    monkeypatch.setattr(warmup, "now_local", lambda: NOW.replace(minute=50))
    assert warmup.start(version) is True
    for thread in threading.enumerate():
        if thread.name == "duban-warmup":
            thread.join(timeout=10)
    assert [as_of for _, as_of in started] == [NOW.replace(minute=30, second=0),
                                                NOW.replace(minute=50, second=0)]  # fmt: skip


def test_the_preload_starts_once_per_process(
    calls: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    version = queries.current_version()
    assert version is not None
    preloaded: list[bool] = []
    monkeypatch.setattr(warmup, "_warm_quietly", lambda *args: preloaded.append(False))
    monkeypatch.setattr(warmup, "preload", lambda: preloaded.append(True))
    monkeypatch.setattr(warmup, "_started", set())
    monkeypatch.setattr(warmup, "_preloading", threading.Event())
    assert warmup.start(version) is True
    for thread in threading.enumerate():
        if thread.name == "duban-warmup":
            thread.join(timeout=10)
    monkeypatch.setattr(warmup, "now_local", lambda: NOW.replace(minute=50))
    assert warmup.start(version) is True
    for thread in threading.enumerate():
        if thread.name == "duban-warmup":
            thread.join(timeout=10)
    # after the first warm-up's queries (a pandas import beside them would stall DuckDB)
    assert preloaded == [False, True, False]
