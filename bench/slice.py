"""Benchmark: the whole thin slice (generate, ingest, build, kpi), step by step."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.harness import BenchResult, repeat, run_command

DUBAN = str(Path(sys.executable).with_name("duban"))


def run(runs: int, scale: str = "demo") -> BenchResult:
    """Time each step of the slice in a fresh folder per run."""
    result = BenchResult(
        name=f"The whole slice at the `{scale}` scale",
        description=(
            f"`duban generate --scale {scale}`, then `duban ingest` of everything it wrote, "
            "`duban build`, and `duban kpi --json`, each as its own process, in a new folder "
            "for every run (each step's time includes interpreter start-up and imports)."
        ),
    )
    work = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    try:
        folders = [work / f"run{index}" for index in range(runs)]

        def step(args: list[str]) -> Callable[[int], tuple[float, float]]:
            def action(index: int) -> tuple[float, float]:
                folder = folders[index]
                folder.mkdir(exist_ok=True)
                warehouse = str(folder / "warehouse.duckdb")
                command = [DUBAN, *[a.replace("{dir}", str(folder)) for a in args]]
                if args[0] != "generate":
                    command += ["--warehouse", warehouse]
                if args[0] == "ingest":
                    # status 1 says the demo's planted bad files were rejected, as they must be
                    quoted = " ".join(f'"{part}"' for part in command)
                    command = ["/bin/sh", "-c", f"{quoted} >/dev/null 2>&1; [ $? -le 1 ]"]
                return run_command(command, env={"GX_ANALYTICS_ENABLED": "False"})

            return action

        steps = [
            ("generate", ["generate", "--out", "{dir}/src", "--scale", scale]),
            ("ingest", ["ingest", "{dir}/src"]),
            ("build", ["build"]),
            ("kpi --json", ["kpi", "--json"]),
        ]
        for name, args in steps:
            result.timings.append(repeat(name, runs, step(args)))
        result.notes.append(f"total median: {sum(t.median for t in result.timings):.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result
