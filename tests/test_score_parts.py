"""Given/expected tests for the monthly score-parts marts, and scores read from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.factories import day, ts
from tests.test_scores import MARCH, seed, settings
from warehouse.metrics import Period
from warehouse.scores import evaluation_scores, marts_apply

PARTS = [
    "month_on", "count_cases_due", "count_cases_solved", "count_cases_on_time", "count_watched",
    "count_recurred", "count_found", "count_noticed_24h", "count_tickets", "count_responded_24h",
    "count_compliance_measured", "count_compliant", "latest_at",
]  # fmt: skip


def test_each_part_is_counted_in_the_month_its_period_test_uses(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    result = con.sql(
        "select * from community_score_parts where community_id = 'C1' order by month_on"
    ).pl()
    # K0: found 2 Dec, due 23 Dec, completed 10 Dec, so its watch ends 10 March.
    # K1 and K2: found 3 March, noticed 3 and 5 March, so due 24 and 26 March; K1 completed
    # 10 March (its watch ends 8 June), K2 open.
    # T1 and T2: received 2 March, T1 answered within the hour.
    expected = pl.DataFrame(
        {
            "month_on": [date(2024, 12, 1), date(2025, 3, 1), date(2025, 6, 1)],
            "count_cases_due": [1, 2, 0],
            "count_cases_solved": [1, 1, 0],
            "count_cases_on_time": [1, 1, 0],
            "count_watched": [0, 1, 1],
            "count_recurred": [0, 0, 0],
            "count_found": [1, 2, 0],
            "count_noticed_24h": [1, 1, 0],
            "count_tickets": [0, 2, 0],
            "count_responded_24h": [0, 1, 0],
            "count_compliance_measured": [0, 0, 0],
            "count_compliant": [0, 0, 0],
            "latest_at": [ts("2024-12-23 00:00"), ts("2025-03-26 00:00"), ts("2025-06-08 10:00")],
        }
    )
    assert_frame_equal(result.select(PARTS), expected, check_dtypes=False)


def test_evaluations_are_summed_per_month_and_evaluator_type(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    result = con.sql(
        "select community_id, evaluator_type, count_evaluations, count_scored,"
        " sum_satisfaction_score, latest_on from community_evaluations_monthly"
        " where month_on = date '2025-03-01' order by community_id, evaluator_type"
    ).pl()
    expected = pl.DataFrame(
        {
            "community_id": ["C1", "C1", "C1", "C1", "C2", "C3"],
            "evaluator_type": ["上级部门", "居民", "居民代表", "第三方机构", "居民", "居民"],
            "count_evaluations": [1, 1, 1, 1, 3, 1],
            "count_scored": [1, 1, 1, 1, 3, 1],
            "sum_satisfaction_score": [60.0, 100.0, 80.0, 100.0, 150.0, 100.0],
            "latest_on": [day("2025-03-15")] * 6,
        }
    )
    assert_frame_equal(result, expected, check_dtypes=False)


def test_whole_months_read_the_marts_and_score_as_the_tickets_do(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    spring = replace(MARCH, date_from=day("2025-01-01"), date_to=day("2025-06-30"))
    for period in (MARCH, spring, replace(MARCH, community="C1")):
        assert marts_apply(con, period)
        from_marts = evaluation_scores(con, period, settings(), from_marts=True)
        from_tickets = evaluation_scores(con, period, settings(), from_marts=False)
        assert_frame_equal(from_marts, from_tickets, check_exact=False, rel_tol=1e-12)
    assert evaluation_scores(con, MARCH, settings())["score"].to_list() == [70.0, 66.8, None]


def test_part_months_and_an_earlier_as_of_read_the_tickets(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    part_month = replace(MARCH, date_to=day("2025-03-20"))
    # as of 20 March, K1 and K2 are not due yet: the March row's counts looked further ahead
    before_due = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-03-20 12:00"))
    assert not marts_apply(con, part_month)
    assert not marts_apply(con, before_due)
    scores = evaluation_scores(con, before_due, settings())
    c1 = scores.filter(pl.col("community_id") == "C1")
    assert c1["solving_rate"].item() is None  # nothing was due by then
    marts = evaluation_scores(con, before_due, settings(), from_marts=True)
    assert marts.filter(pl.col("community_id") == "C1")["solving_rate"].item() == 0.5


def test_a_warehouse_without_the_marts_reads_the_tickets(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    con.execute("drop table community_score_parts")
    assert not marts_apply(con, MARCH)
    assert evaluation_scores(con, MARCH, settings())["score"].to_list() == [70.0, 66.8, None]
