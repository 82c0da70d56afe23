"""Reference data under `reference/`: places, departments, taxonomies, indicator catalogue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from pipelines.generator.inspections import FORMATS
from pipelines.generator.street import KINDS, Geography, grids_geojson
from pipelines.generator.taxonomy import (
    DEPARTMENT_FULL_NAMES,
    DEPARTMENTS,
    PROBLEM_TYPES,
    SUBJECTS,
    Taxonomy,
    dept_subject_name,
    indicator_rows,
)
from pipelines.generator.writers import write_json


def reference_frames(geo: Geography, tax: Taxonomy) -> dict[str, pl.DataFrame]:
    """Every reference table, keyed by file stem."""
    n = geo.n_comm
    streets = pl.DataFrame(
        {
            "street_id": [f"S{s + 1:03d}" for s in range(len(geo.street_names))],
            "street_name": geo.street_names,
        }
    )
    grid_count = np.bincount(geo.grid_comm, minlength=n)
    hh = np.bincount(geo.addr_comm, weights=geo.addr_households, minlength=n).astype(int)
    communities = pl.DataFrame(
        {
            "community_id": [geo.comm_id(i) for i in range(n)],
            "street_id": [f"S{s + 1:03d}" for s in geo.comm_street.tolist()],
            "community_name": geo.comm_name,
            "short_name": geo.comm_short,
            "aliases": ["|".join(geo.aliases(i)[1:]) for i in range(n)],
            "kind": [KINDS[k] for k in geo.comm_kind.tolist()],
            "is_pilot": geo.comm_pilot.tolist(),
            "property_company": [c or None for c in geo.comm_company],
            "grid_count": grid_count.tolist(),
            "household_count": hh.tolist(),
            "lon": np.round((geo.comm_bbox[:, 0] + geo.comm_bbox[:, 2]) / 2, 6).tolist(),
            "lat": np.round((geo.comm_bbox[:, 1] + geo.comm_bbox[:, 3]) / 2, 6).tolist(),
        }
    )
    g = len(geo.grid_comm)
    grids = pl.DataFrame(
        {
            "grid_id": [f"G{i + 1:05d}" for i in range(g)],
            "community_id": [geo.comm_id(c) for c in geo.grid_comm.tolist()],
            "grid_name": geo.grid_name,
            "building_count": pl.DataFrame({"g": geo.addr_grid, "b": geo.addr_building})
            .group_by("g")
            .agg(pl.col("b").n_unique())
            .sort("g")["b"],
            "household_count": np.bincount(geo.addr_grid, weights=geo.addr_households, minlength=g)
            .astype(int)
            .tolist(),
        }
    )
    a = np.arange(len(geo.addr_comm))
    addresses = pl.DataFrame(
        {
            "address_id": pl.Series(a + 1).cast(pl.String).str.zfill(7).str.replace(r"^", "A"),
            "community_id": pl.Series(geo.addr_comm + 1)
            .cast(pl.String)
            .str.zfill(4)
            .str.replace(r"^", "C"),
            "grid_id": pl.Series(geo.addr_grid + 1)
            .cast(pl.String)
            .str.zfill(5)
            .str.replace(r"^", "G"),
            "building": geo.addr_building,
            "unit": geo.addr_unit,
            "address": geo.canonical_address(a),
            "household_count": geo.addr_households,
            "lon": np.round(geo.addr_lonlat[:, 0], 6),
            "lat": np.round(geo.addr_lonlat[:, 1], 6),
        }
    )
    departments = pl.DataFrame(
        {
            "department": list(DEPARTMENTS),
            "full_name": [DEPARTMENT_FULL_NAMES[d] for d in DEPARTMENTS],
            "id_prefix": [FORMATS[d].prefix for d in DEPARTMENTS],
            "file_format": [FORMATS[d].fmt for d in DEPARTMENTS],
            "encoding": [FORMATS[d].encoding for d in DEPARTMENTS],
        }
    )
    problems = pl.DataFrame(
        {
            "problem_type_id": [f"P{i + 1:03d}" for i in range(len(PROBLEM_TYPES))],
            "level1": [p[0] for p in PROBLEM_TYPES],
            "level2": [p[1] for p in PROBLEM_TYPES],
            "level3": [p[2] for p in PROBLEM_TYPES],
            "default_department": [p[3] for p in PROBLEM_TYPES],
            "is_environment": tax.is_env.tolist(),
        }
    )
    subjects = pl.DataFrame(
        {
            "subject_id": [f"T{i + 1:02d}" for i in range(len(SUBJECTS))],
            "subject_name": [s[0] for s in SUBJECTS],
            "problem_types": ["|".join(s[1]) for s in SUBJECTS],
            "departments": ["|".join(s[2]) for s in SUBJECTS],
        }
    )
    alias_rows = [
        (f"T{i + 1:02d}", s[0], d, dept_subject_name(d, s[0]))
        for i, s in enumerate(SUBJECTS)
        for d in s[2]
    ]
    subject_aliases = pl.DataFrame(
        alias_rows,
        schema=["subject_id", "subject_name", "department", "department_subject_name"],
        orient="row",
    )
    return {
        "streets": streets,
        "communities": communities,
        "grids": grids,
        "addresses": addresses,
        "departments": departments,
        "problem_taxonomy": problems,
        "inspection_subjects": subjects,
        "subject_aliases": subject_aliases,
        "indicators": pl.DataFrame(indicator_rows()),
    }


def write_reference(out: Path, geo: Geography, tax: Taxonomy) -> list[tuple[str, int]]:
    """Write reference/*.csv (UTF-8) and grids.geojson; return (relative path, rows)."""
    ref = out / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, int]] = []
    for stem, frame in reference_frames(geo, tax).items():
        frame.write_csv(ref / f"{stem}.csv", line_terminator="\n")
        written.append((f"reference/{stem}.csv", frame.height))
    gj = grids_geojson(geo)
    write_json(ref / "grids.geojson", gj)
    written.append(("reference/grids.geojson", len(gj["features"])))
    return written
