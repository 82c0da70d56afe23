"""Writing one file's outcome to the warehouse: its rows, its quarantined rows, its ledger row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.drift import HeaderDrift
from pipelines.readers import LINE
from warehouse.connection import fetch_one
from warehouse.contracts import Contract
from warehouse.schema import RAW_SCHEMA, RENAMED_TYPE


@dataclass
class FileOutcome:
    """What ingesting one file did; one ledger row."""

    source: str
    dataset: str
    file_path: str
    sha256: str
    size_bytes: int
    period: str | None
    started_at: datetime
    finished_at: datetime | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    outcome: str = "pending"
    message: str = ""
    reject_kind: str | None = None
    load_id: int | None = None
    # the header's drift; None when the header was not compared (an unreadable file)
    drift: HeaderDrift | None = field(default=None)


def already_ingested(
    con: duckdb.DuckDBPyConnection, sha256: str, source: str, period: str | None
) -> str | None:
    """The earlier load of identical bytes that was kept (loaded or superseded), if any.

    A file rejected before is read again: its source config may have been fixed since.
    """
    row = fetch_one(
        con,
        "select outcome || ' as load ' || load_id || ' of ' || file_path from raw.load_ledger "
        "where sha256 = $sha and source = $source and period is not distinct from $period "
        "and outcome in ('loaded', 'superseded') order by load_id desc limit 1",
        {"sha": sha256, "source": source, "period": period},
    )
    return None if row is None else str(row[0])


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """A new load id, one more than the largest in the ledger."""
    row = fetch_one(con, "select coalesce(max(load_id), 0) + 1 from raw.load_ledger")
    return int(row[0]) if row else 1  # type: ignore[call-overload]


def as_arrow(frame: pl.DataFrame) -> pa.Table:
    """The frame as Arrow for DuckDB to scan, its text as Arrow string views: polars' own layout,
    handed over without a copy (the older large_string layout copies every value, ~0.1 s of CPU
    per 500k-row hotline month)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    rows: pl.DataFrame,
    load_id: int,
    outcome: FileOutcome,
) -> None:
    """Append a file's valid canonical rows to its dataset's raw table with their lineage.

    The lineage constants are bound values in the insert, not columns of the batch: DuckDB sees
    one constant per column instead of a copy in every row.
    """
    batch = rows.select(*contract.column_names, pl.col(LINE).alias("_row"))
    con.register("incoming_batch", as_arrow(batch))
    try:
        con.execute(
            # the table name is the contract's dataset, checked against data_contracts/
            f"insert into {RAW_SCHEMA}.{contract.dataset} by name select *, "  # noqa: S608
            "$load_id::bigint as _load_id, $source::varchar as _source, "
            "$period::varchar as _period from incoming_batch",
            {"load_id": load_id, "source": outcome.source, "period": outcome.period},
        )
    finally:
        con.unregister("incoming_batch")


def insert_quarantine(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, load_id: int, outcome: FileOutcome
) -> None:
    """Keep rejected rows (`batch.quarantine_frame`'s) with the load, source, dataset and file."""
    if rows.is_empty():
        return
    con.register("incoming_quarantine", as_arrow(rows))
    try:
        con.execute(
            "insert into raw.quarantine by name select $load_id::bigint as load_id, "
            "$source::varchar as source, $dataset::varchar as dataset, "
            "$file_path::varchar as file_path, * from incoming_quarantine",
            {
                "load_id": load_id,
                "source": outcome.source,
                "dataset": outcome.dataset,
                "file_path": outcome.file_path,
            },
        )
    finally:
        con.unregister("incoming_quarantine")


def supersede(
    con: duckdb.DuckDBPyConnection, contract: Contract, outcome: FileOutcome, load_id: int
) -> list[int]:
    """Replace what earlier files of the same source and period brought; their ledger rows stay,
    marked `superseded`. The ids of the loads replaced."""
    earlier = con.execute(
        "select load_id from raw.load_ledger where source = $source "
        "and period is not distinct from $period and outcome = 'loaded' and load_id <> $load "
        "order by load_id",
        {"source": outcome.source, "period": outcome.period, "load": load_id},
    ).fetchall()
    replaced = [int(row[0]) for row in earlier]
    for old in replaced:
        con.execute(
            # the table name is the contract's dataset, checked against data_contracts/
            f"delete from {RAW_SCHEMA}.{contract.dataset} where _load_id = $old",  # noqa: S608
            {"old": old},
        )
        con.execute(
            "update raw.load_ledger set outcome = 'superseded', superseded_by = $new, "
            "message = 'superseded by load ' || $new || ' (a corrected file of the same period)'"
            " where load_id = $old",
            {"new": load_id, "old": old},
        )
    return replaced


def drift_values(drift: HeaderDrift | None) -> dict[str, object]:
    """The ledger's drift columns of a file: lists, empty when the header matched, null when it
    was not compared."""
    if drift is None:
        return {"extra": None, "missing": None, "renamed": None}
    return {
        "extra": list(drift.extra),
        "missing": list(drift.missing),
        "renamed": [
            {"column_name": r.column_name, "expected_name": r.expected_name,
             "found_name": r.found_name}
            for r in drift.renamed
        ],
    }  # fmt: skip


def record(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, load_id: int) -> None:
    """Write the file's ledger row."""
    outcome.load_id = load_id
    con.execute(
        "insert into raw.load_ledger by name select "
        "$load_id as load_id, $source as source, $dataset as dataset, $file_path as file_path, "
        "$sha256 as sha256, $size_bytes as size_bytes, $period as period, "
        "$rows_read as rows_read, $rows_loaded as rows_loaded, "
        "$rows_quarantined as rows_quarantined, $rows_duplicate as rows_duplicate, "
        "$started_at::timestamp as started_at, $finished_at::timestamp as finished_at, "
        "$outcome as outcome, $message as message, $reject_kind as reject_kind, "
        "$extra::varchar[] as extra_columns, $missing::varchar[] as missing_columns, "
        f"$renamed::{RENAMED_TYPE} as renamed_columns",
        {
            "load_id": load_id,
            "source": outcome.source,
            "dataset": outcome.dataset,
            "file_path": outcome.file_path,
            "sha256": outcome.sha256,
            "size_bytes": outcome.size_bytes,
            "period": outcome.period,
            "rows_read": outcome.rows_read,
            "rows_loaded": outcome.rows_loaded,
            "rows_quarantined": outcome.rows_quarantined,
            "rows_duplicate": outcome.rows_duplicate,
            "started_at": outcome.started_at,
            "finished_at": outcome.finished_at,
            "outcome": outcome.outcome,
            "message": outcome.message,
            "reject_kind": outcome.reject_kind,
            **drift_values(outcome.drift),
        },
    )
