"""An incremental build after one more month of files equals a full rebuild, mart for mart."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from polars.testing import assert_frame_equal

from pipelines.generator import generate
from pipelines.ingest import ingest
from tests.factories import insert_raw
from tests.test_hotspots import complaint, seed
from warehouse import incremental
from warehouse.build import ModelBuildError, build
from warehouse.connection import connect_readonly, fetch_frame, writer
from warehouse.models import Model, build_order, discover
from warehouse.paths import SQL_DIR

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
        "complaints_monthly_grid",
        "complaints_daily_received",
        "complaints_daily_closed",
        "hotspots_category_monthly",
        "hotspots_monthly",
        "rectification_cases",
        "indicator_compliance",
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


def test_an_incremental_build_that_stops_half_way_is_followed_by_a_full_one(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental build commits model by model: one that failed leaves no build state, so
    the next build cannot add a month to tables the failed one left half-updated."""
    seed(con)  # built once: the state says which loads it saw
    assert con.execute("select count(*) from build_state").fetchall() == [(1,)]
    last = build_order(discover())[-1]

    def fail(con: duckdb.DuckDBPyConnection, model: Model) -> None:
        con.execute("select error('broken')").fetchall()

    monkeypatch.setitem(incremental.HANDLERS, last.name, fail)
    late = {**complaint("F2", "2025-02-12 09:00", "幸福里东门", "C1"), "_period": "2025-02"}
    insert_raw(con, "complaints", [late], load_id=2)
    with pytest.raises(ModelBuildError, match=last.name):
        build(con)
    assert con.execute("select count(*) from build_state").fetchall() == [(0,)]
    monkeypatch.undo()
    built = {model.name: model.materialization for model in build(con)}
    assert "incremental" not in built.values()
    assert built["complaint_tickets"] == "table"


def test_a_full_build_that_fails_changes_nothing(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """A full build runs in one transaction: a failed one leaves the marts and the state as they
    were."""
    seed(con)
    before = con.execute("select * from build_state").fetchall()
    broken = tmp_path / "sql"
    shutil.copytree(SQL_DIR, broken)
    last = build_order(discover(broken))[-1]
    last.path.write_text(last.header + "\nselect error('broken') as x\n", encoding="utf-8")
    con.execute("delete from raw.complaints")
    with pytest.raises(ModelBuildError, match=last.name):
        build(con, sql_dir=broken, full=True)
    assert con.execute("select * from build_state").fetchall() == before
    assert con.execute("select count(*) from complaint_tickets").fetchall() != [(0,)]
