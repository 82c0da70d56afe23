"""The warehouse's KPIs equal the generator's independent truth (METRICS.md) on clean demo data."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.generator import generate
from pipelines.ingest import ingest
from warehouse.build import build
from warehouse.connection import connect_readonly, writer
from warehouse.metrics import KPIS, Period, can_use_daily, compute

CALIBRATION_ONLY = {"environment_complaint_share", "environment_repeat_rate"}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory):
    """Clean (no planted defects) tiny demo data, ingested and built."""
    folder = tmp_path_factory.mktemp("truth")
    manifest = generate(folder / "src", scale="tiny", end="2025-06", months=3, messy=False)
    warehouse = folder / "w.duckdb"
    report = ingest([folder / "src"], warehouse, progress=False)
    assert not report.rejected, [o.message for o in report.rejected]
    assert sum(o.rows_quarantined for o in report.outcomes) == 0
    with writer(warehouse) as con:
        build(con)
    con = connect_readonly(warehouse)
    yield con, folder / "src" / "truth", datetime.fromisoformat(manifest["generator"]["as_of"])
    con.close()


def truth_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["metric"] not in CALIBRATION_ONLY]


def mismatches(con: duckdb.DuckDBPyConnection, rows, as_of: datetime) -> list[str]:
    found = []
    for row in rows:
        period = Period(
            date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"]), as_of
        )
        if row.get("community_id"):
            period = replace(period, community=row["community_id"])
        value = compute(con, period, [row["metric"]])[row["metric"]]
        expected = (float(row["numerator"]), float(row["denominator"]))
        # the truth files round to 6 decimals
        numerator_ok = value.numerator == pytest.approx(expected[0], abs=1e-6)
        if not numerator_ok or value.denominator != pytest.approx(expected[1], abs=1e-6):
            found.append(
                f"{row['period']} {row.get('community_id', '')} {row['metric']}: "
                f"{value.numerator}/{value.denominator} != {expected[0]}/{expected[1]}"
            )
    return found


def test_every_metric_of_metrics_md_is_in_the_truth(clean) -> None:
    _, truth, _ = clean
    assert {row["metric"] for row in truth_rows(truth, "kpis_by_year.csv")} == set(KPIS)


@pytest.mark.slow
def test_headline_figures_by_year_equal_the_truth(clean) -> None:
    con, truth, as_of = clean
    assert mismatches(con, truth_rows(truth, "kpis_by_year.csv"), as_of) == []


@pytest.mark.slow
def test_headline_figures_by_community_equal_the_truth(clean) -> None:
    con, truth, as_of = clean
    assert mismatches(con, truth_rows(truth, "kpis_by_community_year.csv"), as_of) == []


@pytest.mark.parametrize(
    ("start", "end"),
    [("2025-04-01", "2025-04-30"), ("2025-05-01", "2025-06-30"), ("2024-01-01", "2026-12-31")],
)
def test_street_wide_figures_from_the_daily_aggregates_equal_those_from_the_tickets(
    clean, start: str, end: str
) -> None:
    con, _, _ = clean
    period = Period(date.fromisoformat(start), date.fromisoformat(end), datetime(2030, 1, 1))
    assert can_use_daily(con, period)
    assert not can_use_daily(con, replace(period, community="C001"))
    assert not can_use_daily(con, replace(period, as_of=datetime(2025, 5, 15)))
    daily, tickets = compute(con, period), compute(con, period, use_daily=False)
    assert daily["median_handling_working_days"].denominator > 0
    for name, value in tickets.items():
        assert daily[name] == value, name
