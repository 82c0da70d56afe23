"""Given/expected tests for the weighted evaluation score and the red/black list."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.metrics import Period
from warehouse.scores import evaluation_scores, red_black_list
from warehouse.settings import EvaluationSettings, RankingSettings, Settings, load_settings

MARCH = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-12-31 00:00"))


def settings(**evaluators: float) -> Settings:
    evaluation = EvaluationSettings()
    if evaluators:
        evaluation = replace(evaluation, evaluators=evaluators)
    return replace(load_settings(), evaluation=evaluation, ranking=RankingSettings(3, 1))


def case(case_id: str, found: str, noticed: str, completed: str | None) -> dict[str, object]:
    return {
        "case_id": case_id, "round": 1, "found_by": "部门检查", "community": "幸福里社区",
        "community_id": "C1", "problem_type": "消防通道堵塞", "found_at": ts(found),
        "noticed_at": ts(noticed), "verified_at": ts(completed) if completed else None,
        "status": "已完成" if completed else "整改中",
    }  # fmt: skip


def rating(evaluation_id: str, community: str, kind: str, score: float) -> dict[str, object]:
    return {"evaluation_id": evaluation_id, "evaluated_on": day("2025-03-15"),
            "community": community, "community_id": community, "evaluator_type": kind,
            "satisfaction_score": score}  # fmt: skip


def complaint(ticket: str, community: str, response: str | None) -> dict[str, object]:
    return {"complaint_id": ticket, "received_at": ts("2025-03-02 09:00"), "address": ticket,
            "community_id": community, "category_l1": "社区环境", "category_l3": "垃圾桶满溢",
            "first_response_at": ts(response) if response else None}  # fmt: skip


def seed(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(con, "communities", [
        {"community_id": c, "street_id": "S1", "community_name": name}
        for c, name in [("C1", "幸福里社区"), ("C2", "阳光城社区"), ("C3", "和平社区")]
    ])  # fmt: skip
    insert_raw(con, "resident_evaluations", [
        rating("E1", "C1", "居民", 100), rating("E2", "C1", "居民代表", 80),  # residents 0.9
        rating("E3", "C1", "上级部门", 60), rating("E4", "C1", "第三方机构", 100),
        *[rating(f"F{i}", "C2", "居民", 50) for i in range(3)],  # residents only: 0.5
        rating("G1", "C3", "居民", 100),
    ])  # fmt: skip
    insert_raw(con, "rectification_cases", [
        # due 24 March (15 working days after 3 March): one completed on time, one open
        case("K1", "2025-03-03 09:00", "2025-03-03 15:00", "2025-03-10 10:00"),
        case("K2", "2025-03-03 09:00", "2025-03-05 09:00", None),
        # completed 10 December: its 90-day watch ends 10 March without a recurrence
        case("K0", "2024-12-02 09:00", "2024-12-02 10:00", "2024-12-10 10:00"),
    ])  # fmt: skip
    insert_raw(con, "complaints", [
        complaint("T1", "C1", "2025-03-02 10:00"), complaint("T2", "C1", None),
        complaint("T3", "C2", "2025-03-02 10:00"),
    ])  # fmt: skip
    build(con)


def test_evaluation_scores_follow_the_formula(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = evaluation_scores(con, MARCH, settings())
    # C1: satisfaction .4*.9 + .3*.6 + .3*1 = .84; outcome (.84 + .5 + 1) / 3 = .78;
    #     process (.5 + .5 + .5) / 3 = .5; score 100 * (.6 * .78 + .4 * .5) = 66.8
    # C2: satisfaction .5 (residents only); outcome .5; process 1; score 100 * (.3 + .4) = 70
    # C3: no process part, so no score
    expected = pl.DataFrame(
        {
            "community_id": ["C2", "C1", "C3"],
            "satisfaction": [0.5, 0.84, 1.0],
            "solving_rate": [None, 0.5, None],
            "lasting_rate": [None, 1.0, None],
            "outcome": [0.5, 0.78, 1.0],
            "feedback_rate": [None, 0.5, None],
            "on_time_rate": [None, 0.5, None],
            "response_rate": [1.0, 0.5, None],
            "process": [1.0, 0.5, None],
            "count_parts": [2, 6, 1],  # no indicator catalogue here, so no compliance share
            "score": [70.0, 66.8, None],
            "volume": [3, 6, 1],
            "is_rankable": [True, True, False],
            "rank": [1, 2, None],
        }
    )
    assert_frame_equal(result.select(expected.columns), expected, check_dtypes=False)


def test_the_evaluator_weights_are_settings(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    only_residents = settings(residents=1.0, superior=0.0, third_party=0.0)
    result = evaluation_scores(con, MARCH, only_residents).filter(pl.col("community_id") == "C1")
    # satisfaction .9; outcome (.9 + .5 + 1) / 3 = .8; score 100 * (.48 + .2) = 68
    assert result["score"].item() == pytest.approx(68.0)


def test_red_and_black_lists_hold_rankable_communities_only(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    red, black = red_black_list(con, MARCH, settings())
    assert red["community_id"].to_list() == ["C2"]
    assert black["community_id"].to_list() == ["C1"]


def test_weights_must_sum_to_one() -> None:
    from warehouse.settings import parse_evaluation

    with pytest.raises(ValueError, match="sum to 1"):
        parse_evaluation({"evaluators": {"residents": 0.5, "superior": 0.3, "third_party": 0.3},
                          "indicator_types": {"outcome": 0.6, "process": 0.4}})  # fmt: skip
