"""Benchmark: `duban generate` at the large scales, its own process per run, with record counts."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.harness import BenchResult, repeat, run_command
from pipelines.generator.config import build_period
from pipelines.generator.run import record_counts

DUBAN = str(Path(sys.executable).with_name("duban"))
LIMIT_SECONDS, LIMIT_MB = 180, 4096  # the generator issue's targets on a 2-core machine


def run(runs: int, scales: Sequence[str] = ("1m", "10m"), keep: Path | None = None) -> BenchResult:
    """Time `duban generate --scale S` for each scale; with `keep`, the last run of the last
    scale is written there and left for the caller (the ingest benchmark reads it)."""
    end = build_period(None, 24).months[-1]  # fixed once: every run writes the same months
    result = BenchResult(
        name="Generate at the large scales",
        description=(
            f"`duban generate --scale S --end {end}` (24 months), each run as its own process "
            "into an empty folder (times include interpreter start-up and imports). Counts are "
            "the clean records before planted duplicates; hotline rows include the open "
            "tickets each monthly export repeats."
        ),
    )
    work = Path(tempfile.mkdtemp(prefix="duban-bench-generate-"))
    try:
        rows: dict[str, dict[str, int]] = {}
        for scale in scales:
            last = scale == scales[-1]

            def action(index: int, scale: str = scale, last: bool = last) -> tuple[float, float]:
                kept = keep is not None and last and index == runs - 1
                out = keep if kept and keep is not None else work / "out"
                shutil.rmtree(out, ignore_errors=True)
                command = [DUBAN, "generate", "--out", str(out), "--scale", scale, "--end", end]
                timing = run_command(command)
                manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
                rows[scale] = _rows(manifest)
                if not kept:
                    shutil.rmtree(out)
                return timing

            timing = repeat(f"generate --scale {scale}", runs, action)
            result.timings.append(timing)
            counts = record_counts(end=end, scale=scale)
            result.notes.append(
                f"{scale}: {counts['tickets']:,} tickets "
                f"({rows[scale]['hotline']:,} hotline rows), "
                f"{counts['inspections']:,} inspections, {counts['cases']:,} cases "
                f"({counts['case_rounds']:,} rounds; {rows[scale]['ledger']:,} ledger rows), "
                f"{counts['streets']:,} streets, {counts['communities']:,} communities, "
                f"{counts['grids']:,} grids"
            )
            within = timing.median < LIMIT_SECONDS and timing.peak_rss_mb < LIMIT_MB
            result.notes.append(
                f"{scale}: median {timing.median:.1f} s, peak RSS {timing.peak_rss_mb:.0f} MB "
                f"(targets < {LIMIT_SECONDS} s, < {LIMIT_MB} MB): {'met' if within else 'MISSED'}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _rows(manifest: dict[str, Any]) -> dict[str, int]:
    """Rows written per source, from the manifest."""
    rows: dict[str, int] = {}
    for f in manifest["files"]:
        rows[f["source"]] = rows.get(f["source"], 0) + int(f["rows"])
    return rows
