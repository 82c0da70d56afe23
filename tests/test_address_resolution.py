"""Given/expected tests: callers' addresses resolved to known addresses, grids and communities."""

from __future__ import annotations

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.factories import insert_raw, ts
from warehouse.build import build
from warehouse.connection import fetch_frame


def seed_reference(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "communities",
        [
            {"community_id": "C1", "street_id": "S1", "community_name": "文堤公寓社区",
             "short_name": "文堤公寓", "aliases": "文堤公寓|文堤公寓社区居委会|闻堤公寓社区",
             "household_count": 1000},
            {"community_id": "C2", "street_id": "S1", "community_name": "信湾一区社区",
             "short_name": "信湾一区", "aliases": "", "household_count": 500},
        ],
    )  # fmt: skip
    insert_raw(
        con,
        "addresses",
        [
            {"address_id": "A1", "community_id": "C1", "grid_id": "G1", "building": "3",
             "unit": "2", "address": "文堤公寓3幢2单元"},
            {"address_id": "A2", "community_id": "C2", "grid_id": "G9", "building": "12",
             "unit": "1", "address": "信湾一区12幢1单元"},
        ],
    )  # fmt: skip


def complaint(ticket: str, received: str, address: str | None, community: str | None = None):
    return {
        "complaint_id": ticket,
        "received_at": ts(received),
        "address": address,
        "community": community,
        "category_l1": "社区环境",
        "category_l3": "垃圾桶满溢",
    }


def test_the_callers_variants_resolve_to_one_known_address(con: duckdb.DuckDBPyConnection) -> None:
    seed_reference(con)
    insert_raw(
        con,
        "complaints",
        [
            complaint("T1", "2025-03-01 09:00", "文堤公寓3幢2单元"),
            complaint("T2", "2025-03-02 09:00", "文堤公寓3号楼2单元"),
            complaint("T3", "2025-03-03 09:00", "城北街道文堤公寓3幢2单元"),
            complaint("T4", "2025-03-04 09:00", "明湖市明湖区城北街道文堤公寓3栋2单元"),
            complaint("T5", "2025-03-05 09:00", "文堤公寓3幢2单元1203室"),
            complaint("T6", "2025-03-06 09:00", "信湾一区12幢1单元"),
            complaint("T7", "2025-03-07 09:00", "文堤公寓门口"),  # names its community, no unit
            complaint("T8", "2025-03-08 09:00", "文堤公寓9幢9单元"),  # no such unit
            complaint("T9", "2025-03-09 09:00", None),
        ],
    )
    build(con)
    result = fetch_frame(
        con,
        "select complaint_id, address_id, grid_id, community_id, location_key, is_repeat "
        "from complaint_tickets order by complaint_id",
    )
    expected = pl.DataFrame(
        {
            "complaint_id": [f"T{i}" for i in range(1, 10)],
            "address_id": ["A1"] * 5 + ["A2", None, None, None],
            "grid_id": ["G1"] * 5 + ["G9", None, None, None],
            "community_id": ["C1"] * 5 + ["C2", "C1", "C1", None],
            "location_key": ["A1"] * 5 + ["A2", "文堤公寓门口", "文堤公寓9幢9单元", None],
            "is_repeat": [False, True, True, True, True, False, False, False, False],
        }
    )
    assert_frame_equal(result, expected)


def test_blank_texts_stay_unresolved_and_the_longest_name_names_the_community(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed_reference(con)
    # a third community whose short name starts 信湾一区's: a text naming both is 信湾一区's
    insert_raw(
        con,
        "communities",
        [{"community_id": "C3", "street_id": "S1", "community_name": "信湾社区",
          "short_name": "信湾", "aliases": "", "household_count": 300}],
        load_id=2,
    )  # fmt: skip
    insert_raw(
        con,
        "complaints",
        [
            # blank to the pattern (\s) or to trim (Unicode space separators): no text at all
            complaint("B1", "2025-03-01 09:00", "\u3000\u3000"),
            complaint("B2", "2025-03-02 09:00", " \t\n "),
            complaint("B3", "2025-03-03 09:00", "\u00a0\t\u3000"),
            # white space inside is collapsed, at the ends trimmed, of either kind
            complaint("B4", "2025-03-04 09:00", "\u3000文堤公寓  门口\t"),
            complaint("B5", "2025-03-05 09:00", "信湾一区北门"),
            complaint("B6", "2025-03-06 09:00", "信湾西路口"),
        ],
    )
    build(con)
    result = fetch_frame(
        con,
        "select complaint_id, location_key, community_id from complaint_tickets "
        "order by complaint_id",
    )
    expected = pl.DataFrame(
        {
            "complaint_id": ["B1", "B2", "B3", "B4", "B5", "B6"],
            "location_key": [None, None, None, "文堤公寓 门口", "信湾一区北门", "信湾西路口"],
            "community_id": [None, None, None, "C1", "C2", "C3"],
        }
    )
    assert_frame_equal(result, expected)
    texts = fetch_frame(con, "select address_text from int_address_texts_resolved order by 1")
    expected_texts = sorted(["文堤公寓 门口", "信湾一区北门", "信湾西路口"])
    assert texts["address_text"].to_list() == expected_texts


def test_complaint_kpis_response_handling_and_satisfaction(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from tests.factories import day
    from warehouse.metrics import Period, compute

    rows = [
        # received Fri 2025-09-26, responded in 2 h, closed Tue 9-30: 9-28 (Sun, worked), 9-29,
        # 9-30 -> 3 working days
        {**complaint("H1", "2025-09-26 10:00", "a"), "first_response_at": ts("2025-09-26 12:00"),
         "closed_at": ts("2025-09-30 10:00"), "satisfaction": "满意"},
        # responded after 25 h, closed 10-9: 9-28, 9-29, 9-30, 10-9 -> 4 working days
        {**complaint("H2", "2025-09-26 10:00", "b"), "first_response_at": ts("2025-09-27 11:00"),
         "closed_at": ts("2025-10-09 10:00"), "satisfaction": "不满意"},
        # never responded, still open
        complaint("H3", "2025-09-27 10:00", "c"),
    ]  # fmt: skip
    insert_raw(con, "complaints", rows)
    build(con)
    september = compute(con, Period(day("2025-09-01"), day("2025-09-30"), ts("2025-12-31 00:00")))
    assert (september["response_within_24h_rate"].numerator,
            september["response_within_24h_rate"].denominator) == (1, 3)  # fmt: skip
    autumn = compute(con, Period(day("2025-09-01"), day("2025-10-31"), ts("2025-12-31 00:00")))
    assert autumn["avg_handling_working_days"].value == 3.5
    assert (autumn["avg_handling_working_days"].numerator,
            autumn["avg_handling_working_days"].denominator) == (7, 2)  # fmt: skip
    assert autumn["median_handling_working_days"].value == 3.5
    assert autumn["complaint_satisfaction_rate"].value == 0.5
    result = fetch_frame(
        con,
        "select month_on, sum(count_complaints) as received, sum(count_closed) as closed, "
        "sum(sum_handling_working_days) as days from complaints_monthly group by 1 order by 1",
    )
    assert result.rows() == [(day("2025-09-01"), 3, 1, 3), (day("2025-10-01"), 0, 1, 4)]
