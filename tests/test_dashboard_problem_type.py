"""The problem-type filter reaches the KPI tiles, the hotspots and the department scorecards: the
small fixture warehouse (every complaint and case of type 垃圾清运不及时) plus a second problem type
with no rows, so choosing it must empty the figures that count problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import dashboard_users, sign_in, small_warehouse
from tests.test_dashboard_pages import APP, frame_with, metrics, open_page

OTHER = "路灯损坏"  # a problem type in the catalogue with no complaint, visit or case


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ptype")
    built = small_warehouse(folder / "built.duckdb")
    path = folder / "w.duckdb"
    shutil.copyfile(built, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "insert into raw.problem_types by name select * replace"
            " ('P99' as problem_type_id, $other as level3) from raw.problem_types limit 1",
            {"other": OTHER},
        )
    finally:
        con.close()
    return path


@pytest.fixture
def app(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DUBAN_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DUBAN_USERS", str(dashboard_users(tmp_path / "users.json")))
    monkeypatch.setenv("DUBAN_AUDIT", str(tmp_path / "audit.sqlite"))
    return sign_in(AppTest.from_file(APP, default_timeout=60), "t-leader")


def test_the_overview_tiles_follow_the_problem_type(app: AppTest) -> None:
    at = open_page(app, "overview.py")
    assert metrics(at)["重复投诉率"] == "25.0%"
    at.selectbox(key="filter_problem_type").set_value(OTHER).run()
    assert not at.exception
    assert metrics(at)["重复投诉率"] == "—"  # no complaint of that type
    assert metrics(at)["重复检查率"] == "50.0%"  # inspections are counted by subject
    at.selectbox(key="filter_problem_type").set_value("垃圾清运不及时").run()
    assert metrics(at)["重复投诉率"] == "25.0%"


def test_the_hotspots_count_the_chosen_problem_type(app: AppTest) -> None:
    at = open_page(app, "hotspots.py", ptype="垃圾清运不及时")
    row = frame_with(at, "问题合计").set_index("区域").loc["幸福里社区"]
    assert (row["投诉"], row["检查不合格项"], row["问题合计"]) == (4, 1, 5)
    at.selectbox(key="filter_problem_type").set_value(OTHER).run()
    assert not at.exception
    row = frame_with(at, "问题合计").set_index("区域").loc["幸福里社区"]
    assert (row["投诉"], row["检查不合格项"], row["问题合计"]) == (0, 0, 0)


def test_the_department_scorecard_follows_the_problem_type(app: AppTest) -> None:
    at = open_page(app, "departments.py")
    cards = frame_with(at, "综合表现").set_index("部门")
    assert cards.loc["民政", "件数"] == 3  # cases noticed in April
    assert cards.loc["民政", "业务量"] > 3
    at.selectbox(key="filter_problem_type").set_value(OTHER).run()
    assert not at.exception
    cards = frame_with(at, "综合表现").set_index("部门")
    assert (cards.loc["民政", "件数"], cards.loc["民政", "业务量"]) == (0, 0)
