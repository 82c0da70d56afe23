"""The dashboard router and its pages under streamlit's AppTest, on a small fixture warehouse."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import dashboard_users, sign_in, small_warehouse

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DUBAN_WAREHOUSE", str(small_warehouse(tmp_path / "w.duckdb")))
    monkeypatch.setenv("DUBAN_USERS", str(dashboard_users(tmp_path / "users.json")))
    monkeypatch.setenv("DUBAN_AUDIT", str(tmp_path / "audit.sqlite"))
    return sign_in(AppTest.from_file(APP, default_timeout=60), "t-leader")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_overview_shows_the_repeat_rate_against_its_target(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    # default period: April 2025, the latest month; C1 repeats B1 (阳光城1栋, 12 days apart)
    assert metrics(at)["重复投诉率"] == "25.0%"
    captions = " ".join(c.value for c in at.caption)
    assert "目标 < 10.0%" in captions
    assert "1 / 4" in captions
    assert "未达标" in captions
    assert "数据来源：complaints_monthly" in captions
    [chart] = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    months = figure["data"][0]["x"]
    assert [m[:7] for m in months] == ["2025-03", "2025-04"]  # the trend reaches before the period


def test_changing_the_period_changes_the_figures(app: AppTest) -> None:
    at = app.run()
    at.date_input(key="filter_from").set_value(date(2025, 3, 1))
    at.date_input(key="filter_to").set_value(date(2025, 3, 31)).run()
    assert not at.exception
    assert metrics(at)["重复投诉率"] == "50.0%"
    assert metrics(at)["重复检查率"] == "50.0%"
    assert at.query_params["from"] in ("2025-03-01", ["2025-03-01"])


def test_the_url_query_parameters_set_the_view(app: AppTest) -> None:
    app.query_params["from"] = "2025-03-01"
    app.query_params["to"] = "2025-04-30"
    app.query_params["lang"] = "en"
    at = app.run()
    assert not at.exception
    assert metrics(at)["Repeat-complaint rate"] == "37.5%"


def test_english_is_one_switch_away(app: AppTest) -> None:
    at = app.run()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert "Repeat-complaint rate" in metrics(at)
    assert at.title[0].value.startswith("Duban")


def test_hostile_query_parameters_change_nothing(app: AppTest) -> None:
    app.query_params["from"] = "2025-03-01'; drop table complaint_tickets; --"
    app.query_params["lang"] = "<script>alert(1)</script>"
    at = app.run()
    assert not at.exception
    assert metrics(at)["重复投诉率"] == "25.0%"


def test_without_a_warehouse_the_app_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    monkeypatch.setenv("DUBAN_USERS", str(dashboard_users(tmp_path / "users.json")))
    monkeypatch.setenv("DUBAN_AUDIT", str(tmp_path / "audit.sqlite"))
    at = sign_in(AppTest.from_file(APP, default_timeout=60), "t-leader").run()
    assert not at.exception
    assert "duban demo" in at.info[0].value
