"""as_of in any time zone is bound as the warehouse's naive local (Asia/Shanghai) time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import duckdb

from pipelines.cli import parse_as_of
from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.clock import local_zone, now_local, to_local
from warehouse.metrics import Period, compute, default_period, kpi_document

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def seed(con: duckdb.DuckDBPyConnection) -> None:
    """Two complaints either side of local midnight, 1 April 2025 (Beijing time)."""
    received = {"M1": "2025-03-31 23:30", "A1": "2025-04-01 07:30"}
    insert_raw(
        con,
        "complaints",
        [
            {"complaint_id": i, "received_at": ts(r), "address": "幸福里3栋"}
            for i, r in received.items()
        ],
    )
    build(con)


def test_the_local_zone_is_the_settings_one() -> None:
    assert local_zone() == ZoneInfo("Asia/Shanghai")
    assert now_local().tzinfo is None


def test_a_naive_moment_is_already_local() -> None:
    assert to_local(ts("2025-10-01 00:00")) == ts("2025-10-01 00:00")


def test_an_aware_moment_near_midnight_becomes_the_local_one() -> None:
    # 23:30 in Los Angeles on 30 September (PDT, -7) is 14:30 on 1 October in Beijing
    assert to_local(datetime(2025, 9, 30, 23, 30, tzinfo=LOS_ANGELES)) == ts("2025-10-01 14:30")
    # 16:00 UTC is local midnight; one second before is still 30 September
    assert to_local(datetime(2025, 9, 30, 16, 0, tzinfo=UTC)) == ts("2025-10-01 00:00")
    assert to_local(datetime(2025, 9, 30, 15, 59, 59, tzinfo=UTC)) == datetime(
        2025, 9, 30, 23, 59, 59
    )
    # a fixed offset works the same way; the result is naive
    moment = to_local(datetime(2025, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=9))))
    assert moment == ts("2024-12-31 23:00") and moment.tzinfo is None


def test_the_cli_converts_an_as_of_with_an_offset() -> None:
    assert parse_as_of("2025-03-31T20:30:00-04:00") == ts("2025-04-01 08:30")
    assert parse_as_of("2025-03-31T16:00:00+00:00") == ts("2025-04-01 00:00")
    assert parse_as_of("2025-03-31T20:30") == ts("2025-03-31 20:30")  # local, as before
    assert parse_as_of("2025-03-31") == datetime(2025, 3, 31, 23, 59, 59)


def test_a_period_binds_as_of_naive_local() -> None:
    period = Period(day("2025-04-01"), day("2025-04-30"), datetime(2025, 3, 31, 23, 45, tzinfo=UTC))
    assert period.as_of == ts("2025-04-01 07:45")
    assert period.params()["as_of"].tzinfo is None


def test_an_aware_as_of_counts_what_had_happened_by_its_local_moment(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    # 23:45 UTC on 31 March is 07:45 on 1 April in Beijing: A1 (07:30) was received by then
    as_of = datetime(2025, 3, 31, 23, 45, tzinfo=UTC)
    period = Period(day("2025-04-01"), day("2025-04-30"), as_of)
    value = compute(con, period, names=["repeat_complaint_rate"], use_daily=False)
    assert value["repeat_complaint_rate"].denominator == 1
    assert kpi_document(period, value)["period"]["as_of"] == "2025-04-01T07:45:00"
    # the default period is the month of the latest ticket received by that local moment
    assert default_period(con, as_of).date_from == day("2025-04-01")
    # 23:15 UTC is 07:15 local: A1 not yet received, the latest ticket is March's
    assert default_period(con, datetime(2025, 3, 31, 23, 15, tzinfo=UTC)).date_from == day(
        "2025-03-01"
    )


def test_as_of_is_compared_with_the_column_s_own_type(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    period = Period(day("2025-04-01"), day("2025-04-30"), datetime(2025, 4, 1, tzinfo=UTC))
    plan = con.execute(
        "explain select count(*) from complaint_tickets where received_at <= $as_of",
        {"as_of": period.params()["as_of"]},
    ).fetchall()
    text = " ".join(str(part) for row in plan for part in row)
    assert "WITH TIME ZONE" not in text  # no cast of every row: row groups can be skipped
