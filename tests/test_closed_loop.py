"""Given/expected tests for the closed loop: rectification_cases' deadlines, flags, recurrence."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.connection import fetch_frame
from warehouse.metrics import KPIS, Period, compute
from warehouse.settings import Target, load_settings


def case(case_id: str, found: str, **extra: object) -> dict[str, object]:
    return {
        "case_id": case_id,
        "round": extra.pop("round", 1),
        "found_by": "部门检查",
        "community": "幸福里社区",
        "community_id": "C1",
        "problem_type": extra.pop("problem_type", "消防通道堵塞"),
        "found_at": ts(found),
        "status": extra.pop("status", "已办结"),
        **extra,
    }


def test_deadlines_count_working_days_across_national_day(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "rectification_cases",
        [
            # noticed 2025-09-26 (Fri): the 15 working days are 9-28 (Sun, worked), 9-29, 9-30,
            # then 10-9, 10-10, 10-11 (Sat, worked), 10-13 .. 10-17, 10-20 .. 10-23 (10-1..10-8 off)
            case("Z1", "2025-09-25 10:00", noticed_at=ts("2025-09-26 09:00"),
                 verified_at=ts("2025-10-20 17:00"), evaluated_at=ts("2025-10-27 09:00"),
                 satisfaction_pct=92.0),
            case("Z2", "2025-09-25 10:00", noticed_at=ts("2025-09-26 11:00"),
                 verified_at=ts("2025-10-24 09:00"), evaluated_at=ts("2025-11-03 09:00"),
                 satisfaction_pct=70.0),
            case("Z3", "2025-09-25 10:00", noticed_at=ts("2025-09-27 10:01"), status="整改中"),
        ],
    )  # fmt: skip
    build(con)
    result = fetch_frame(
        con,
        "select case_round_id, rectification_deadline_on, is_noticed_within_24h, "
        "is_completed, is_completed_on_time, evaluation_deadline_on, is_evaluated_on_time, "
        "is_below_satisfaction from rectification_cases order by case_round_id",
    )
    expected = pl.DataFrame(
        {
            "case_round_id": ["Z1#1", "Z2#1", "Z3#1"],
            "rectification_deadline_on": [day("2025-10-23")] * 3,
            "is_noticed_within_24h": [True, False, False],
            "is_completed": [True, True, False],
            "is_completed_on_time": [True, False, False],
            # 5 working days after 10-20 (Mon) -> 10-27; after 10-24 (Fri) -> 10-31
            "evaluation_deadline_on": [day("2025-10-27"), day("2025-10-31"), None],
            "is_evaluated_on_time": [True, False, False],
            "is_below_satisfaction": [False, True, False],
        }
    )
    assert_frame_equal(result, expected)


def test_recurrence_needs_a_new_problem_of_the_type_in_the_community_within_90_days(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert_raw(
        con,
        "rectification_cases",
        [
            case("R1", "2025-03-01 10:00", noticed_at=ts("2025-03-01 12:00"),
                 verified_at=ts("2025-03-10 10:00")),
            case("R2", "2025-03-01 10:00", noticed_at=ts("2025-03-01 12:00"),
                 verified_at=ts("2025-03-10 10:00"), problem_type="电梯故障"),
            case("R3", "2025-03-01 10:00", noticed_at=ts("2025-03-01 12:00"),
                 verified_at=ts("2025-03-10 10:00"), community_id="C2"),
        ],
    )  # fmt: skip
    insert_raw(
        con,
        "complaints",
        [
            # the same problem in C1 88 days after R1 was completed: R1 recurred
            {"complaint_id": "T1", "received_at": ts("2025-06-06 09:00"), "address": "x",
             "community_id": "C1", "category_l1": "社区环境", "category_l3": "消防通道堵塞"},
            # an elevator complaint 91 days after R2: too late
            {"complaint_id": "T2", "received_at": ts("2025-06-09 11:00"), "address": "y",
             "community_id": "C1", "category_l1": "设施", "category_l3": "电梯故障"},
        ],
    )  # fmt: skip
    insert_raw(
        con,
        "inspections",
        [
            # a failed fire-lane inspection in C2 on the completion day itself does not count
            {"inspection_id": "V1", "department": "消防", "inspected_on": day("2025-03-10"),
             "community": "C2", "community_id": "C2", "subject": "消防安全",
             "result": "不合格", "problem": "消防通道堵塞"},
        ],
    )  # fmt: skip
    insert_raw(
        con,
        "problem_types",
        [{"problem_type_id": "P1", "level1": "安全", "level2": "消防", "level3": "消防通道堵塞"}],
    )
    build(con)
    result = fetch_frame(
        con, "select case_id, is_recurred from rectification_cases order by case_id"
    )
    assert result.rows() == [("R1", True), ("R2", False), ("R3", False)]


def test_closed_loop_kpis(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "rectification_cases",
        [
            case("K1", "2025-03-03 09:00", noticed_at=ts("2025-03-03 15:00"),
                 verified_at=ts("2025-03-10 10:00"), evaluated_at=ts("2025-03-12 10:00"),
                 satisfaction_pct=90.0),
            case("K2", "2025-03-04 09:00", noticed_at=ts("2025-03-06 09:00"),
                 verified_at=ts("2025-04-20 10:00"), evaluated_at=ts("2025-05-20 10:00"),
                 satisfaction_pct=60.0),
            case("K3", "2025-03-05 09:00", noticed_at=ts("2025-03-05 10:00"), status="整改中"),
            case("K2", "2025-05-20 10:00", round=2),  # a second round: not in feedback's count
        ],
    )  # fmt: skip
    build(con)
    period = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-12-31 00:00"))
    values = compute(con, period, names=[k for k in KPIS if "rect" in k or "feedback" in k
                                         or "evaluated" in k])  # fmt: skip
    parts = {name: (v.numerator, v.denominator) for name, v in values.items()}
    assert parts["feedback_within_24h_rate"] == (2, 3)
    assert parts["rectified_on_time_rate"] == (1, 3)
    assert parts["rectification_completion_rate"] == (2, 3)
    assert parts["evaluated_on_time_rate"] == (1, 1)  # completed in March: K1 only
    assert parts["second_rectification_rate"] == (0, 1)  # evaluated in March: K1
    assert parts["rectification_satisfaction_rate"] == (1, 1)  # K1 at 90%
    early = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-03-20 00:00"))
    not_due = compute(con, early, names=["rectification_completion_rate"])
    assert not_due["rectification_completion_rate"].denominator == 0  # no deadline passed yet


def evaluated(case_id: str, when: str, satisfaction: float | None) -> dict[str, object]:
    """A case completed and evaluated at `when` with the given satisfaction (%)."""
    return case(case_id, "2025-03-20 09:00", noticed_at=ts("2025-03-20 15:00"),
                verified_at=ts("2025-04-01 10:00"), evaluated_at=ts(when),
                satisfaction_pct=satisfaction)  # fmt: skip


def test_rectification_satisfaction_counts_evaluations_at_or_above_the_threshold(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert_raw(
        con,
        "rectification_cases",
        [
            evaluated("E1", "2025-04-03 10:00", 80.0),  # exactly 80%: satisfied
            evaluated("E2", "2025-04-03 11:00", 79.9),  # just below: a second round
            evaluated("E3", "2025-04-21 09:00", 100.0),  # after the early as_of below
            evaluated("E4", "2025-04-08 09:00", None),  # evaluated, no satisfaction recorded
            evaluated("E5", "2025-05-06 09:00", 95.0),  # evaluated in May: another period
            case("E6", "2025-03-20 09:00", noticed_at=ts("2025-03-20 15:00"),
                 verified_at=ts("2025-04-01 10:00"), satisfaction_pct=90.0),  # not evaluated
        ],
    )  # fmt: skip
    build(con)
    names = ["rectification_satisfaction_rate", "second_rectification_rate"]
    april = Period(day("2025-04-01"), day("2025-04-30"), ts("2025-12-31 00:00"))
    values = compute(con, april, names=names)
    parts = {name: (v.numerator, v.denominator) for name, v in values.items()}
    assert parts == {
        "rectification_satisfaction_rate": (2, 4),  # E1, E3 of E1-E4
        "second_rectification_rate": (1, 4),  # E2
    }
    satisfaction = values["rectification_satisfaction_rate"]
    assert (satisfaction.value, satisfaction.unit) == (0.5, "ratio")
    assert satisfaction.target == Target(">=", 0.8)  # warehouse/settings.yaml
    assert satisfaction.meets_target is False
    early = compute(con, replace(april, as_of=ts("2025-04-20 00:00")), names=names)
    assert (early[names[0]].numerator, early[names[0]].denominator) == (1, 3)  # E1 of E1, E2, E4
    may = compute(con, replace(april, date_from=day("2025-05-01"), date_to=day("2025-05-31")),
                  names=names)  # fmt: skip
    assert (may[names[0]].value, may[names[0]].meets_target) == (1.0, True)


def test_indicator_ind37_is_the_rectification_satisfaction_kpi(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """整改评价满意率 (IND37, % >= 80) is 整改满意率: the same cases, numerator and denominator."""
    from pipelines.generator.taxonomy import indicator_rows

    [ind37] = [row for row in indicator_rows() if row["indicator_id"] == "IND37"]
    insert_raw(con, "indicators", [ind37])
    insert_raw(
        con,
        "rectification_cases",
        [
            evaluated("E1", "2025-04-03 10:00", 80.0),  # exactly 80%: satisfied
            evaluated("E2", "2025-04-03 11:00", 79.9),  # just below
            evaluated("E3", "2025-04-21 09:00", 100.0),
            evaluated("E4", "2025-04-08 09:00", None),  # evaluated, no satisfaction: denominator
            evaluated("E5", "2025-05-06 09:00", 95.0),  # May
            case("E7", "2025-05-20 09:00"),  # found in May: the mart's months reach May
        ],
    )
    build(con)
    april = Period(day("2025-04-01"), day("2025-04-30"), ts("2025-12-31 00:00"), community="C1")
    name = "rectification_satisfaction_rate"
    kpi = compute(con, april, names=[name])[name]
    measured = fetch_frame(
        con,
        "select month_on, numerator, denominator, measured_value, is_compliant "
        "from indicator_compliance where indicator_id = 'IND37' and community_id = 'C1' "
        "and denominator > 0 order by month_on",
    )
    assert measured.rows() == [
        (day("2025-04-01"), 2.0, 4.0, 50.0, False),  # E1, E3 of E1-E4: not the mean (~86.6)
        (day("2025-05-01"), 1.0, 1.0, 100.0, True),
    ]
    assert (kpi.numerator, kpi.denominator) == (2, 4)


def test_indicator_ind39_is_the_second_rectification_kpi_in_every_evaluated_month(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """二次整改率 (IND39) counts what the KPI counts, an evaluation without a satisfaction in the
    denominator; a month in which cases were only evaluated (no other event) is in the mart."""
    from pipelines.generator.taxonomy import indicator_rows

    [ind39] = [row for row in indicator_rows() if row["indicator_id"] == "IND39"]
    insert_raw(con, "indicators", [ind39])
    insert_raw(
        con,
        "rectification_cases",
        [
            evaluated("E1", "2025-04-03 10:00", 80.0),  # exactly 80%: not below
            evaluated("E2", "2025-04-03 11:00", 79.9),  # below: a second round
            evaluated("E4", "2025-04-08 09:00", None),  # evaluated, no satisfaction: denominator
            evaluated("E5", "2025-05-06 09:00", 70.0),  # May: the cases' only event that month
        ],
    )
    build(con)
    name = "second_rectification_rate"
    april = Period(day("2025-04-01"), day("2025-04-30"), ts("2025-12-31 00:00"), community="C1")
    may = replace(april, date_from=day("2025-05-01"), date_to=day("2025-05-31"))
    kpis = [compute(con, period, names=[name])[name] for period in (april, may)]
    measured = fetch_frame(
        con,
        "select month_on, numerator, denominator from indicator_compliance "
        "where indicator_id = 'IND39' and community_id = 'C1' and denominator > 0 "
        "order by month_on",
    )
    assert measured.rows() == [(day("2025-04-01"), 1.0, 3.0), (day("2025-05-01"), 1.0, 1.0)]
    assert [(kpi.numerator, kpi.denominator) for kpi in kpis] == [(1, 3), (1, 1)]


def test_rectification_satisfaction_follows_the_second_round_threshold_setting(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert_raw(
        con,
        "rectification_cases",
        [evaluated("F1", "2025-04-03 10:00", 75.0), evaluated("F2", "2025-04-03 11:00", 69.0)],
    )
    lenient = replace(load_settings(), second_round_below_pct=70.0)
    build(con, settings=lenient)
    april = Period(day("2025-04-01"), day("2025-04-30"), ts("2025-12-31 00:00"))
    name = "rectification_satisfaction_rate"
    value = compute(con, april, names=[name], settings=lenient)[name]
    assert (value.numerator, value.denominator) == (1, 2)  # F1 at 75% is satisfied at 70%
