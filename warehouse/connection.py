"""Opening the warehouse: read-only for readers, one locked writer that publishes atomically."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.faults import crash_point

if TYPE_CHECKING:  # imported where used: `duban serve` reads the errors below, not the drivers
    import duckdb
    import polars as pl


class WarehouseMissingError(FileNotFoundError):
    """The warehouse file does not exist yet."""


class WarehouseBusyError(RuntimeError):
    """Another process is writing the warehouse."""


def connect_readonly(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection with no file or network access beyond the warehouse itself."""
    import duckdb

    if not path.exists():
        raise WarehouseMissingError(
            f"warehouse {path} does not exist: run `duban ingest` and `duban build` first"
        )
    return duckdb.connect(
        str(path),
        read_only=True,
        config={"enable_external_access": False, "autoload_known_extensions": False},
    )


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def writer(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection to a private copy of the warehouse, published by atomic rename on success.

    Readers keep the file they opened until they reopen; they never see a half-written state.
    A crash or an exception leaves the published warehouse as it was. One writer at a time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    staging = path.with_name(f"{path.name}.staging-{os.getpid()}")
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusyError(
                f"warehouse {path} is being written by another process; try again when it ends"
            ) from None
        for stale in path.parent.glob(f"{path.name}.staging-*"):
            stale.unlink()
        if path.exists():
            shutil.copyfile(path, staging)
        crash_point("writer:copied")
        import duckdb

        con = duckdb.connect(str(staging))
        try:
            yield con
            con.execute("checkpoint")
        except BaseException:
            con.close()
            staging.unlink(missing_ok=True)
            raise
        con.close()
        with staging.open("rb+") as handle:
            os.fsync(handle.fileno())
        crash_point("writer:before-publish")
        os.replace(staging, path)
        crash_point("writer:after-publish")
        _fsync_dir(path.parent)


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> tuple[object, ...] | None:
    """The first row of a query; reads the result to its end (DuckDB 2 wants results finished)."""
    rows = con.execute(sql, params or {}).fetchall()
    return rows[0] if rows else None


def fetch_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> pl.DataFrame:
    """A query's whole result as a polars frame (via Arrow)."""
    return con.sql(sql, params=params or {}).pl()
