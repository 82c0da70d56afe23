"""Benchmark: `duban build` and `duban kpi` on an ingested warehouse, beside a bare DuckDB scan."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.harness import BenchResult, repeat, run_command, run_command_output

DUBAN = str(Path(sys.executable).with_name("duban"))
ENV = {"GX_ANALYTICS_ENABLED": "False"}
SCAN = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
for table in ("raw.complaints", "raw.inspections", "raw.rectification_cases"):
    con.execute(f"select count(*), count(distinct complaint_id) from {table}"
                if table == "raw.complaints" else f"select count(*) from {table}").fetchall()
"""


# a line `duban build` prints per model: "built table complaint_tickets 9209091 rows (128.17 s)"
MODEL_LINE = re.compile(r"^built (.+?) (\S+)(?: \d+ rows)? \(([\d.]+) s\)$", re.MULTILINE)
SLOWEST = 8


def slowest_models(label: str, seconds: float, printed: str) -> str:
    """A note naming the slowest models of one build, and the time outside every model."""
    models = [(float(s), f"{name} ({kind})") for kind, name, s in MODEL_LINE.findall(printed)]
    models.sort(reverse=True)
    listed = ", ".join(f"{name} {s:.1f} s" for s, name in models[:SLOWEST])
    outside = seconds - sum(s for s, _ in models)
    return (
        f"{label}, its slowest models: {listed}; outside the models (start-up, publishing): "
        f"{outside:.1f} s of {seconds:.1f} s"
    )


def runner(command: list[str]) -> Callable[[int], tuple[float, float]]:
    """An action for `repeat` that runs one command."""
    return lambda _: run_command(command)


def link_or_copy(src: str, dst: str) -> None:
    """Hard-link a source file (the 10m files are gigabytes), else copy it."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def run(
    runs: int, scale: str = "1m", source: Path | None = None, keep: Path | None = None
) -> BenchResult:
    """Ingest all but the last month and build; time full builds, an incremental build after the
    last month's files, KPI queries, and a bare scan of the same fact tables. With `keep`, the
    last incrementally built warehouse (every month) is moved there for the dashboard benchmark."""
    result = BenchResult(
        name=f"Build and KPIs at the `{scale}` scale",
        description=(
            f"Demo files generated at `--scale {scale}`; all but the last month ingested once. "
            "Then `duban build --full` (every SQL model), an incremental `duban build` after "
            "ingesting the last month's files (each run on a fresh copy of the warehouse), "
            "`duban kpi --json` for a month, a quarter and a year (each a new process, so "
            "interpreter start-up is included), and a bare DuckDB scan of the raw fact tables "
            "(a count over each; `count(distinct)` of ticket ids) for scale."
        ),
    )
    work = Path(tempfile.mkdtemp(prefix="duban-bench-build-"))
    try:
        if source is None:
            source = work / "src"
            run_command([DUBAN, "generate", "--out", str(source), "--scale", scale], env=ENV)
        months = sorted({p.stem.rsplit("_", 1)[-1] for p in (source / "hotline").glob("*.csv")})
        last = months[-1]
        earlier = work / "earlier"
        shutil.copytree(
            source, earlier, ignore=shutil.ignore_patterns(f"*{last}*"), copy_function=link_or_copy
        )
        base = work / "base.duckdb"
        ingest = '"{duban}" ingest "{src}" --warehouse "{wh}" >/dev/null 2>&1; [ $? -le 1 ]'
        run_command(["/bin/sh", "-c", ingest.format(duban=DUBAN, src=earlier, wh=base)], env=ENV)
        build = [DUBAN, "build", "--full", "--warehouse", str(base)]
        printed: dict[str, tuple[float, str]] = {}

        def full_build(_: int) -> tuple[float, float]:
            seconds, rss, text = run_command_output(build)
            printed["the last full build"] = (seconds, text)
            return seconds, rss

        result.timings.append(repeat("duban build --full", runs, full_build))

        def incremental(index: int) -> tuple[float, float]:
            copy = work / f"step{index}.duckdb"
            shutil.copyfile(base, copy)
            script = ingest.format(duban=DUBAN, src=source, wh=copy)
            run_command(["/bin/sh", "-c", script], env=ENV)  # only the last month is new
            seconds, rss, text = run_command_output([DUBAN, "build", "--warehouse", str(copy)])
            printed["the last incremental build"] = (seconds, text)
            if keep is not None and index == runs - 1:
                shutil.move(copy, keep)
            else:
                copy.unlink()
            return seconds, rss

        result.timings.append(
            repeat("duban build (incremental, one more month)", runs, incremental)
        )
        scan = [sys.executable, "-c", SCAN, str(base)]
        result.timings.append(repeat("bare DuckDB scan of the facts", runs, runner(scan)))
        for label, start, end in (
            ("month", "2025-06-01", "2025-06-30"),
            ("quarter", "2025-04-01", "2025-06-30"),
            ("year", "2025-01-01", "2025-12-31"),
        ):
            kpi = [DUBAN, "kpi", "--json", "--from", start, "--to", end, "--warehouse", str(base)]
            result.timings.append(repeat(f"duban kpi --json ({label})", runs, runner(kpi)))
        full, step, scanned = (t.median for t in result.timings[:3])
        slowest_kpi = max(t.median for t in result.timings[3:])
        result.notes.append(f"full build / bare scan: {full / scanned:.1f}x")
        result.notes.append(f"incremental / full build: {step / full:.2f}")
        result.notes.append(f"slowest kpi / bare scan: {slowest_kpi / scanned:.1f}x")
        result.notes += [slowest_models(label, *timed) for label, timed in printed.items()]
        result.notes.append(
            f"targets at the 10m scale: full build <= 30 s (here {full:.1f} s at {scale}); "
            f"kpi < 1 s (here {slowest_kpi:.2f} s); incremental a small fraction of a full build"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result
