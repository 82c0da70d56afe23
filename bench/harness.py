"""The benchmark harness: machine facts, timed runs of commands, medians, the markdown report."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path


@dataclass(frozen=True)
class Timing:
    """One step's wall-clock seconds over several runs, and the largest peak memory seen."""

    step: str
    seconds: list[float]
    peak_rss_mb: float

    @property
    def median(self) -> float:
        """The median of the runs."""
        return statistics.median(self.seconds)


@dataclass
class BenchResult:
    """A benchmark's timings and notes."""

    name: str
    description: str
    timings: list[Timing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    memory = "?"
    cpu = platform.processor() or "?"
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        kib = int(meminfo.split("MemTotal:")[1].split()[0])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        )
    except (OSError, IndexError, StopIteration):
        pass
    packages = ["duckdb", "polars", "streamlit", "great-expectations", "pandas"]
    return {
        "cores": str(os.cpu_count()),
        "memory": memory,
        "cpu": cpu,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        **{name: version(name) for name in packages},
    }


def run_command(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command to completion; its wall seconds and its own peak RSS in MB."""
    seconds, rss, _ = run_command_output(command, env)
    return seconds, rss


def run_command_output(
    command: Sequence[str], env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    """`run_command`, with what the command printed (stdout and stderr together)."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), env={**os.environ, **(env or {})}, stdout=output, stderr=output
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            tail = output.read()[-2000:].decode("utf-8", "replace")
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{tail}")
        output.seek(0)
        printed = output.read().decode("utf-8", "replace")
    return seconds, usage.ru_maxrss / 1024, printed


def repeat(step: str, runs: int, action: Callable[[int], tuple[float, float]]) -> Timing:
    """Time an action several times (it gets the run number); keep every run and the peak memory."""
    seconds: list[float] = []
    peak = 0.0
    for run in range(runs):
        elapsed, rss = action(run)
        seconds.append(elapsed)
        peak = max(peak, rss)
    return Timing(step, seconds, peak)


def report(results: list[BenchResult], runs: int) -> str:
    """The markdown of docs/benchmarks.md."""
    facts = machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. Each figure is the "
        f"median of {runs} runs, measured in one session on the machine below; compare "
        "ratios within one run, since these machines are shared and noisy.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in facts.items()],
        "",
    ]
    for result in results:
        lines += [f"## {result.name}", "", result.description, ""]
        lines += ["| step | median s | runs (s) | peak RSS MB |", "|---|---:|---|---:|"]
        for timing in result.timings:
            runs_text = ", ".join(f"{s:.2f}" for s in timing.seconds)
            lines.append(
                f"| {timing.step} | {timing.median:.2f} | {runs_text} | {timing.peak_rss_mb:.0f} |"
            )
        lines += ["", *[f"- {note}" for note in result.notes], ""]
    return "\n".join(lines).rstrip() + "\n"
