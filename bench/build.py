"""Benchmark: `duban build` and `duban kpi` on an ingested warehouse, beside a bare DuckDB scan."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.harness import BenchResult, repeat, run_command

DUBAN = str(Path(sys.executable).with_name("duban"))
ENV = {"GX_ANALYTICS_ENABLED": "False"}
SCAN = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
for table in ("raw.complaints", "raw.inspections", "raw.rectification_cases"):
    con.execute(f"select count(*), count(distinct complaint_id) from {table}"
                if table == "raw.complaints" else f"select count(*) from {table}").fetchall()
"""


def runner(command: list[str]) -> Callable[[int], tuple[float, float]]:
    """An action for `repeat` that runs one command."""
    return lambda _: run_command(command)


def run(runs: int, scale: str = "1m", source: Path | None = None) -> BenchResult:
    """Ingest once, then time builds, KPI queries and a bare scan of the same fact tables."""
    result = BenchResult(
        name=f"Build and KPIs at the `{scale}` scale",
        description=(
            f"Demo files generated at `--scale {scale}` and ingested once; then `duban build` "
            "(every SQL model, a full rebuild), `duban kpi --json` for a month, a quarter and a "
            "year (each a new process, so interpreter start-up is included), and a bare DuckDB "
            "scan of the raw fact tables (a count over each; `count(distinct)` of ticket ids) "
            "for scale."
        ),
    )
    work = Path(tempfile.mkdtemp(prefix="duban-bench-build-"))
    try:
        if source is None:
            source = work / "src"
            run_command([DUBAN, "generate", "--out", str(source), "--scale", scale], env=ENV)
        warehouse = work / "warehouse.duckdb"
        script = f'"{DUBAN}" ingest "{source}" --warehouse "{warehouse}" >/dev/null; [ $? -le 1 ]'
        run_command(["/bin/sh", "-c", script], env=ENV)
        build = [DUBAN, "build", "--warehouse", str(warehouse)]
        result.timings.append(repeat("duban build (full)", runs, runner(build)))
        scan = [sys.executable, "-c", SCAN, str(warehouse)]
        result.timings.append(
            repeat("bare DuckDB scan of the facts", runs, lambda _: run_command(scan))
        )
        for label, start, end in (
            ("month", "2025-06-01", "2025-06-30"),
            ("quarter", "2025-04-01", "2025-06-30"),
            ("year", "2025-01-01", "2025-12-31"),
        ):
            kpi = [
                DUBAN,
                "kpi",
                "--json",
                "--from",
                start,
                "--to",
                end,
                "--warehouse",
                str(warehouse),
            ]
            result.timings.append(repeat(f"duban kpi --json ({label})", runs, runner(kpi)))
        build_s = result.timings[0].median
        result.notes.append(
            f"build / bare scan: {build_s / result.timings[1].median:.1f}x "
            f"(target: build <= 30 s at the 10m scale)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result
