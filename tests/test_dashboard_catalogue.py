"""The dashboard's message catalogue: every key the code names exists in both languages, and the
pieces of the dashboard that do not touch Streamlit (scoring, the previous period) are right."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from dashboard.i18n import COLUMNS, MESSAGES
from dashboard.queries_loop import STAGES
from dashboard.queries_overview import previous_period
from dashboard.registry import PAGES
from dashboard.scoring import overall_index, score, status
from warehouse.metrics import KPIS, KpiValue, Period
from warehouse.settings import Target

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = {key.split(".")[0] for key in MESSAGES}
KEY = re.compile(r"^[a-z_]+(\.[a-z_0-9]+)+$")


def test_every_literal_message_key_in_the_dashboard_exists() -> None:
    missing = []
    for path in (ROOT / "dashboard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                named = KEY.match(text) and not text.endswith(".py")
                if named and text.split(".")[0] in PREFIXES and text not in MESSAGES:
                    missing.append(f"{path.name}: {text}")
    assert not missing


@pytest.mark.parametrize(
    "keys",
    [
        [f"kpi.{name}" for name in KPIS],
        [f"loop.stage.{stage}" for stage in STAGES],
        [f"status.{s}" for s in ("green", "amber", "red", "none")],
        [f"hotspots.ranked.{level}" for level in ("community", "grid", "address")],
        [f"departments.agenda.{n}" for n in ("multi_department", "overdue", "merges")],
        [page.title_key for page in PAGES],
    ],
    ids=["kpis", "stages", "statuses", "levels", "agenda", "pages"],
)
def test_every_key_built_from_a_name_exists(keys: list[str]) -> None:
    assert [key for key in keys if key not in MESSAGES] == []


def test_column_labels_have_both_languages() -> None:
    assert all(zh and en for zh, en in COLUMNS.values())


def kpi(name: str, value: float | None, op: str | None = None, target: float = 0.0) -> KpiValue:
    return KpiValue(name, value, 0, 0, Target(op, target) if op else None, "ratio")


def test_a_kpi_scores_its_value_against_its_target() -> None:
    assert score(kpi("rectification_completion_rate", 0.49, ">=", 0.98)) == pytest.approx(0.5)
    assert score(kpi("repeat_complaint_rate", 0.25, "<", 0.10)) == pytest.approx(0.4)
    assert score(kpi("repeat_complaint_rate", 0.0, "<", 0.10)) == 1.5  # capped
    assert score(kpi("duplicate_inspection_reduction", -0.2, ">=", 0.3)) == 0.0
    assert score(kpi("second_rectification_rate", 0.1)) is None


def test_status_is_green_amber_or_red() -> None:
    assert status(kpi("feedback_within_24h_rate", 1.0, ">=", 1.0)) == "green"
    assert status(kpi("feedback_within_24h_rate", 0.95, ">=", 1.0)) == "amber"
    assert status(kpi("feedback_within_24h_rate", 0.5, ">=", 1.0)) == "red"
    assert status(kpi("feedback_within_24h_rate", None, ">=", 1.0)) == "none"


def test_the_overall_index_averages_the_scores_of_targeted_kpis() -> None:
    values = {
        "a": kpi("rectification_completion_rate", 0.49, ">=", 0.98),
        "b": kpi("repeat_complaint_rate", 0.25, "<", 0.10),
        "c": kpi("second_rectification_rate", 0.3),
    }
    index = overall_index(values)
    assert set(index.scores) == {"a", "b"}
    assert index.value == pytest.approx(0.45)
    assert overall_index({}).value is None


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-04-01", "2025-04-30", ("2025-03-01", "2025-03-31")),
        ("2025-03-01", "2025-05-31", ("2024-12-01", "2025-02-28")),
        ("2025-04-10", "2025-04-19", ("2025-03-31", "2025-04-09")),
    ],
)
def test_the_previous_period_has_the_same_length(start: str, end: str, expected: tuple) -> None:
    period = Period(date.fromisoformat(start), date.fromisoformat(end), datetime(2026, 1, 1))
    previous = previous_period(period)
    assert (previous.date_from.isoformat(), previous.date_to.isoformat()) == expected


def test_tables_export_as_csv_and_xlsx_with_labelled_columns() -> None:
    import io

    import polars as pl

    from dashboard.components import _csv, _exportable, _xlsx

    data = pl.DataFrame(
        {
            "community": ["幸福里社区"],
            "departments": [["民政", "城管"]],
            "month_on": [date(2025, 4, 1)],
            "repeat_complaint_rate": [0.25],
        }
    )
    shown = _exportable(data)
    assert shown.columns == ["社区", "涉及部门", "月份", "重复投诉率"]
    assert shown["涉及部门"].to_list() == ["民政、城管"]
    csv = _csv(shown)
    assert csv.startswith("\ufeff".encode()) and "幸福里社区" in csv.decode("utf-8-sig")
    back = pl.read_excel(io.BytesIO(_xlsx(shown)))
    assert back.columns == shown.columns and back["社区"].to_list() == ["幸福里社区"]
