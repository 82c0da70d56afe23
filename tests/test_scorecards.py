"""Given/expected tests for the department scorecard, overdue cases and the meeting agenda."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.metrics import Period
from warehouse.scorecards import agenda, department_scorecard, overdue_cases
from warehouse.settings import RankingSettings, load_settings

AS_OF = ts("2025-04-02 18:00")
MARCH = Period(day("2025-03-01"), day("2025-03-31"), AS_OF)


def visit(visit_id: str, department: str, on: str, subject: str, **extra: object):
    return {"inspection_id": visit_id, "department": department, "inspected_on": day(on),
            "community": "幸福里社区", "community_id": "C1", "subject": subject,
            "result": extra.pop("result", "合格"), **extra}  # fmt: skip


def case(case_id: str, unit: str, noticed: str, completed: str | None, problem: str):
    return {"case_id": case_id, "round": 1, "found_by": "部门检查", "community": "幸福里社区",
            "community_id": "C1", "problem_type": problem, "responsible_unit": unit,
            "found_at": ts(noticed), "noticed_at": ts(noticed),
            "verified_at": ts(completed) if completed else None,
            "status": "已完成" if completed else "整改中"}  # fmt: skip


def seed(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(con, "departments", [
        {"department": "消防", "full_name": "区消防救援大队"},
        {"department": "城管", "full_name": "区城市管理局"},
        {"department": "住建", "full_name": "区住房和城乡建设局"},
    ])  # fmt: skip
    insert_raw(con, "inspection_subjects", [
        {"subject_id": "SB1", "subject_name": "消防安全",
         "problem_types": "消防通道堵塞|消防设施损坏", "departments": "消防|应急管理|公安|住建"},
        {"subject_id": "SB2", "subject_name": "环境卫生", "problem_types": "卫生死角",
         "departments": "城管|卫健"},
    ])  # fmt: skip
    insert_raw(con, "inspections", [
        visit("V1", "消防", "2025-03-03", "消防安全", result="不合格", problem="消防通道堵塞"),
        visit("V2", "消防", "2025-03-10", "消防安全", joint_departments="住建"),  # duplicates V1
        visit("V3", "城管", "2025-03-05", "环境卫生"),
    ])  # fmt: skip
    complaint = {"address": "幸福里3栋", "community_id": "C1", "category_l1": "社区环境",
                 "category_l3": "垃圾桶满溢", "department": "城管"}  # fmt: skip
    insert_raw(con, "complaints", [
        {**complaint, "complaint_id": "T1", "received_at": ts("2025-03-03 09:00"),
         "first_response_at": ts("2025-03-03 10:00"), "closed_at": ts("2025-03-05 10:00")},
        {**complaint, "complaint_id": "T2", "received_at": ts("2025-03-03 09:00"),
         "closed_at": ts("2025-03-07 10:00")},
    ])  # fmt: skip
    insert_raw(con, "rectification_cases", [
        # deadlines: 15 working days after 3 March is 24 March; after 10 March, 31 March
        case("K1", "区消防救援大队", "2025-03-03 15:00", "2025-03-10 10:00", "消防通道堵塞"),
        case("K2", "消防", "2025-03-03 15:00", None, "消防通道堵塞"),
        case("K3", "幸福里物业", "2025-03-10 15:00", None, "卫生死角"),
        # closed without rectification: not completed, but no longer open
        {**case("K4", "消防", "2025-03-03 15:00", None, "消防通道堵塞"),
         "status": "终止（未整改）"},
    ])  # fmt: skip
    build(con)


def test_department_scorecard(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    settings = replace(load_settings(), ranking=RankingSettings(min_volume=3, list_size=5))
    result = department_scorecard(con, MARCH, settings).drop("count_cases_due")
    expected = pl.DataFrame(
        {
            "department": ["城管", "消防", "住建"],
            "count_visits": [1, 2, 1],  # 住建 took part in V2
            "duplicate_rate": [0.0, 0.5, 1.0],
            "failed_rate": [0.0, 0.5, 0.0],
            "count_complaints": [2, 0, 0],
            "response_within_24h_rate": [0.5, None, None],
            "count_closed": [2, 0, 0],
            "avg_handling_working_days": [3.0, None, None],  # 2 and 4 working days
            "count_cases": [0, 3, 0],
            "completion_rate": [None, 1 / 3, None],
            "on_time_rate": [None, 1 / 3, None],
            "count_overdue": [0, 1, 0],  # K2; K4 was closed without rectification
            "volume": [3, 5, 1],
            "performance": [0.75, (0.5 + 2 / 3) / 3, 0.0],
            "is_rankable": [True, True, False],
            "rank": [1, 2, None],
        }
    )
    assert_frame_equal(result, expected, check_dtypes=False)


def test_overdue_cases_count_working_days_past_the_deadline(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    result = overdue_cases(con, AS_OF).select(
        "case_id", "responsible_unit", "responsible_department", "rectification_deadline_on",
        "working_days_overdue",
    )  # fmt: skip
    expected = pl.DataFrame(
        {
            "case_id": ["K2", "K3"],
            "responsible_unit": ["消防", "幸福里物业"],
            "responsible_department": ["消防", None],
            "rectification_deadline_on": [day("2025-03-24"), day("2025-03-31")],
            "working_days_overdue": [7, 2],  # 25-28 and 31 March, 1-2 April; 1-2 April
        }
    )
    assert_frame_equal(result, expected, check_dtypes=False)
    assert overdue_cases(con, AS_OF, department="消防")["case_id"].to_list() == ["K2"]
    assert overdue_cases(con, ts("2025-03-24 23:00")).is_empty()  # the deadline day is on time


def test_the_joint_meeting_agenda(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = agenda(con, MARCH)
    expected_multi = pl.DataFrame(
        {
            "subject": ["消防安全"],
            "problem_type": ["消防通道堵塞"],  # K2 is open; 消防设施损坏 has nothing open
            "departments": [["住建", "公安", "应急管理", "消防"]],
            "count_departments": [4],
            "count_open_cases": [1],
            "count_complaints": [0],
        }
    )
    assert_frame_equal(result["multi_department"], expected_multi, check_dtypes=False)
    assert result["overdue"]["case_id"].to_list() == ["K2", "K3"]
    expected_merges = pl.DataFrame(
        {
            "community_id": ["C1"],
            "community": ["幸福里社区"],
            "subject": ["消防安全"],
            "departments": [["消防"]],
            "count_visits": [2],
            "count_visits_saved": [1],
        }
    )
    assert_frame_equal(result["merges"], expected_merges, check_dtypes=False)
