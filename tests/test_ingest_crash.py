"""Crash safety: `kill -9` at any moment of an ingest leaves a warehouse that opens and holds
exactly the files published before; running the ingest again completes it with no duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.generator import generate
from pipelines.ingest import ingest
from warehouse.faults import ENV

DUBAN = str(Path(sys.executable).with_name("duban"))
DATASETS = ("complaints", "inspections", "rectification_cases", "communities", "subject_aliases")


def signature(warehouse: Path) -> dict[str, list[tuple]]:
    """What the warehouse holds, independent of load ids: rows by lineage, the ledger by file."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        state = {
            table: sorted(
                con.execute(f"select _source, _period, _row from raw.{table}").fetchall(),
                key=repr,
            )
            for table in DATASETS
        }
        state["ledger"] = sorted(
            con.execute(
                "select file_path, outcome, rows_loaded, rows_quarantined from raw.load_ledger"
            ).fetchall(),
            key=repr,
        )
        state["quarantine"] = sorted(
            con.execute("select file_path, row_number, rule from raw.quarantine").fetchall(),
            key=repr,
        )
    return state


def files_in(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {row[0] for row in con.execute("select file_path from raw.load_ledger").fetchall()}


def run_ingest(source: Path, warehouse: Path, crash_at: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}
    if crash_at:
        env[ENV] = crash_at
    return subprocess.Popen(
        [DUBAN, "ingest", str(source), "--warehouse", str(warehouse)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """Tiny generated files, a warehouse holding only their reference data, and a clean ingest."""
    folder = tmp_path_factory.mktemp("crash")
    source = folder / "src"
    generate(source, scale="tiny", end="2025-06", months=3)
    first = folder / "reference-only.duckdb"
    ingest([source / "reference"], first)
    clean = folder / "clean.duckdb"
    shutil_copy(first, clean)
    ingest([source], clean)
    return source, first, signature(clean)


def shutil_copy(a: Path, b: Path) -> None:
    b.write_bytes(a.read_bytes())


@pytest.mark.slow
@pytest.mark.parametrize(
    "point",
    [
        "writer:copied",
        "ingest:file-0",
        "ingest:file-25",
        "ingest:all-files",
        "writer:before-publish",
        "writer:after-publish",
    ],
)
def test_a_kill_at_any_point_keeps_the_published_files_and_a_rerun_completes(
    tmp_path: Path, data: tuple[Path, Path, dict], point: str
) -> None:
    source, first, clean = data
    warehouse = tmp_path / "w.duckdb"
    shutil_copy(first, warehouse)
    before = files_in(warehouse)
    process = run_ingest(source, warehouse, crash_at=point)
    assert process.wait(timeout=300) == -signal.SIGKILL
    after_kill = files_in(warehouse)  # it opens
    if point == "writer:after-publish":
        assert signature(warehouse) == clean
    else:
        assert after_kill == before
    ingest([source], warehouse)
    assert signature(warehouse) == clean
    assert not list(tmp_path.glob("w.duckdb.staging-*"))


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 1.5, 3.0])
def test_a_kill_at_a_random_moment_loses_and_doubles_nothing(
    tmp_path: Path, data: tuple[Path, Path, dict], delay: float
) -> None:
    source, first, clean = data
    warehouse = tmp_path / "w.duckdb"
    shutil_copy(first, warehouse)
    before = signature(warehouse)
    process = run_ingest(source, warehouse)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert signature(warehouse) in (before, clean)
    ingest([source], warehouse)
    assert signature(warehouse) == clean
