"""`python -m bench` (`make bench`): run every benchmark and rewrite docs/benchmarks.md."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from bench import build as build_bench
from bench import dashboard as dashboard_bench
from bench import generate as generate_bench
from bench import ingest as ingest_bench
from bench import slice as slice_bench
from bench.harness import report

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ["slice", "generate", "ingest", "build", "dashboard"]


def main() -> None:
    """Run the benchmarks and write the report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per benchmark (median reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--scale", default="demo", help="generator scale for the slice benchmark")
    parser.add_argument("--generate-scales", default="1m,10m", help="scales to time generate at")
    parser.add_argument("--ingest-scale", default="10m", help="generator scale for the ingest one")
    parser.add_argument(
        "--ingest-source",
        type=Path,
        help="already generated files at --ingest-scale for the ingest one (skips generating them)",
    )
    parser.add_argument("--build-scale", default="10m", help="generator scale for the build one")
    parser.add_argument(
        "--build-source",
        type=Path,
        help="already generated files at --build-scale for the build one (skips generating them)",
    )
    parser.add_argument("--kills", type=int, default=10, help="random kill -9 points to test")
    parser.add_argument("--dashboard-scale", default="10m", help="scale for the dashboard one")
    parser.add_argument(
        "--dashboard-warehouse", type=Path, help="a built warehouse at that scale (else built)"
    )
    parser.add_argument(
        "--only",
        choices=BENCHMARKS,
        action="append",
        help="run only this benchmark (may be repeated); the report then holds only these",
    )
    args = parser.parse_args()
    wanted = set(args.only or BENCHMARKS)
    scales = args.generate_scales.split(",")
    work = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    results = []
    try:
        # later benchmarks read the generate benchmark's last output when the scales match
        kept = work / "generated" if "generate" in wanted else None
        generated = kept if kept is not None and scales[-1] == args.ingest_scale else None
        generated = args.ingest_source or generated
        if "slice" in wanted:
            results.append(slice_bench.run(args.runs, args.scale))
        if "generate" in wanted:
            results.append(generate_bench.run(args.runs, scales, keep=kept))
        if "ingest" in wanted:
            results.append(
                ingest_bench.run(args.runs, args.ingest_scale, args.kills, source=generated)
            )
        if "build" in wanted:
            source = args.build_source
            if source is None and kept is not None and scales[-1] == args.build_scale:
                source = kept
            built = work / "built.duckdb" if args.build_scale == args.dashboard_scale else None
            results.append(build_bench.run(args.runs, args.build_scale, source, keep=built))
            if built is not None and args.dashboard_warehouse is None:
                args.dashboard_warehouse = built  # the dashboard reads the build benchmark's
        if "dashboard" in wanted:
            results.append(
                dashboard_bench.run(args.runs, args.dashboard_scale, args.dashboard_warehouse)
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(report(results, args.runs), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
