"""Source configs, readers and community resolution, each on a small hand-made input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.errors import ConfigError, FileRejected
from pipelines.readers import LINE, read_csv, read_geojson, read_json_array, read_jsonl, read_xlsx
from pipelines.resolution import CommunityIndex, name_key
from pipelines.source_config import load_sources, parse_source
from pipelines.transform import clean_series, clean_text, parse_expr
from warehouse.contracts import load_contracts

BASE: dict[str, Any] = {
    "source": "x",
    "dataset": "inspections",
    "files": ["x_*.csv"],
    "columns": {"inspection_id": "编号", "inspected_on": "日期", "community": "社区",
                "subject": "事项", "result": "结论"},
    "constants": {"department": "X"},
    "datetime_formats": {"inspected_on": ["%Y-%m-%d"]},
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "unknown keys ['colour']"),
        ({"format": "parquet"}, "format 'parquet' is not one of"),
        ({"encoding": "latin-1"}, "encoding 'latin-1' is not one of"),
        ({"cadence": "weekly"}, "cadence 'weekly' is not one of"),
        ({"header_line": 0}, "header_line is the line or sheet row"),
        ({"datetime_formats": {}}, "inspected_on is a date: give its datetime_formats"),
        ({"lookups": {"subject": {"table": "nope", "match": "a", "take": "b"}}}, "'nope' is not"),
        ({"lookups": {"subject": {"table": "subject_aliases"}}}, "needs table, match and take"),
        ({"communities": {"fuzzy_threshold": 140}}, "fuzzy_threshold is a similarity"),
        ({"optional_columns": ["address"]}, "optional_columns: 'address' is not mapped"),
        ({"optional_columns": ["subject"]}, "optional_columns: 'subject' is required"),
        ({"ignored_columns": ["社区"]}, "ignored_columns: '社区' is read"),
    ],
)
def test_a_bad_source_config_is_refused_with_a_clear_message(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_source({**BASE, **change}, "x.yaml", load_contracts())


def test_every_built_in_source_parses_and_has_a_distinct_pattern() -> None:
    sources = load_sources()
    departments = {s.department for s in sources if s.dataset == "inspections"}
    assert len(departments) == 12
    assert {s.format for s in sources} == {"csv", "xlsx", "jsonl", "json", "geojson"}


def test_a_column_may_name_alternatives_for_a_renamed_header() -> None:
    config = parse_source({**BASE, "columns": {**BASE["columns"], "problem": ["问题", "新问题"]}},
                          "x.yaml", load_contracts())  # fmt: skip
    assert config.columns["problem"] == ("问题", "新问题")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_auto_detects_the_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("编号,社区\nA1,幸福里社区\n\nA2,阳光城\n".encode(encoding))
    frame = read_csv(path, "auto")
    assert frame.columns == [LINE, "编号", "社区"]
    assert frame.get_column(LINE).to_list() == [2, 3, 4]
    assert frame.get_column("社区").to_list() == ["幸福里社区", None, "阳光城"]


def test_an_undecodable_file_is_rejected_naming_what_was_tried(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"\x81\xff\xfe\x00")
    with pytest.raises(FileRejected, match="not valid utf-8 or gb18030"):
        read_csv(path, "auto")


@pytest.mark.parametrize(
    "content",
    [b"a,b\n1,\xff2\n", b'a,b\n"1\n\xfe",2\n', b"a,\xffb\n1,2\n", b"a,b\n1,2\n3,4\xc3"],
)
def test_a_utf8_file_with_a_bad_byte_anywhere_is_rejected_naming_it(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    position = next(
        i for i in range(len(content)) if content[i : i + 1] in (b"\xff", b"\xfe", b"\xc3")
    )
    with pytest.raises(FileRejected, match=rf"not valid utf-8 text \(byte {position}\)"):
        read_csv(path, "utf-8")


def test_jsonl_json_and_geojson_rows_keep_their_lines(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"a": "1", "b": 2}\n\n{"a": "3"}\n', encoding="utf-8")
    frame = read_jsonl(tmp_path / "a.jsonl", "auto")
    assert frame.select(LINE, "a", "b").rows() == [(1, "1", "2"), (2, None, None), (3, "3", None)]
    (tmp_path / "a.json").write_text('[\n{"a": "1"},\n{"a": "2"}\n]\n', encoding="utf-8")
    assert read_json_array(tmp_path / "a.json", "auto").select(LINE, "a").rows() == [
        (2, "1"), (3, "2")
    ]  # fmt: skip
    feature = {"type": "Feature", "properties": {"grid_id": "G1"},
               "geometry": {"type": "Point", "coordinates": [1, 2]}}  # fmt: skip
    (tmp_path / "g.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8"
    )
    geo = read_geojson(tmp_path / "g.geojson", "auto")
    assert geo.select("grid_id", "geometry").rows() == [
        ("G1", '{"type":"Point","coordinates":[1,2]}')
    ]


def test_xlsx_reads_below_the_title_block_with_sheet_rows(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write(0, 0, "某某表（2025年3月）")
    sheet.write_row(3, 0, ["编号", "日期"])
    sheet.write_row(4, 0, ["A1", 45721])
    sheet.write_row(5, 0, ["合计", "共1条"])
    book.close()
    frame = read_xlsx(path, 0, 4)
    assert frame.rows() == [(5, "A1", "45721"), (6, "合计", "共1条")]
    date = pl.DataFrame({"d": ["45721", "2025-03-05", "x"]}).select(
        parse_expr("d", "date", ("excel", "%Y-%m-%d"))
    )
    assert [str(d) for d in date.get_column("d").to_list()] == ["2025-03-05", "2025-03-05", "None"]


def test_a_corrupt_xlsx_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(FileRejected, match="not a readable XLSX workbook") as error:
        read_xlsx(path, 0, 4)
    assert error.value.kind == "unreadable"


def test_clean_series_is_clean_text_but_faster() -> None:
    values = ["ＡＢ１２", "  a  b ", "\u3000幸福里", "①", "abc", "", "  ", "a\tb", "（注）", None]
    series = pl.Series("x", values)
    expected = pl.DataFrame([series]).select(clean_text("x")).to_series()
    assert clean_series(series).to_list() == expected.to_list()
    assert expected.to_list()[:4] == ["AB12", "a b", "幸福里", "1"]


def test_clean_series_matches_nfkc_on_every_character_and_its_full_width_neighbours() -> None:
    chars = [chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF]
    values = chars + [f"Ａ{c}ｂ" for c in chars] + [f"{c}\u3000，{c}" for c in chars]
    values += ["ｶﾞ", "Ｅ\u0301", "Ｃ\u0327", "（注）。、“”", "ＡＢ\u3000 ①"]
    series = pl.Series("x", values)
    expected = pl.DataFrame([series]).select(clean_text("x")).to_series()
    assert clean_series(series).to_list() == expected.to_list()


@pytest.mark.parametrize("clean_head", [True, False])
def test_clean_series_is_clean_text_whether_the_column_is_mostly_clean_or_not(
    clean_head: bool,
) -> None:
    tricky = [
        "ＡＢ１２，",
        "  a  b ",
        "\u3000幸福里",
        "①",
        "",
        "a\tb",
        "（注）。",
        "Ｅ\u0301",
        None,
    ]
    clean: list[str | None] = ["abc", "幸福里"]
    # the head decides whether full-width forms are replaced in the whole column first
    values = (clean * 600 + tricky * 50) if clean_head else (tricky * 150 + clean)
    series = pl.Series("x", values)
    expected = pl.DataFrame([series]).select(clean_text("x")).to_series()
    assert clean_series(series).to_list() == expected.to_list()


COMMUNITIES = pl.DataFrame(
    {
        "community_id": ["C1", "C2", "C3"],
        "community_name": ["宁庭家园社区", "秋光一区社区", "秋光二区社区"],
        "short_name": ["宁庭家园", "秋光一区", "秋光二区"],
        "aliases": ["凝庭家园社区", None, None],
    }
)


@pytest.mark.parametrize(
    ("name", "community_id"),
    [
        ("宁庭家园社区", "C1"),
        ("宁庭家园", "C1"),
        ("宁庭家园社区居委会", "C1"),
        ("凝庭家园社区", "C1"),  # a typo in the alias table
        (" 宁庭家园社区 ", "C1"),
        ("宁庭家园小区", None),  # fuzzy: 4 of 6 characters alike, under the threshold
        ("幸福里社区", None),  # unknown: never guessed
        ("秋光区社区", None),  # as close to 一区 as to 二区: ambiguous, never guessed
    ],
)
def test_community_names_resolve_by_alias_then_fuzzy_never_guessing(
    name: str, community_id: str | None
) -> None:
    index = CommunityIndex.from_frame(COMMUNITIES)
    assert index.resolve(name, 90) == community_id


def test_fuzzy_matching_accepts_a_close_long_name() -> None:
    index = CommunityIndex.from_frame(COMMUNITIES)
    assert index.resolve("宁庭家园社", 85) == "C1"  # 社区 cut short: 89% alike
    assert index.resolve("宁庭家园社", 90) is None
    assert name_key("ＡＢ社区居委会") == "ab"


def test_names_resolved_together_resolve_as_one_by_one() -> None:
    """`resolve_all` (names scored together) picks what `resolve` (process.extract) picks,
    ties between communities included: the first CANDIDATES keys in key order decide."""
    names = ["宁庭家园社区", "凝庭家园", "宁庭家园社", "秋光区社区", "秋光一区社", "幸福里"]
    names += ["ab", "ab9"]
    # six keys as alike to "ab": the first five are C1's, the sixth C2's (not looked at)
    ties = {"ab1": "C1", "ab3": "C1", "ab4": "C1", "ab5": "C1", "ab6": "C1", "ab2": "C2"}
    # here C2's key is among the first five: a tie between two communities, unresolved
    mixed = {"ab1": "C1", "ab2": "C2", "ab3": "C1", "ab4": "C1", "ab5": "C1", "ab6": "C1"}
    for keys in (CommunityIndex.from_frame(COMMUNITIES).ids_by_key, ties, mixed):
        for threshold in (0, 60, 85, 90):
            one_by_one = [CommunityIndex(dict(keys)).resolve(n, threshold) for n in names]
            assert CommunityIndex(dict(keys)).resolve_all(names, threshold) == one_by_one
    assert CommunityIndex(ties).resolve_all(["ab"], 60) == ["C1"]
    assert CommunityIndex(mixed).resolve_all(["ab"], 60) == [None]


def test_a_column_of_few_distinct_values_is_cleaned_as_clean_text() -> None:
    """Categories and statuses are cleaned once per distinct value: same result, nulls kept."""
    tricky = ["ＡＢ１２", "  a  b ", "\u3000幸福里", "", "a\tb", None, "已办结", "已办结"]
    for values in (tricky * 400, ["已办结", None] * 900, ["已办结"] * 5):
        series = pl.Series("x", values, dtype=pl.String)
        expected = pl.DataFrame([series]).select(clean_text("x")).to_series()
        assert clean_series(series).to_list() == expected.to_list()


def test_the_gx_frame_holds_every_column_a_suite_expectation_reads() -> None:
    """GX validates only `checked_columns`: each expectation's columns must be among them."""
    from pipelines.validation import compile_suite

    for contract in load_contracts().values():
        read: set[str] = set()
        for expectation in compile_suite(contract).expectations:
            kwargs = expectation.configuration.kwargs
            named = ("column", "column_A", "column_B")
            read.update(kwargs[name] for name in named if name in kwargs)
            read.update(kwargs.get("column_list") or [])
            condition = kwargs.get("row_condition") or ""
            read.update(name for name in contract.column_names if f"{name}.isin" in condition)
        assert read <= set(contract.checked_columns), contract.dataset
    cases = load_contracts()["rectification_cases"]
    assert {"status", "noticed_at", "found_at"} <= set(cases.checked_columns)
    assert "description" not in load_contracts()["complaints"].checked_columns


def test_quarantined_rows_are_written_as_json_dumps_writes_them() -> None:
    import random

    from pipelines.batch import json_objects

    rng = random.Random(11)
    pieces = ['"', "\\", "\n", "\r", "\t", "\x00", "\x08", "\x0c", "\x1f", "\x7f", "a", "中", "，",
              "\u2028", "😀", " ", "/", "'"]  # fmt: skip
    columns = ['列"1', "名 称", "\n3", "plain"]
    rows = [
        {c: None if rng.random() < 0.2 else "".join(rng.choices(pieces, k=rng.randint(0, 6)))
         for c in columns}
        for _ in range(3000)
    ]  # fmt: skip
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String))
    expected = [json.dumps(row, ensure_ascii=False) for row in rows]
    assert json_objects(frame, columns).to_list() == expected
    empty = frame.with_columns(pl.lit(None).alias("empty"))  # a column of no values (Null type)
    assert json_objects(empty, [*columns, "empty"]).to_list() == [
        json.dumps({**row, "empty": None}, ensure_ascii=False) for row in rows
    ]


def test_a_column_whose_head_holds_some_full_width_forms_is_cleaned_whole() -> None:
    """Only the forms the head holds are replaced in the whole column first; values further down
    with other forms (or other characters NFKC changes) are still cleaned."""
    head = ["甲，乙"] * 1_200
    later = ["（注）ＡＢ", "丙，丁。", "①，", "  甲 ， 乙 ", "ｶﾞ，", None, ""]
    series = pl.Series("x", head + later * 30)
    expected = pl.DataFrame([series]).select(clean_text("x")).to_series()
    assert clean_series(series).to_list() == expected.to_list()
    cleaned = clean_series(series).to_list()[1_200:1_205]
    assert cleaned == ["(注)AB", "丙,丁。", "1,", "甲 , 乙", "ガ,"]
