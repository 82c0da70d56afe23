"""The version-key macros: a key orders versions as the staging models' pick rule does."""

from __future__ import annotations

import re

import duckdb
import pytest

from warehouse.versions import KEY_PART_MAX


def test_a_key_gives_back_its_load_and_row(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "select version_load_id(k), version_row(k) from (select version_key(7, $load, $row) as k)",
        {"load": KEY_PART_MAX, "row": 123_456_789},
    ).fetchone()
    assert row == (KEY_PART_MAX, 123_456_789)


def test_keys_order_by_period_then_load_then_row(con: duckdb.DuckDBPyConnection) -> None:
    versions = [  # (name, period rank, load id, row), listed in the pick rule's order
        ("no period, late load", None, 9, 9),
        ("first period, early load", 1, 1, 5),
        ("first period, later load", 1, 2, 0),
        ("first period, later load, later row", 1, 2, 1),
        ("second period, earliest load", 2, 0, 0),
    ]
    con.execute("create table versions (name varchar, period_rank int, load_id bigint, r bigint)")
    con.executemany("insert into versions values (?, ?, ?, ?)", versions)
    names = con.execute(
        "select name from versions order by version_key(period_rank, load_id, r)"
    ).fetchall()
    assert [name for (name,) in names] == [name for name, *_ in versions]
    picked = con.execute(
        "select name from versions where version_key(period_rank, load_id, r) = "
        "(select max(version_key(period_rank, load_id, r)) from versions)"
    ).fetchall()
    assert picked == [("second period, earliest load",)]


OUT_OF_RANGE = [(-1, 0), (0, -1), (KEY_PART_MAX + 1, 0), (0, KEY_PART_MAX + 1)]


@pytest.mark.parametrize(("load_id", "row"), OUT_OF_RANGE)
def test_a_load_or_row_a_key_cannot_hold_is_an_error(
    con: duckdb.DuckDBPyConnection, load_id: int, row: int
) -> None:
    with pytest.raises(duckdb.InvalidInputException, match=re.escape("outside 0 .. 2^48 - 1")):
        con.execute("select version_key(1, $load, $row)", {"load": load_id, "row": row}).fetchall()
