"""Given/expected tests for indicator compliance: the committed mapping and the mart."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.generator.taxonomy import indicator_rows
from tests.factories import day, insert_raw, ts
from warehouse.build import MEASURE_KINDS, build, load_indicator_measures
from warehouse.connection import fetch_frame
from warehouse.incremental_compliance import CASE_COLUMNS
from warehouse.models import COMMENT_PATTERN, discover
from warehouse.schema import ensure_raw_schema

CATALOGUE = {row["indicator_id"]: row for row in indicator_rows()}


def indicator(indicator_id: str) -> dict[str, object]:
    return dict(CATALOGUE[indicator_id])


def seed(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "indicators",
        [indicator(i) for i in ("IND01", "IND03", "IND04", "IND25", "IND35", "IND41")],
    )
    insert_raw(con, "communities", [
        {"community_id": "C1", "street_id": "S1", "community_name": "幸福里社区"},
        {"community_id": "C2", "street_id": "S1", "community_name": "阳光城社区"},
    ])  # fmt: skip
    visit = {"department": "消防", "community": "幸福里社区", "community_id": "C1",
             "subject": "消防安全", "inspected_on": day("2025-03-05")}  # fmt: skip
    insert_raw(con, "inspections", [
        {**visit, "inspection_id": "V1", "result": "不合格", "problem": "消防通道堵塞"},
        {**visit, "inspection_id": "V2", "result": "不合格", "problem": "消防设施损坏"},
        {**visit, "inspection_id": "V3", "result": "合格"},
    ])  # fmt: skip
    complaint = {"address": "幸福里3栋", "community_id": "C1", "category_l1": "社区环境",
                 "category_l3": "垃圾桶满溢"}  # fmt: skip
    insert_raw(con, "complaints", [
        {**complaint, "complaint_id": "A1", "received_at": ts("2025-03-02 09:00"),
         "first_response_at": ts("2025-03-02 11:00")},
        {**complaint, "complaint_id": "A2", "received_at": ts("2025-03-09 09:00"),
         "first_response_at": ts("2025-03-09 19:00")},
    ])  # fmt: skip
    insert_raw(con, "rectification_cases", [
        {"case_id": "K1", "round": 1, "found_by": "部门检查", "community": "幸福里社区",
         "community_id": "C1", "problem_type": "消防通道堵塞", "found_at": ts("2025-03-03 09:00"),
         "noticed_at": ts("2025-03-03 15:00"), "verified_at": ts("2025-03-20 10:00"),
         "status": "已完成"},  # deadline: 15 working days after 3 March is 24 March
    ])  # fmt: skip
    rating = {"evaluated_on": day("2025-03-15"), "community": "幸福里社区", "community_id": "C1",
              "satisfaction_score": 80.0}  # fmt: skip
    insert_raw(con, "resident_evaluations", [
        {**rating, "evaluation_id": "E1", "evaluator_type": "居民", "knows_results": True},
        {**rating, "evaluation_id": "E2", "evaluator_type": "居民代表", "knows_results": False},
        {**rating, "evaluation_id": "E3", "evaluator_type": "第三方机构", "knows_results": True},
    ])  # fmt: skip
    build(con)


def test_indicator_compliance_per_community_and_month(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    result = fetch_frame(
        con,
        "select month_on, indicator_id, comparator, threshold, has_measure, numerator, "
        "denominator, measured_value, is_compliant "
        "from indicator_compliance where community_id = 'C1' order by indicator_id",
    )
    expected = pl.DataFrame(
        {
            "month_on": [day("2025-03-01")] * 6,
            "indicator_id": ["IND01", "IND03", "IND04", "IND25", "IND35", "IND41"],
            "comparator": [">=", "<=", "=", "<", ">=", ">="],
            "threshold": [98.0, 24.0, 100.0, 10.0, 98.0, 60.0],
            "has_measure": [False, True, True, True, True, True],
            "numerator": [None, 12.0, 2.0, 1.0, 1.0, 1.0],  # 2 h + 10 h; V2 failed another item
            "denominator": [None, 2.0, 3.0, 2.0, 1.0, 2.0],  # the third party is not a resident
            "measured_value": [None, 6.0, 200 / 3, 50.0, 100.0, 50.0],
            "is_compliant": [None, True, False, False, True, False],
        }
    )
    assert_frame_equal(result, expected)


def test_a_community_without_data_has_no_value_and_no_verdict(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    result = fetch_frame(
        con,
        "select count(*) as n, count(measured_value) as measured, count(is_compliant) as judged, "
        "sum(denominator) as denominator from indicator_compliance where community_id = 'C2'",
    )
    assert result.row(0) == (6, 0, 0, 0.0)


def test_the_mapping_covers_the_42_catalogue_indicators() -> None:
    measures = load_indicator_measures()
    assert measures["indicator_id"].sort().to_list() == sorted(str(i) for i in CATALOGUE)
    kinds = set(measures["measure"].drop_nulls())
    assert kinds <= set(MEASURE_KINDS)
    unmapped = measures.filter(pl.col("measure").is_null())
    assert unmapped["note"].null_count() == 0, "every unmeasured indicator says why"


def test_an_unknown_measure_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text("indicators:\n  IND01: {measure: guessed_rate}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="IND01: measure 'guessed_rate'"):
        load_indicator_measures(path)


def test_the_mapping_names_only_known_subjects_and_problem_types() -> None:
    from pipelines.generator.taxonomy import PROBLEM_TYPES, SUBJECTS

    measures = load_indicator_measures()
    subjects = set(measures["subject"].drop_nulls())
    problem_types = set(measures["problem_types"].explode().drop_nulls())
    assert subjects <= {subject[0] for subject in SUBJECTS}
    assert problem_types <= {problem[2] for problem in PROBLEM_TYPES}


def incremental_equals_full(con: duckdb.DuckDBPyConnection) -> str:
    """Build incrementally, then fully; the two marts are equal. Returns how the increment built
    indicator_compliance ("incremental", or "table" when it rebuilt it whole)."""
    built = {model.name: model.materialization for model in build(con)}
    query = "select * from indicator_compliance order by all"
    stepwise = fetch_frame(con, query)
    build(con, full=True)
    assert_frame_equal(stepwise, fetch_frame(con, query))
    return built["indicator_compliance"]


def test_a_new_month_and_a_later_one_after_a_gap(con: duckdb.DuckDBPyConnection) -> None:
    """April is recomputed alone; a month after an empty one brings the empty month's rows too."""
    seed(con)  # March
    ticket = {"address": "幸福里3栋", "community_id": "C1", "category_l1": "社区环境",
              "category_l3": "垃圾桶满溢"}  # fmt: skip
    april = {**ticket, "complaint_id": "A3", "received_at": ts("2025-04-06 09:00")}
    insert_raw(con, "complaints", [april], load_id=2)
    assert incremental_equals_full(con) == "incremental"
    june = {**ticket, "complaint_id": "A4", "received_at": ts("2025-06-06 09:00")}
    insert_raw(con, "complaints", [june], load_id=3)
    incremental_equals_full(con)
    months = con.execute("select distinct month_on from indicator_compliance order by 1").fetchall()
    assert [m for (m,) in months] == [day(f"2025-0{m}-01") for m in (3, 4, 5, 6)]


def test_a_new_problem_recurring_an_earlier_round_updates_its_watched_month(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """K1 was completed on 20 March: a complaint of its type a few days later makes it recur. The
    round counts in the month its 90-day watch ends (June), which the increment recomputes."""
    ticket = {"address": "幸福里3栋", "community_id": "C1", "category_l1": "消防安全",
              "category_l3": "消防通道堵塞"}  # fmt: skip
    insert_raw(con, "indicators", [indicator("IND38")])  # case_recurrence_rate
    # built from March to June; A6 is too late to make K1 recur
    insert_raw(
        con, "complaints", [{**ticket, "complaint_id": "A6", "received_at": ts("2025-06-25")}]
    )
    seed(con)
    insert_raw(con, "complaints", [
        {**ticket, "complaint_id": "A5", "received_at": ts("2025-03-25 09:00")},
    ], load_id=2)  # fmt: skip
    assert incremental_equals_full(con) == "incremental"
    assert con.execute("select is_recurred from rectification_cases").fetchall() == [(True,)]
    watched = con.execute("select numerator, denominator from indicator_compliance "
                          "where indicator_id = 'IND38' and community_id = 'C1' "
                          "and month_on = '2025-06-01'").fetchall()  # fmt: skip
    assert watched == [(1.0, 1.0)]


def test_a_community_missing_from_the_reference_rebuilds_the_mart_whole(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    stray = {"address": "无名路1号", "community_id": "C9", "category_l1": "社区环境",
             "category_l3": "垃圾桶满溢", "complaint_id": "A4",
             "received_at": ts("2025-03-20 09:00")}  # fmt: skip
    insert_raw(con, "complaints", [stray], load_id=2)
    assert incremental_equals_full(con) == "table"
    rows = con.execute("select count(*) from indicator_compliance where community_id = 'C9'")
    assert rows.fetchall() == [(6,)]


def test_the_increment_compares_every_column_of_the_cases_the_mart_reads() -> None:
    """An incremental build finds the months to recompute from the rounds whose CASE_COLUMNS
    changed: the mart must read no other column of rectification_cases (`grid` is a CTE there)."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    build(con)
    query = "select column_name from duckdb_columns() where table_name = 'rectification_cases'"
    columns = {column for (column,) in con.execute(query).fetchall()}
    sql = COMMENT_PATTERN.sub("", discover()["indicator_compliance"].sql)
    read = columns & set(re.findall(r"[a-z_][a-z0-9_]*", sql))
    assert read - {"grid"} == set(CASE_COLUMNS)
