"""Writing one file's outcome to the warehouse: its rows, its quarantined rows, its ledger row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines.readers import LINE
from warehouse.connection import fetch_one
from warehouse.contracts import Contract
from warehouse.schema import RAW_SCHEMA


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


@dataclass(frozen=True)
class QuarantinedRow:
    """A row held back, with the first rule it failed and all its failures in `reason`."""

    line: int
    rule: str
    column: str | None
    value: str | None
    reason: str
    raw_row: dict[str, str | None]


def already_ingested(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """The outcome of an earlier ingest of identical bytes, if any."""
    row = fetch_one(
        con,
        "select outcome from raw.load_ledger where sha256 = $sha order by load_id desc limit 1",
        {"sha": sha256},
    )
    return None if row is None else str(row[0])


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """A new load id, one more than the largest in the ledger."""
    row = fetch_one(con, "select coalesce(max(load_id), 0) + 1 from raw.load_ledger")
    return int(row[0]) if row else 1  # type: ignore[call-overload]


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    rows: pl.DataFrame,
    load_id: int,
    outcome: FileOutcome,
) -> None:
    """Append a file's valid canonical rows to its dataset's raw table with their lineage."""
    batch = rows.select(
        *contract.column_names,
        pl.lit(load_id, dtype=pl.Int64).alias("_load_id"),
        pl.lit(outcome.source).alias("_source"),
        pl.lit(outcome.period, dtype=pl.String).alias("_period"),
        pl.col(LINE).alias("_row"),
    )
    con.register("incoming_batch", batch.to_arrow())
    try:
        con.execute(
            # the table name is the contract's dataset, checked against data_contracts/
            f"insert into {RAW_SCHEMA}.{contract.dataset} by name select * from incoming_batch"  # noqa: S608
        )
    finally:
        con.unregister("incoming_batch")


def insert_quarantine(
    con: duckdb.DuckDBPyConnection, rows: list[QuarantinedRow], load_id: int, outcome: FileOutcome
) -> None:
    """Keep rejected rows with the file, line, rule, column and the raw row."""
    if not rows:
        return
    con.executemany(
        "insert into raw.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                load_id,
                outcome.source,
                outcome.dataset,
                outcome.file_path,
                row.line,
                row.rule,
                row.column,
                row.value,
                row.reason,
                json.dumps(row.raw_row, ensure_ascii=False),
            )
            for row in rows
        ],
    )


def record(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, load_id: int) -> None:
    """Write the file's ledger row."""
    con.execute(
        "insert into raw.load_ledger values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            outcome.source,
            outcome.dataset,
            outcome.file_path,
            outcome.sha256,
            outcome.size_bytes,
            outcome.period,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.rows_duplicate,
            outcome.started_at,
            outcome.finished_at,
            outcome.outcome,
            outcome.message,
        ],
    )
