"""Given/expected: the data-quality page's complaint checks (address resolution, quick closes)."""

from __future__ import annotations

import duckdb

from tests.factories import day, insert_raw, ts
from tests.test_address_resolution import seed_reference
from warehouse.build import build
from warehouse.connection import fetch_frame
from warehouse.metrics import Period
from warehouse.settings import load_settings

APRIL = Period(day("2025-04-01"), day("2025-04-30"), ts("2025-12-31 00:00"))


def complaint(ticket: str, received: str, address: str | None, closed: str | None = None):
    return {
        "complaint_id": ticket, "received_at": ts(received), "address": address,
        "closed_at": ts(closed) if closed else None, "department": "城管",
        "category_l1": "社区环境", "category_l3": "垃圾桶满溢",
    }  # fmt: skip


def seed(con: duckdb.DuckDBPyConnection) -> None:
    seed_reference(con)
    insert_raw(
        con,
        "complaints",
        [
            complaint("T1", "2025-04-01 09:00", "文堤公寓3幢2单元", "2025-04-01 09:04"),  # quick
            complaint("T2", "2025-04-02 09:00", "文堤公寓3号楼2单元", "2025-04-02 11:00"),
            complaint("T3", "2025-04-03 09:00", "文堤公寓88幢1单元1203室", "2025-04-03 09:10"),
            complaint("T4", "2025-04-04 09:00", "文堤公寓88幢1单元1203室"),
            complaint("T5", "2025-04-05 09:00", None),
            complaint("T6", "2025-03-31 23:59", "不知道在哪里", "2025-04-01 00:01"),  # March
        ],
    )
    build(con)


def params(period: Period) -> dict[str, object]:
    return {**period.params(), "quick_close_minutes": load_settings().quick_close_minutes}


def test_address_resolution_and_quick_closes_per_department(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from dashboard.queries_quality import TICKETS_SQL

    seed(con)
    assert load_settings().quick_close_minutes == 10
    rows = fetch_frame(con, TICKETS_SQL, params(APRIL)).rows(named=True)
    assert rows == [
        {
            "department": "城管", "count_complaints": 5, "count_with_address": 4,
            "count_address_resolved": 2, "count_address_unresolved": 2,
            "address_resolution_rate": 0.5,
            "count_closed_within_minutes": 1,  # T1 (4 min); T3 took 10, not within 10
        }
    ]  # fmt: skip
    before = fetch_frame(con, TICKETS_SQL, params(Period(APRIL.date_from, APRIL.date_to,
                                                         ts("2025-04-01 09:03"))))  # fmt: skip
    assert before["count_closed_within_minutes"].to_list() == [0]  # not closed yet by as_of


def test_unresolved_addresses_are_listed_to_the_building(con: duckdb.DuckDBPyConnection) -> None:
    from dashboard.queries_quality import UNRESOLVED_SQL

    seed(con)
    # T3 and T4 (a building the reference lacks), never the flat; T6 was received in March
    assert fetch_frame(con, UNRESOLVED_SQL, APRIL.params()).rows() == [("文堤公寓88幢", 2)]
