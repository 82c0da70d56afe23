"""The large scales add streets under the same hierarchy; record counts agree with the files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines.generator import generate
from pipelines.generator.config import get_scale
from pipelines.generator.run import record_counts
from pipelines.generator.street import build_geography


@pytest.mark.parametrize(("scale", "tickets"), [("1m", 1_000_000), ("10m", 10_000_000)])
def test_large_scales_add_streets_not_tickets_per_street(scale: str, tickets: int) -> None:
    sc, demo = get_scale(scale), get_scale("demo")
    assert sc.communities_per_street == demo.communities_per_street  # streets look like the demo's
    assert sc.tickets_per_community_month <= demo.tickets_per_community_month
    expected = sc.streets * sc.communities_per_street * sc.tickets_per_community_month * 24
    assert expected == pytest.approx(tickets, rel=0.05)


def test_the_1m_geography_keeps_the_hierarchy() -> None:
    sc = get_scale("1m")
    geo = build_geography(sc, np.random.default_rng([20240601, 1]))
    assert len(geo.street_names) == len(set(geo.street_names)) == sc.streets
    assert geo.n_comm == len(set(geo.comm_name)) == sc.streets * sc.communities_per_street
    per_street = np.bincount(geo.comm_street)
    assert (per_street == sc.communities_per_street).all()
    assert (np.bincount(geo.comm_street[geo.comm_pilot]) == sc.communities_per_street // 2).all()
    grids = np.bincount(geo.grid_comm, minlength=geo.n_comm)
    assert grids.min() >= 6 and grids.max() <= 10
    # every grid lies inside its community, every address inside its grid's community
    inner = geo.comm_bbox[geo.grid_comm]
    assert (geo.grid_bbox[:, :2] >= inner[:, :2] - 1e-9).all()
    assert (geo.grid_bbox[:, 2:] <= inner[:, 2:] + 1e-9).all()
    assert (geo.grid_comm[geo.addr_grid] == geo.addr_comm).all()


def test_record_counts_match_the_clean_files(tmp_path: Path) -> None:
    manifest = generate(tmp_path, seed=3, end="2025-03", months=3, scale="tiny", messy=False)
    counts = record_counts(seed=3, end="2025-03", months=3, scale="tiny")
    hotline = pl.concat(
        [
            pl.read_csv(tmp_path / f["path"], infer_schema=False)
            for f in manifest["files"]
            if f["source"] == "hotline"
        ]
    )
    assert counts["tickets"] == hotline["工单编号"].n_unique()
    visits = sum(f["rows"] for f in manifest["files"] if f["source"] == "inspections")
    assert counts["inspections"] == visits
    assert 0 < counts["cases"] <= counts["case_rounds"]
    assert (counts["streets"], counts["communities"]) == (1, 3)
