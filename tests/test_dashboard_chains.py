"""Given/expected: each repeat chain is linked to the last rectification before its first repeat."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from dashboard.queries_complaints import CHAINS_SQL
from tests.factories import ts

TICKETS = [
    # id, received, community, problem type, is_repeat, original
    ("O1", "2025-03-01 09:00", "C1", "垃圾清运不及时", False, None),
    ("X1", "2025-03-10 09:00", "C1", "垃圾清运不及时", True, "O1"),
    ("O2", "2025-03-02 09:00", "C2", "噪音扰民", False, None),
    ("X2", "2025-03-12 09:00", "C2", "噪音扰民", True, "O2"),
    ("X3", "2025-03-13 09:00", "C2", "噪音扰民", True, "O2"),
]
CASES = [
    ("K1", "C1", "垃圾清运不及时", "2025-03-05 10:00"),  # O1's: the last before its repeat
    ("K0", "C1", "垃圾清运不及时", "2025-02-05 10:00"),  # earlier, same place and type
    ("K2", "C1", "噪音扰民", "2025-03-06 10:00"),  # another type
    ("K3", "C2", "垃圾清运不及时", "2025-03-07 10:00"),  # another community
    ("K4", "C1", "垃圾清运不及时", "2025-03-20 10:00"),  # after the first repeat
    ("K5", "C2", "噪音扰民", "2025-03-11 10:00"),  # O2's
]


def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "create table complaint_tickets (complaint_id varchar, received_at timestamp,"
        " received_on date, community_id varchar, problem_type varchar,"
        " handling_department varchar, is_repeat boolean, original_complaint_id varchar)"
    )
    for ticket, received, community, ptype, repeat, original in TICKETS:
        con.execute(
            "insert into complaint_tickets values (?, ?, ?, ?, ?, '城管', ?, ?)",
            [ticket, ts(received), ts(received).date(), community, ptype, repeat, original],
        )
    con.execute(
        "create table rectification_cases (case_id varchar, community_id varchar,"
        " problem_type varchar, completed_at timestamp, responsible_unit varchar,"
        " satisfaction_pct double, status varchar)"
    )
    for case, community, ptype, completed in CASES:
        con.execute(
            "insert into rectification_cases values (?, ?, ?, ?, '物业', 60, '已完成')",
            [case, community, ptype, ts(completed)],
        )
    con.execute(
        "create table stg_reference__communities as"
        " select * from (values ('C1', '幸福里社区'), ('C2', '阳光城社区'))"
        " as t(community_id, community_name)"
    )
    return con


def test_each_chain_links_the_last_case_of_its_place_and_type_before_its_first_repeat() -> None:
    params = {"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31),
              "as_of": datetime(2025, 12, 31), "community": None, "department": None,
              "ptype": None}  # fmt: skip
    chains = warehouse().sql(CHAINS_SQL, params=params).pl()
    expected = pl.DataFrame(
        {
            "original_complaint_id": ["O2", "O1"],
            "community": ["阳光城社区", "幸福里社区"],
            "count_repeats": [2, 1],
            "case_id": ["K5", "K1"],
            "case_completed_at": [ts("2025-03-11 10:00"), ts("2025-03-05 10:00")],
        }
    )
    assert_frame_equal(chains.select(expected.columns), expected, check_dtypes=False)
