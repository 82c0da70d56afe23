"""The demo street reproduces the plan's baseline and the pilots approach its targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.generator import generate


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, seed=20240601, end="2026-10", months=24, scale="demo")


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("numerator", "denominator").cast(pl.Float64)
    )


def _overall(out: Path) -> dict[tuple[str, str], float]:
    df = _read(out / "truth/kpis_by_year.csv")
    return {
        (p, m): n / d if m != "median_handling_working_days" else n
        for p, m, n, d in df.select("period", "metric", "numerator", "denominator").iter_rows()
        if d
    }


def _by_pilot(out: Path, period: str, metric: str) -> dict[bool, float]:
    df = _read(out / "truth/kpis_by_community_year.csv").filter(
        pl.col("period") == period, pl.col("metric") == metric
    )
    agg = df.group_by("is_pilot").agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    return {p == "true": n / d for p, n, d in agg.iter_rows()}


@pytest.mark.slow
def test_baseline_year_reproduces_the_plans_figures(demo: tuple[Path, dict[str, Any]]) -> None:
    out, _ = demo
    kpi = _overall(out)
    assert kpi["baseline", "duplicate_inspection_rate"] == pytest.approx(0.38, abs=0.04)
    assert kpi["baseline", "environment_complaint_share"] == pytest.approx(0.42, abs=0.04)
    assert kpi["baseline", "environment_repeat_rate"] == pytest.approx(0.31, abs=0.05)
    assert kpi["baseline", "avg_handling_working_days"] == pytest.approx(7.0, abs=1.0)
    assert kpi["baseline", "rectification_completion_rate"] == pytest.approx(0.75, abs=0.05)
    assert kpi["baseline", "recurrence_3m_rate"] == pytest.approx(0.45, abs=0.08)


@pytest.mark.slow
def test_pilot_communities_approach_the_targets(demo: tuple[Path, dict[str, Any]]) -> None:
    out, _ = demo
    repeat = _by_pilot(out, "comparison", "repeat_complaint_rate")
    assert repeat[True] < 0.12 < repeat[False]
    base = _by_pilot(out, "baseline", "duplicate_inspection_rate")
    after = _by_pilot(out, "comparison", "duplicate_inspection_rate")
    assert 1 - after[True] / base[True] >= 0.30
    assert 1 - after[False] / base[False] < 1 - after[True] / base[True]
    assert _by_pilot(out, "comparison", "rectification_completion_rate")[True] >= 0.93
    handling = _by_pilot(out, "comparison", "avg_handling_working_days")
    assert 2.0 <= handling[True] <= 3.5


@pytest.mark.slow
def test_old_estates_complain_mostly_about_elevators(demo: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = demo
    kinds = pl.read_csv(out / "reference/communities.csv").select("community_name", "kind")
    tickets = pl.concat(
        [
            pl.read_csv(out / f["path"], infer_schema=False)
            for f in manifest["files"]
            if f["source"] == "hotline"
        ]
    ).unique("工单编号", keep="last")
    assert 20_000 <= tickets.height <= 60_000
    old = tickets.join(kinds, left_on="所属社区", right_on="community_name").filter(
        pl.col("kind") == "老旧小区"
    )
    share = (old["二级分类"] == "电梯安全").mean()
    assert share == pytest.approx(0.35, abs=0.05)
