"""The dashboard's evaluation scores: one street-wide ranking per date range, then filtered."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import queries_indicators
from dashboard.queries import WarehouseVersion
from tests.factories import day, ts
from warehouse import scores
from warehouse.metrics import Period

VERSION = WarehouseVersion("w.duckdb", "1")
MARCH = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-12-31 00:00"))
SCORES = pl.DataFrame(
    {
        "community_id": [f"C{i}" for i in range(1, 26)],
        "community_name": [f"社区{i}" for i in range(1, 26)],
        "score": [100.0 - i for i in range(25)],
        "is_rankable": [i % 7 != 3 for i in range(25)],
        "rank": list(range(1, 26)),
    }
)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[Period]:
    """The periods the warehouse's evaluation_scores is asked for (it returns SCORES)."""
    periods: list[Period] = []

    def analysis(version: WarehouseVersion, module: str, function: str, *args: Any) -> Any:
        assert (module, function) == ("warehouse.scores", "evaluation_scores")
        periods.append(args[0])
        return SCORES

    monkeypatch.setattr(queries_indicators, "try_analysis", analysis)
    return periods


def test_a_community_filter_reads_the_street_ranking(asked: list[Period]) -> None:
    chosen = Period(MARCH.date_from, MARCH.date_to, MARCH.as_of, community="C5", department="城管")
    shown = queries_indicators.evaluation_scores(VERSION, chosen)
    assert (
        shown is not None
        and shown.to_dicts() == SCORES.filter(pl.col("community_id") == "C5").to_dicts()
    )
    everyone = queries_indicators.evaluation_scores(VERSION, MARCH)
    assert everyone is not None and everyone.height == SCORES.height
    assert {(p.community, p.department) for p in asked} == {(None, None)}
    assert {(p.date_from, p.date_to, p.as_of) for p in asked} == {
        (MARCH.date_from, MARCH.date_to, MARCH.as_of)
    }


def test_red_and_black_lists_match_the_warehouse_function(
    asked: list[Period], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scores, "evaluation_scores", lambda con, period, settings=None: SCORES)
    expected_red, expected_black = scores.red_black_list(None, MARCH)  # type: ignore[arg-type]
    lists = queries_indicators.red_black(VERSION, Period(**{**vars(MARCH), "community": "C2"}))
    assert lists is not None
    assert_frame_equal(lists[0], expected_red)
    assert_frame_equal(lists[1], expected_black)
    assert asked[0].community is None
