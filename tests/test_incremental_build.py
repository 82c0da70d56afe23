"""An incremental build after one more month of files equals a full rebuild, mart for mart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from pipelines.generator import generate
from pipelines.ingest import ingest
from warehouse.build import build
from warehouse.connection import connect_readonly, fetch_frame, writer
from warehouse.models import discover

# data_quality describes the load history (file paths, load times), which differs by design
LOAD_HISTORY = {"data_quality"}


def marts() -> list[str]:
    tables = (name for name, model in discover().items() if model.materialization == "table")
    return sorted(set(tables) - LOAD_HISTORY)


@pytest.mark.slow
def test_an_incremental_build_equals_a_full_one(tmp_path: Path) -> None:
    source = tmp_path / "src"
    generate(source, scale="tiny", end="2025-06", months=3)
    earlier = tmp_path / "earlier"
    shutil.copytree(source, earlier, ignore=shutil.ignore_patterns("*2025-06*"))

    stepwise = tmp_path / "stepwise.duckdb"
    ingest([earlier], stepwise, progress=False)
    with writer(stepwise) as con:
        first = build(con)
    assert all(model.materialization != "incremental" for model in first)
    ingest([source], stepwise, progress=False)  # only the new month's files are new
    with writer(stepwise) as con:
        second = build(con)
    assert {m.name for m in second if m.materialization == "incremental"} == {
        "int_address_texts_resolved",
        "int_complaints_located",
        "complaint_tickets",
        "complaints_monthly",
        "complaints_daily_received",
        "complaints_daily_closed",
        "hotspots_category_monthly",
        "hotspots_monthly",
    }
    with writer(stepwise) as con:
        assert build(con) == []  # nothing new: nothing to do

    whole = tmp_path / "whole.duckdb"
    ingest([source], whole, progress=False)
    with writer(whole) as con:
        build(con, full=True)

    a, b = connect_readonly(stepwise), connect_readonly(whole)
    for name in marts():
        columns = a.execute(
            "select column_name, data_type from duckdb_columns() where schema_name = 'main' "
            "and table_name = $t and column_name <> 'load_id'",
            {"t": name},
        ).fetchall()
        # lists and structs compared as text, so that `order by all` orders them too
        listed = ", ".join(
            f'"{c}"::varchar as "{c}"' if t.endswith("]") or t.startswith("STRUCT") else f'"{c}"'
            for c, t in columns
        )
        query = f"select {listed} from {name} order by all"
        assert_frame_equal(fetch_frame(a, query), fetch_frame(b, query), check_row_order=True)
    # hotspots_monthly keeps the order its reads rely on after a month was recomputed
    stored = fetch_frame(a, "select level, community_id, month_on, area_id from hotspots_monthly "
                            "order by rowid")  # fmt: skip
    assert_frame_equal(stored, stored.sort(["level", "community_id", "month_on", "area_id"]))
    a.close()
    b.close()
