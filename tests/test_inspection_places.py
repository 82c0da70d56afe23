"""Inspections' places: the generator writes them on their own random stream, ingestion maps and
resolves them, and visits count at grid and address level."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.errors import FileRejected
from pipelines.generator import generate, inspections
from pipelines.generator.inspections import BLANK_STYLE, FORMATS, Visits
from pipelines.ingest import ingest
from pipelines.readers import LINE, read_source_file
from pipelines.source_config import SourceConfig, load_sources
from tests.factories import day, insert_raw, ts
from warehouse.build import build
from warehouse.connection import connect_readonly, fetch_frame, writer
from warehouse.hotspots import hotspots
from warehouse.metrics import Period
from warehouse.schema import ensure_raw_schema

PLACED = {dept: fmt.address_col for dept, fmt in FORMATS.items() if fmt.address_col}


def config_of(relative: str) -> SourceConfig:
    [config] = [c for c in load_sources() if c.matches(relative)]
    return config


def read(path: Path, config: SourceConfig) -> pl.DataFrame | None:
    """The file as its source reads it; None when it cannot be read (the planted cut file)."""
    try:
        return read_source_file(path, config)
    except FileRejected:
        return None


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Visits, Path]:
    """Tiny generated data, the clean visits with their places, and the data ingested and built."""
    folder = tmp_path_factory.mktemp("places")
    seen: list[Visits] = []
    place = inspections.visit_places

    def keep(*args: Any) -> None:
        place(*args)
        seen.append(args[1])

    mp = pytest.MonkeyPatch()
    mp.setattr(inspections, "visit_places", keep)
    try:
        generate(folder / "src", scale="tiny", end="2025-06", months=3)
    finally:
        mp.undo()
    warehouse = folder / "w.duckdb"
    ingest([folder / "src"], warehouse, progress=False)
    with writer(warehouse) as con:
        build(con)
    return folder / "src", seen[0], warehouse


def test_only_the_departments_that_record_a_place_write_it(tiny: tuple[Path, Visits, Path]) -> None:
    source, _, _ = tiny
    assert set(PLACED) == {"城管", "卫健", "消防", "住建", "市场监管", "应急管理"}
    for path in sorted((source / "inspections").rglob("*_2025-04.*")):
        relative = path.relative_to(source).as_posix()
        frame = read(path, config_of(relative))
        assert frame is not None
        dept = path.parent.name
        columns = [c for c in frame.columns if c != LINE]
        if dept in PLACED:
            assert columns[-1] == PLACED[dept]  # after the eight columns every department has
            assert frame[PLACED[dept]].null_count() < frame.height
        else:
            assert not set(columns) & set(PLACED.values())


def test_the_places_draw_from_their_own_stream(
    tmp_path: Path, tiny: tuple[Path, Visits, Path]
) -> None:
    """Without the places, every other file is byte-identical and every other column of the
    place departments' files holds the same values."""
    source, _, _ = tiny
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(inspections, "visit_places", lambda *args: None)
        generate(tmp_path / "bare", scale="tiny", end="2025-06", months=3)
    bare = tmp_path / "bare"
    files = sorted(p for p in source.rglob("*") if p.is_file())
    assert [p.relative_to(source) for p in files] == sorted(
        p.relative_to(bare) for p in bare.rglob("*") if p.is_file()
    )
    compared = 0
    for path in files:
        relative = path.relative_to(source).as_posix()
        other = bare / relative
        if path.parts[-3] != "inspections" or path.parent.name not in PLACED:
            assert path.read_bytes() == other.read_bytes(), relative
            continue
        config = config_of(relative)
        with_place, without = read(path, config), read(other, config)
        if with_place is None or without is None:
            assert with_place is None and without is None, relative  # the planted cut file
            continue
        assert_frame_equal(with_place.drop(PLACED[path.parent.name]), without)
        compared += 1
    assert compared >= 3 * len(PLACED) - 1


def test_ingested_places_resolve_to_the_generated_addresses(
    tiny: tuple[Path, Visits, Path],
) -> None:
    """Each loaded visit's address_id is the generated address when the place names a building
    and unit, and null when it was vague or left blank (or the department records none)."""
    _, vis, warehouse = tiny
    dept_names = np.array(list(inspections.DEPARTMENTS))[vis.dept]
    resolvable = (vis.addr >= 0) & (vis.addr_style != BLANK_STYLE)
    placed = np.isin(dept_names, list(PLACED))
    expected = pl.DataFrame(
        {
            "inspection_id": vis.ids.astype(str),
            "expected_address_id": [
                f"A{a + 1:07d}" if ok else None
                for a, ok in zip(vis.addr.tolist(), (resolvable & placed).tolist(), strict=True)
            ],
            "written": placed & (vis.addr_style != BLANK_STYLE),
        }
    )
    con = connect_readonly(warehouse)
    loaded = fetch_frame(
        con, "select inspection_id, address, address_id, grid_id from inspection_visits"
    )
    grids = fetch_frame(
        con, "select address_id, grid_id as address_grid from stg_reference__addresses"
    )
    con.close()
    joined = loaded.join(expected, on="inspection_id", how="inner")
    assert joined.height == loaded.height > 50
    assert joined.filter(pl.col("written"))["address"].null_count() == 0
    assert (
        joined.filter(~pl.col("written"))["address"].null_count()
        == joined.filter(~pl.col("written")).height
    )
    assert (joined["address_id"].eq_missing(joined["expected_address_id"])).all()
    assert joined["address_id"].drop_nulls().len() > 20
    with_grid = joined.join(grids, on="address_id", how="left")
    assert with_grid["grid_id"].eq_missing(with_grid["address_grid"]).all()


def test_a_file_written_before_the_place_column_still_loads(
    tmp_path: Path, tiny: tuple[Path, Visits, Path]
) -> None:
    source, _, _ = tiny
    folder = tmp_path / "older"
    shutil.copytree(source / "reference", folder / "reference")
    relative = "inspections/市场监管/市场监管_监督抽查_2025-04.csv"
    text = (source / relative).read_bytes().decode("gb18030").splitlines()
    header = text[0].split(",")
    at = header.index("抽查地址")
    older = [",".join(c for i, c in enumerate(line.split(",")) if i != at) for line in text]
    (folder / "inspections" / "市场监管").mkdir(parents=True)
    (folder / relative).write_bytes(("\n".join(older) + "\n").encode("gb18030"))
    warehouse = tmp_path / "w.duckdb"
    report = ingest([folder], warehouse, progress=False)
    assert not report.rejected
    con = connect_readonly(warehouse)
    counts = con.execute("select count(*), count(address) from raw.inspections").fetchone()
    con.close()
    assert counts is not None and counts[0] >= 5 and counts[1] == 0


def seed(con: duckdb.DuckDBPyConnection) -> None:
    insert_raw(
        con,
        "communities",
        [
            {"community_id": "C1", "street_id": "S1", "community_name": "文堤公寓社区",
             "short_name": "文堤公寓", "aliases": "", "household_count": 1000},
            {"community_id": "C2", "street_id": "S1", "community_name": "信湾一区社区",
             "short_name": "信湾一区", "aliases": "", "household_count": 500},
        ],
        period=None,
    )  # fmt: skip
    insert_raw(
        con,
        "grids",
        [
            {"grid_id": "G1", "community_id": "C1", "grid_name": "文堤第1网格",
             "household_count": 400},
            {"grid_id": "G9", "community_id": "C2", "grid_name": "信湾第9网格",
             "household_count": 500},
        ],
        period=None,
    )  # fmt: skip
    insert_raw(
        con,
        "addresses",
        [
            {"address_id": "A1", "community_id": "C1", "grid_id": "G1", "building": "3",
             "unit": "2", "address": "文堤公寓3幢2单元", "household_count": 40},
            {"address_id": "A2", "community_id": "C2", "grid_id": "G9", "building": "12",
             "unit": "1", "address": "信湾一区12幢1单元", "household_count": 30},
        ],
        period=None,
    )  # fmt: skip
    insert_raw(
        con,
        "problem_types",
        [{"problem_type_id": "P1", "level1": "社区环境", "level2": "垃圾",
          "level3": "垃圾清运不及时", "default_department": "城管", "is_environment": True}],
        period=None,
    )  # fmt: skip


def visit(visit_id: str, address: str | None, community_id: str = "C1") -> dict[str, Any]:
    return {"inspection_id": visit_id, "department": "城管", "inspected_on": day("2025-03-03"),
            "community": "文堤公寓社区", "community_id": community_id, "address": address,
            "subject": "市容环境", "result": "不合格", "problem": "垃圾清运不及时"}  # fmt: skip


def test_visits_resolve_like_complaints_and_count_at_grid_and_address(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seed(con)
    insert_raw(
        con,
        "inspections",
        [
            visit("V1", "文堤公寓3幢2单元"),
            visit("V2", "城北街道文堤公寓3号楼2单元"),
            visit("V3", "文堤公寓门口"),  # vague: the community only
            visit("V4", "文堤公寓99幢9单元"),  # no such unit
            visit("V5", "信湾一区12幢1单元"),  # another community than the visit's: not used
            visit("V6", None),
            visit("V7", "  文堤公寓3幢2单元 "),  # the same text once normalised
        ],
    )
    insert_raw(
        con,
        "complaints",
        [{"complaint_id": "T1", "received_at": ts("2025-03-04 09:00"),
          "address": "文堤公寓3幢2单元", "community_id": "C1", "category_l1": "社区环境",
          "category_l3": "垃圾清运不及时"}],
    )  # fmt: skip
    build(con)
    texts = fetch_frame(
        con,
        "select address, address_text, address_id, grid_id, place_community_id, "
        "prefix_community_id from int_address_texts_resolved order by address",
    )
    expected_texts = pl.DataFrame(
        {
            "address": ["  文堤公寓3幢2单元 ", "信湾一区12幢1单元", "城北街道文堤公寓3号楼2单元",
                        "文堤公寓3幢2单元", "文堤公寓99幢9单元", "文堤公寓门口"],
            "address_text": ["文堤公寓3幢2单元", "信湾一区12幢1单元", "城北街道文堤公寓3号楼2单元",
                             "文堤公寓3幢2单元", "文堤公寓99幢9单元", "文堤公寓门口"],
            "address_id": ["A1", "A2", "A1", "A1", None, None],
            "grid_id": ["G1", "G9", "G1", "G1", None, None],
            "place_community_id": ["C1", "C2", "C1", "C1", "C1", None],
            "prefix_community_id": [None, None, None, None, None, "C1"],
        }
    )  # fmt: skip
    assert_frame_equal(texts.sort("address"), expected_texts.sort("address"))
    result = fetch_frame(
        con,
        "select inspection_id, address, address_id, grid_id, is_address_resolved "
        "from inspection_visits order by inspection_id",
    )
    expected = pl.DataFrame(
        {
            "inspection_id": [f"V{i}" for i in range(1, 8)],
            "address": ["文堤公寓3幢2单元", "城北街道文堤公寓3号楼2单元", "文堤公寓门口",
                        "文堤公寓99幢9单元", "信湾一区12幢1单元", None, "文堤公寓3幢2单元"],
            "address_id": ["A1", "A1", None, None, None, None, "A1"],
            "grid_id": ["G1", "G1", None, None, None, None, "G1"],
            "is_address_resolved": [True, True, False, False, False, False, True],
        }
    )  # fmt: skip
    assert_frame_equal(result, expected)
    hot = fetch_frame(
        con,
        "select level, area_id, households, count_complaints, count_failed_items "
        "from hotspots_monthly order by level, area_id",
    )
    # addresses are counted from the tickets and visits when asked
    march = Period(day("2025-03-01"), day("2025-03-31"), ts("2025-12-31 00:00"))
    addresses = hotspots(con, march, "address").select(
        pl.lit("address").alias("level"),
        "area_id",
        "households",
        "count_complaints",
        "count_failed_items",
    )
    expected_hot = pl.DataFrame(
        {
            "level": ["address", "community", "grid"],
            "area_id": ["A1", "C1", "G1"],
            "households": [40, 1000, 400],
            "count_complaints": [1, 1, 1],
            "count_failed_items": [3, 7, 3],
        },
        schema_overrides={"households": pl.Int64, "count_complaints": pl.Int64,
                          "count_failed_items": pl.Int64},
    )  # fmt: skip
    assert_frame_equal(pl.concat([addresses, hot]), expected_hot)


def test_an_incremental_build_resolves_new_texts_and_drops_unused_ones(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """A ticket and a visit re-sent with another place, beside a ticket that stays: the incremental
    build's resolved texts are exactly a full build's (the old texts leave, the new ones come)."""
    seed(con)
    complaint = {"complaint_id": "T1", "received_at": ts("2025-03-04 09:00"),
                 "community_id": "C1", "category_l1": "社区环境",
                 "category_l3": "垃圾清运不及时"}  # fmt: skip
    unchanged = {**complaint, "complaint_id": "T2", "address": "文堤公寓1幢1单元"}
    insert_raw(con, "complaints", [{**complaint, "address": "文堤公寓门口"}, unchanged])
    insert_raw(con, "inspections", [visit("V1", "文堤公寓99幢9单元"), visit("V2", "文堤公寓附近")])
    build(con)
    insert_raw(con, "complaints", [{**complaint, "address": "文堤公寓3幢2单元"}], load_id=2)
    insert_raw(con, "inspections", [visit("V1", "城北街道文堤公寓3幢2单元")], load_id=2)
    built = {m.name: m.materialization for m in build(con)}
    assert built["int_address_texts_resolved"] == "incremental"
    query = "select * from int_address_texts_resolved order by address"
    stepwise = fetch_frame(con, query)
    build(con, full=True)
    assert_frame_equal(stepwise, fetch_frame(con, query))
    assert stepwise["address"].to_list() == [
        "城北街道文堤公寓3幢2单元",
        "文堤公寓1幢1单元",
        "文堤公寓3幢2单元",
        "文堤公寓附近",
    ]


def test_a_warehouse_made_before_the_place_column_gains_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute("alter table raw.inspections drop column address")
    insert = "insert into raw.inspections (inspection_id, department, _load_id, _source, _row) "
    con.execute(insert + "values ('V1', '城管', 1, 'x', 2)")
    ensure_raw_schema(con)
    rows = con.execute("select inspection_id, address from raw.inspections").fetchall()
    assert rows == [("V1", None)]


def test_an_incremental_build_keeps_an_old_text_an_unchanged_record_still_uses(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """A ticket and a visit re-sent with another place, while an unchanged ticket and an unchanged
    visit still use their old texts: those texts stay, as a full build keeps them."""
    seed(con)
    complaint = {"complaint_id": "T1", "received_at": ts("2025-03-04 09:00"),
                 "community_id": "C1", "category_l1": "社区环境",
                 "category_l3": "垃圾清运不及时"}  # fmt: skip
    sharing = {**complaint, "complaint_id": "T2", "address": "文堤公寓门口"}
    insert_raw(con, "complaints", [{**complaint, "address": "文堤公寓门口"}, sharing])
    insert_raw(con, "inspections", [visit("V1", "文堤公寓附近"), visit("V2", "文堤公寓附近")])
    build(con)
    insert_raw(con, "complaints", [{**complaint, "address": "文堤公寓3幢2单元"}], load_id=2)
    insert_raw(con, "inspections", [visit("V1", "文堤公寓1幢1单元")], load_id=2)
    built = {m.name: m.materialization for m in build(con)}
    assert built["int_address_texts_resolved"] == "incremental"
    query = "select * from int_address_texts_resolved order by address"
    stepwise = fetch_frame(con, query)
    build(con, full=True)
    assert_frame_equal(stepwise, fetch_frame(con, query))
    assert stepwise["address"].to_list() == [
        "文堤公寓1幢1单元",
        "文堤公寓3幢2单元",
        "文堤公寓门口",
        "文堤公寓附近",
    ]
