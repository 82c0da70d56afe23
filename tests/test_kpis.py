"""The KPI registry: values, numerators, denominators, targets and the default period."""

from __future__ import annotations

from datetime import datetime

import duckdb

from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.metrics import KPIS, Period, compute, default_period, kpi_document


def seed(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ("A1", "2025-03-01 09:00", "幸福里3栋"),
        ("A2", "2025-03-10 09:00", "幸福里3栋"),
        ("A3", "2025-03-20 09:00", "幸福里3栋"),
        ("B1", "2025-03-21 09:00", "阳光城1栋"),
        ("C1", "2025-04-02 09:00", "阳光城1栋"),
    ]
    insert_raw(
        con,
        "complaints",
        [
            {"complaint_id": i, "received_at": ts(r), "address": a, "category_l1": "环境卫生"}
            for i, r, a in rows
        ],
    )
    build(con)


def test_repeat_complaint_rate_for_a_period(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    period = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-12-31 00:00"))
    value = compute(con, period)["repeat_complaint_rate"]
    assert (value.numerator, value.denominator) == (2, 4)
    assert value.value == 0.5
    assert value.target is not None and value.target.value == 0.10
    assert value.meets_target is False


def test_the_look_back_reaches_before_the_period(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    period = Period(day("2025-04-01"), day("2025-04-30"), ts("2025-12-31 00:00"))
    value = compute(con, period)["repeat_complaint_rate"]
    assert (value.numerator, value.denominator) == (1, 1)


def test_as_of_excludes_what_had_not_happened_yet(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    period = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-03-15 00:00"))
    value = compute(con, period)["repeat_complaint_rate"]
    assert (value.numerator, value.denominator) == (1, 2)


def test_an_empty_period_has_no_value(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    period = Period(day("2024-01-01"), day("2024-01-31"), ts("2025-12-31 00:00"))
    value = compute(con, period)["repeat_complaint_rate"]
    assert (value.value, value.numerator, value.denominator) == (None, 0, 0)
    assert value.meets_target is None


def test_the_default_period_is_the_latest_month_with_data(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    period = default_period(con, datetime(2025, 12, 1))
    assert (period.date_from, period.date_to) == (day("2025-04-01"), day("2025-04-30"))
    earlier = default_period(con, datetime(2025, 3, 25))
    assert (earlier.date_from, earlier.date_to) == (day("2025-03-01"), day("2025-03-31"))


def test_the_default_period_is_the_latest_ticket_s_month_whatever_the_row_order(
    con: duckdb.DuckDBPyConnection,
) -> None:
    received = ["2025-05-20 10:00", "2025-02-03 08:00", "2025-05-31 23:30", "2025-04-11 12:00"]
    insert_raw(
        con,
        "complaints",
        [
            {"complaint_id": f"D{i}", "received_at": ts(r), "address": "幸福里3栋"}
            for i, r in enumerate(received)
        ],
    )
    build(con)
    for as_of, month in [
        ("2025-12-01 00:00", "2025-05-01"),
        ("2025-05-31 23:00", "2025-05-01"),
        ("2025-05-20 09:59", "2025-04-01"),  # the ticket of that morning not yet received
        ("2025-04-11 12:00", "2025-04-01"),
        ("2025-01-01 00:00", "2025-01-01"),  # nothing received yet: as_of's own month
    ]:
        assert default_period(con, ts(as_of)).date_from == day(month), as_of


def test_the_json_document_has_the_agreed_shape(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    period = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-12-31 00:00"))
    document = kpi_document(period, compute(con, period))
    assert document["period"] == {"from": "2025-03-01", "to": "2025-03-31",
                                  "as_of": "2025-12-31T00:00:00"}  # fmt: skip
    assert set(document["kpis"]) == set(KPIS)
    for entry in document["kpis"].values():
        assert set(entry) == {"value", "numerator", "denominator", "target", "unit"}
