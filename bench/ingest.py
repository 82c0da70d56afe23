"""Benchmark: `duban ingest` of the hotline against DuckDB's own `read_csv` of the same files,
the other sources, and `kill -9` at random moments of an ingest (anything lost or doubled)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.harness import BenchResult, repeat, run_command

DUBAN = str(Path(sys.executable).with_name("duban"))
ENV = {"GX_ANALYTICS_ENABLED": "False"}


def _duckdb_read_csv(files: list[Path], warehouse: Path) -> tuple[float, float]:
    """DuckDB alone: read_csv of the same files into one table, in its own process."""
    names = ", ".join(f"'{f}'" for f in files)
    sql = f"create or replace table t as select * from read_csv([{names}], all_varchar=true)"  # noqa: S608
    code = (
        f"import duckdb, sys; con = duckdb.connect(sys.argv[1]); con.execute({sql!r}); con.close()"
    )
    return run_command([sys.executable, "-c", code, str(warehouse)], env=ENV)


def _ingest(source: Path, warehouse: Path) -> tuple[float, float]:
    """`duban ingest` in its own process; status 1 (some files rejected, as planted) is fine."""
    script = f'"{DUBAN}" ingest "{source}" --warehouse "{warehouse}" >/dev/null; [ $? -le 1 ]'
    return run_command(["/bin/sh", "-c", script], env=ENV)


def _state(warehouse: Path) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select (select count(*) from raw.complaints), (select count(*) from raw.inspections),"
            " (select count(*) from raw.quarantine), (select count(*) from raw.load_ledger),"
            " (select count(*) - count(distinct (_load_id, _row)) from raw.complaints)"
        ).fetchall()
    return tuple(rows[0])


def kill_test(source: Path, work: Path, points: int, seed: int = 7) -> tuple[int, int, float]:
    """Kill ingests at random moments, re-run, compare with a clean one: (kills, bad, seconds)."""
    rng = random.Random(seed)
    clean = work / "clean.duckdb"
    started = time.perf_counter()
    subprocess.run([DUBAN, "ingest", str(source), "--warehouse", str(clean)],
                   env={**os.environ, **ENV}, capture_output=True, check=False)  # fmt: skip
    full = time.perf_counter() - started
    expected = _state(clean)
    bad = 0
    for index in range(points):
        warehouse = work / f"kill{index}.duckdb"
        process = subprocess.Popen(
            [DUBAN, "ingest", str(source), "--warehouse", str(warehouse)],
            env={**os.environ, **ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.0, full * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if warehouse.exists():
            after_kill = _state(warehouse)
            if after_kill != expected and after_kill[3] != 0:
                bad += 1  # neither nothing nor everything: a half-published state
        subprocess.run([DUBAN, "ingest", str(source), "--warehouse", str(warehouse)],
                       env={**os.environ, **ENV}, capture_output=True, check=False)  # fmt: skip
        if _state(warehouse) != expected:
            bad += 1
        warehouse.unlink(missing_ok=True)
    return points, bad, full


def run(runs: int, scale: str = "1m", kills: int = 10, source: Path | None = None) -> BenchResult:
    """Time the hotline ingest against DuckDB read_csv, then everything, then the kill test."""
    result = BenchResult(
        name=f"Ingest at the `{scale}` scale",
        description=(
            f"`duban ingest` of the hotline exports generated at `--scale {scale}` (read, clean, "
            "map, resolve communities, validate with the contract's checks, quarantine, load "
            "with lineage, ledger, atomic publish) against DuckDB's own `read_csv` of the same "
            "files into a table (no checks) in the same session; then every source together, "
            "and each other source alone; each in "
            "its own process and a fresh warehouse."
        ),
    )
    work = Path(tempfile.mkdtemp(prefix="duban-bench-ingest-"))
    try:
        if source is None:  # generated here, unless given (the same scale's existing output)
            source = work / "src"
            run_command([DUBAN, "generate", "--out", str(source), "--scale", scale], env=ENV)
        hotline = sorted((source / "hotline").glob("*.csv"))
        rows = sum(max(0, len(f.read_bytes().splitlines()) - 1) for f in hotline)
        reference = source / "reference"

        def fresh(name: str, index: int) -> Path:
            warehouse = work / f"{name}{index}.duckdb"
            warehouse.unlink(missing_ok=True)
            shutil.copyfile(work / "reference.duckdb", warehouse)
            return warehouse

        _ingest(reference, work / "reference.duckdb")
        # interleaved (DuckDB, duban, DuckDB, duban, ...) so that a busy machine hits both alike
        duck: list[tuple[float, float]] = []
        ours: list[tuple[float, float]] = []
        for index in range(runs):
            duck.append(_duckdb_read_csv(hotline, work / f"duck{index}.duckdb"))
            ours.append(_ingest(source / "hotline", fresh("hot", index)))
            (work / f"duck{index}.duckdb").unlink(missing_ok=True)
        timings = [
            repeat("duckdb read_csv (hotline)", runs, lambda i: duck[i]),
            repeat("duban ingest (hotline)", runs, lambda i: ours[i]),
            repeat("duban ingest (every source)", 1, lambda i: _ingest(source, fresh("all", i))),
        ]
        others = sorted(
            folder.name
            for folder in source.iterdir()
            if folder.is_dir() and folder.name not in {"hotline", "reference", "truth"}
        )
        for name in others:  # each other source alone, into its own copy of the reference data

            def alone(index: int, name: str = name) -> tuple[float, float]:
                return _ingest(source / name, fresh(name, index))

            timings.append(repeat(f"duban ingest ({name} alone)", 1, alone))
        result.timings += timings
        ratio = timings[1].median / timings[0].median
        pairs = ", ".join(f"{b[0] / a[0]:.2f}" for a, b in zip(duck, ours, strict=True))
        result.notes.append(f"ratio per interleaved run: {pairs}")
        result.notes.append(f"hotline: {len(hotline)} files, {rows:,} rows")
        result.notes.append(
            f"duban ingest / duckdb read_csv (hotline): {ratio:.2f}x (target <= 2x)"
        )
        peak = max(t.peak_rss_mb for t in timings[1:])  # every duban ingest
        result.notes.append(f"peak RSS of an ingest: {peak:.0f} MB (target < 4096 MB)")
        if kills:
            tiny = work / "tiny"
            run_command([DUBAN, "generate", "--out", str(tiny), "--scale", "demo"], env=ENV)
            count, bad, seconds = kill_test(tiny, work, kills)
            result.notes.append(
                f"kill -9 at {count} random moments of a demo-scale ingest ({seconds:.1f} s), "
                f"then a re-run: {bad} lost or doubled anything (must be 0)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> None:
    """`python -m bench.ingest`: this benchmark alone, printed (docs/benchmarks.md untouched)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--scale", default="10m")
    parser.add_argument("--kills", type=int, default=0)
    parser.add_argument("--source", type=Path, help="existing `duban generate` output to ingest")
    args = parser.parse_args()
    result = run(args.runs, args.scale, args.kills, args.source)
    for timing in result.timings:
        seconds = ", ".join(f"{s:.1f}" for s in timing.seconds)
        print(f"{timing.step}: median {timing.median:.1f} s ({seconds}); "
              f"peak RSS {timing.peak_rss_mb:.0f} MB")  # fmt: skip
    for note in result.notes:
        print(note)


if __name__ == "__main__":
    main()
