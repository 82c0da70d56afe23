"""Given/expected tests for the data-quality mart: per source freshness, counts, reasons, drift."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from warehouse.build import build
from warehouse.connection import fetch_frame

STAMP = datetime(2025, 7, 1, 9, 0)


def expected_period(today: date) -> str:
    """The last full month as of today (what a monthly source should have sent by now)."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def ledger_row(load_id: int, source: str, period: str | None, outcome: str, **counts: object):
    return (
        load_id, source, "inspections", f"/in/{source}_{period}.csv", f"sha{load_id}", 10, period,
        counts.get("read", 0), counts.get("loaded", 0), counts.get("quarantined", 0),
        counts.get("duplicate", 0), STAMP.replace(minute=load_id), STAMP.replace(minute=load_id),
        outcome, "", counts.get("kind"), counts.get("by"),
    )  # fmt: skip


def given(con: duckdb.DuckDBPyConnection) -> None:
    current = expected_period(date.today())
    con.executemany(
        "insert into raw.sources values (?, 'inspections', ?, ?, ?, '', '')",
        [
            ("chengguan", "城管", "monthly", False),
            ("minzheng", "民政", "monthly", False),
            ("reference_streets", None, "once", True),
            ("shuiwu", "水务", "monthly", False),
        ],
    )
    con.executemany(
        "insert into raw.load_ledger (load_id, source, dataset, file_path, sha256, size_bytes, "
        "period, rows_read, rows_loaded, rows_quarantined, rows_duplicate, started_at, "
        "finished_at, outcome, message, reject_kind, superseded_by) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ledger_row(1, "chengguan", "2025-04", "loaded", read=10, loaded=8, quarantined=1,
                       duplicate=1),
            ledger_row(2, "chengguan", "2025-05", "rejected", kind="schema_drift"),
            ledger_row(3, "minzheng", current, "superseded", read=5, loaded=5, by=4),
            ledger_row(4, "minzheng", current, "loaded", read=6, loaded=4, quarantined=2),
            ledger_row(5, "minzheng", current, "unchanged"),
            ledger_row(6, "reference_streets", None, "loaded", read=1, loaded=1),
        ],
    )  # fmt: skip
    con.executemany(
        "insert into raw.quarantine values (?, ?, 'inspections', 'f', ?, ?, null, null, 'r', '{}')",
        [
            (1, "chengguan", 3, "unknown_community"),
            (3, "minzheng", 2, "required:community"),  # superseded: not counted
            (4, "minzheng", 2, "unknown_community"),
            (4, "minzheng", 5, "type:inspected_on"),
        ],
    )


def test_data_quality_per_source(con: duckdb.DuckDBPyConnection) -> None:
    given(con)
    build(con)
    result = fetch_frame(
        con,
        "select source, department, last_period, freshness, count_files, count_files_loaded, "
        "count_files_rejected, count_files_superseded, count_rows_received, count_rows_loaded, "
        "count_rows_quarantined, count_rows_duplicate, top_quarantine_reasons, "
        "count_schema_drift_events, last_file_outcome from data_quality order by source",
    )
    current = expected_period(date.today())
    expected = pl.DataFrame(
        {
            "source": ["chengguan", "minzheng", "reference_streets", "shuiwu"],
            "department": ["城管", "民政", None, "水务"],
            "last_period": ["2025-04", current, None, None],
            "freshness": ["late", "fresh", "loaded", "missing"],
            "count_files": [2, 2, 1, 0],
            "count_files_loaded": [1, 1, 1, 0],
            "count_files_rejected": [1, 0, 0, 0],
            "count_files_superseded": [0, 1, 0, 0],
            "count_rows_received": [10, 6, 1, 0],
            "count_rows_loaded": [8, 4, 1, 0],
            "count_rows_quarantined": [1, 2, 0, 0],
            "count_rows_duplicate": [1, 0, 0, 0],
            "top_quarantine_reasons": [
                "unknown_community (1)",
                "type:inspected_on (1); unknown_community (1)",
                None,
                None,
            ],
            "count_schema_drift_events": [1, 0, 0, 0],
            "last_file_outcome": ["rejected", "loaded", "loaded", None],
        }
    )
    assert_frame_equal(result, expected, check_dtypes=False)
    rows = fetch_frame(con, "select count_rows_received - count_rows_loaded "
                            "- count_rows_quarantined - count_rows_duplicate as gap "
                            "from data_quality")  # fmt: skip
    assert rows["gap"].to_list() == [0, 0, 0, 0]


RENAMED = {"column_name": "problem", "expected_name": "问题描述", "found_name": "发现问题描述"}


def test_schema_drift_events_count_files_rejected_for_it_and_files_loaded_with_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.executemany(
        "insert into raw.sources values (?, 'inspections', ?, 'monthly', false, '', '')",
        [("chengguan", "城管"), ("minzheng", "民政"), ("shuiwu", "水务")],
    )
    con.executemany(
        "insert into raw.load_ledger (load_id, source, dataset, file_path, sha256, size_bytes, "
        "period, rows_read, rows_loaded, rows_quarantined, rows_duplicate, started_at, "
        "finished_at, outcome, message, reject_kind, superseded_by, extra_columns, "
        "missing_columns, renamed_columns) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?)",
        [
            # 城管: rejected (a mapped column missing), then loaded through the new name plus
            # a column nobody reads, then a file as expected
            (*ledger_row(1, "chengguan", "2025-04", "rejected", kind="schema_drift"),
             ["发现问题描述"], ["问题描述"], []),
            (*ledger_row(2, "chengguan", "2025-04", "loaded", read=3, loaded=3),
             ["备注"], [], [RENAMED]),
            (*ledger_row(3, "chengguan", "2025-05", "loaded", read=2, loaded=2), [], [], []),
            # 民政: loaded with an extra column, since superseded by a file as expected
            (*ledger_row(4, "minzheng", "2025-04", "superseded", read=1, loaded=1, by=5),
             ["联系电话"], [], []),
            (*ledger_row(5, "minzheng", "2025-04", "loaded", read=1, loaded=1), [], [], []),
            # 水务: loaded before drift was recorded (null), and unreadable: no drift known
            (*ledger_row(6, "shuiwu", "2025-04", "loaded", read=1, loaded=1), None, None, None),
            (*ledger_row(7, "shuiwu", "2025-05", "rejected", kind="unreadable"), None, None,
             None),
        ],
    )  # fmt: skip
    build(con)
    result = fetch_frame(
        con,
        "select source, count_schema_drift_events, count_files_rejected_for_drift, "
        "count_files_loaded_with_drift, last_schema_drift_file, last_schema_drift_outcome, "
        "last_schema_drift_changes from data_quality order by source",
    )
    expected = pl.DataFrame(
        {
            "source": ["chengguan", "minzheng", "shuiwu"],
            "count_schema_drift_events": [2, 1, 0],
            "count_files_rejected_for_drift": [1, 0, 0],
            "count_files_loaded_with_drift": [1, 1, 0],
            "last_schema_drift_file": [
                "/in/chengguan_2025-04.csv", "/in/minzheng_2025-04.csv", None
            ],
            "last_schema_drift_outcome": ["loaded", "loaded", None],
            "last_schema_drift_changes": [["+备注", "问题描述→发现问题描述"], ["+联系电话"], None],
        }
    )  # fmt: skip
    assert_frame_equal(result, expected, check_dtypes=False)
    rejected = fetch_frame(
        con, "select header_changes from stg_ingest__loads where load_id = 1"
    ).item()
    assert rejected.to_list() == ["+发现问题描述", "-问题描述"]
