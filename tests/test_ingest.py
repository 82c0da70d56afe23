"""Ingestion: mapping through source configs, quarantine with reasons, rejection, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import ConfigError, DubanError
from pipelines.ingest import IngestReport, ingest
from pipelines.loader import FileOutcome
from tests.factories import hotline_row, write_hotline, write_minzheng

COMMUNITIES = (
    "community_id,street_id,community_name,short_name,aliases,kind,is_pilot,property_company,"
    "grid_count,household_count,lon,lat\n"
    "C1,S1,幸福里社区,幸福里,幸福里|幸福里社区居委会|辛福里社区,老旧小区,true,,3,900,120.1,30.2\n"
    "C2,S1,阳光城社区,阳光城,阳光城,商品房,false,,2,600,120.2,30.3\n"
)
SUBJECT_ALIASES = (
    "subject_id,subject_name,department,department_subject_name\n"
    "T07,养老服务,民政,居家养老服务检查\n"
    "T07,养老服务,民政,养老服务\n"
)


def write_reference(folder: Path) -> None:
    """The reference files the sources resolve names against: communities and subject names."""
    reference = folder / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    (reference / "communities.csv").write_text(COMMUNITIES, encoding="utf-8")
    (reference / "subject_aliases.csv").write_text(SUBJECT_ALIASES, encoding="utf-8")


def loaded(report: IngestReport) -> list[FileOutcome]:
    """The outcomes of the files that are not reference data."""
    return [o for o in report.outcomes if not o.source.startswith("reference_")]


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_rows_are_loaded_cleaned_and_counted(tmp_path: Path) -> None:
    write_hotline(
        tmp_path / "in",
        "2025-03",
        [
            hotline_row("GD1", "2025-03-01 09:00:00", address="幸福里３栋　"),
            hotline_row("GD2", "2025-03-02 09:00:00", closed="2025-03-03 09:00:00",
                        satisfaction="满意"),
        ],
    )  # fmt: skip
    warehouse = tmp_path / "w.duckdb"
    write_reference(tmp_path / "in")
    report = ingest([tmp_path / "in"], warehouse)
    [outcome] = loaded(report)
    assert (outcome.outcome, outcome.rows_read, outcome.rows_loaded) == ("loaded", 2, 2)
    assert outcome.period == "2025-03"
    rows = query(warehouse, "select complaint_id, address, _row from raw.complaints order by 1")
    assert rows == [("GD1", "幸福里3栋", 2), ("GD2", "幸福里3栋", 3)]


def test_bad_rows_are_quarantined_with_file_line_rule_and_column(tmp_path: Path) -> None:
    write_hotline(
        tmp_path / "in",
        "2025-03",
        [
            hotline_row("GD1", "2025-03-01 09:00:00"),
            hotline_row("GD2", "2025-03-05 09:00:00", closed="2025-03-04 09:00:00"),
            hotline_row("GD3", "2025-03-32 09:00:00"),
            hotline_row("GD4", "2025-03-06 09:00:00", satisfaction="很好"),
            hotline_row("GD1", "2025-03-01 09:00:00"),  # exact duplicate of line 2
            "",  # blank line
        ],
    )
    warehouse = tmp_path / "w.duckdb"
    write_reference(tmp_path / "in")
    [outcome] = loaded(ingest([tmp_path / "in"], warehouse))
    assert (
        outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined + outcome.rows_duplicate
    )
    assert (outcome.rows_loaded, outcome.rows_quarantined, outcome.rows_duplicate) == (1, 3, 1)
    rows = query(
        warehouse,
        "select file_path, row_number, rule, column_name, value, raw_row->>'工单编号' "
        "from raw.quarantine order by row_number",
    )
    file = str(tmp_path / "in" / "hotline" / "12345_工单_2025-03.csv")
    assert rows == [
        (file, 3, "closed_not_before_received", "closed_at", "2025-03-04 09:00:00", "GD2"),
        (file, 4, "type:received_at", "received_at", "2025-03-32 09:00:00", "GD3"),
        (file, 5, "allowed:satisfaction", "satisfaction", "很好", "GD4"),
    ]
    reasons = query(warehouse, "select reason from raw.quarantine where row_number = 4")
    assert "required:received_at" in reasons[0][0]


def test_a_renamed_column_rejects_the_file_with_the_column_diff(tmp_path: Path) -> None:
    path = write_hotline(tmp_path / "in", "2025-03", [hotline_row("GD1", "2025-03-01 09:00:00")])
    path.write_text(
        path.read_text(encoding="utf-8").replace("满意度", "评价结果"), encoding="utf-8"
    )
    warehouse = tmp_path / "w.duckdb"
    report = ingest([tmp_path / "in"], warehouse)
    [outcome] = report.rejected
    assert "missing ['满意度']" in outcome.message
    assert "unexpected ['评价结果']" in outcome.message
    assert str(path) in outcome.message
    assert query(warehouse, "select count(*) from raw.complaints") == [(0,)]
    assert query(warehouse, "select outcome from raw.load_ledger") == [("rejected",)]


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty"), (b"\xff\xfe\x00garbage\x81\x82", "not valid utf-8")],
)
def test_an_unreadable_file_is_rejected(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "in" / "hotline" / "12345_工单_2025-03.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    [outcome] = ingest([tmp_path / "in"], tmp_path / "w.duckdb").rejected
    assert outcome.reject_kind == "empty" if not content else "unreadable"
    assert problem in outcome.message


def test_ingesting_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    write_hotline(tmp_path / "in", "2025-03", [hotline_row("GD1", "2025-03-01 09:00:00")])
    write_minzheng(tmp_path / "in", "2025-03", ["MZ1,2025-03-05,幸福里社区,养老服务,合格,,赵六,"])
    write_reference(tmp_path / "in")
    warehouse = tmp_path / "w.duckdb"
    ingest([tmp_path / "in"], warehouse)
    again = ingest([tmp_path / "in"], warehouse)
    assert [o.outcome for o in again.outcomes] == ["unchanged"] * 4
    assert query(warehouse, "select count(*) from raw.complaints") == [(1,)]
    assert query(warehouse, "select count(*) from raw.inspections") == [(1,)]
    assert query(warehouse, "select count(*) from raw.load_ledger") == [(4,)]


def test_inspections_get_their_department_from_the_source(tmp_path: Path) -> None:
    write_minzheng(
        tmp_path / "in",
        "2025-03",
        ["MZ1,2025-03-05,辛福里社区,居家养老服务检查,不合格,台账缺失,赵六,卫健"],
    )
    write_reference(tmp_path / "in")
    warehouse = tmp_path / "w.duckdb"
    ingest([tmp_path / "in"], warehouse)
    rows = query(
        warehouse,
        "select department, inspected_on::varchar, result, community_id, subject, source_subject "
        "from raw.inspections",
    )
    assert rows == [("民政", "2025-03-05", "不合格", "C1", "养老服务", "居家养老服务检查")]


def test_files_no_source_claims_are_listed_and_truth_is_never_read(tmp_path: Path) -> None:
    write_hotline(tmp_path / "in", "2025-03", [hotline_row("GD1", "2025-03-01 09:00:00")])
    (tmp_path / "in" / "truth").mkdir()
    (tmp_path / "in" / "truth" / "12345_工单_2025-03.csv").write_text("x", encoding="utf-8")
    (tmp_path / "in" / "manifest.json").write_text(json.dumps({}), encoding="utf-8")
    (tmp_path / "in" / "notes.txt").write_text("x", encoding="utf-8")
    write_reference(tmp_path / "in")
    report = ingest([tmp_path / "in"], tmp_path / "w.duckdb")
    assert len(loaded(report)) == 1
    assert report.unmatched == [str(tmp_path / "in" / "notes.txt")]


def test_a_named_file_no_source_claims_is_an_error(tmp_path: Path) -> None:
    stray = tmp_path / "stray.csv"
    stray.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DubanError, match="no source config matches"):
        ingest([stray], tmp_path / "w.duckdb")


def test_a_user_source_folder_onboards_a_new_source(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "canlian.yaml").write_text(
        "source: canlian\ndataset: inspections\nfiles: ['残联_*.csv']\nencoding: auto\n"
        "columns: {inspection_id: 编号, inspected_on: 日期, community: 社区, subject: 事项,"
        " result: 结论}\nconstants: {department: 残联}\n"
        "values: {result: {通过: 合格, 未通过: 不合格}, subject: {无障碍设施: 养老服务}}\n"
        "datetime_formats: {inspected_on: ['%Y年%m月%d日', '%Y/%m/%d']}\n",
        encoding="utf-8",
    )
    data = tmp_path / "in" / "残联_2025-03.csv"
    data.parent.mkdir()
    data.write_bytes(
        "编号,日期,社区,事项,结论\nC1,2025年3月5日,幸福里社区居委会,无障碍设施,未通过\n".encode(
            "gb18030"
        )
    )
    write_reference(tmp_path / "in")
    warehouse = tmp_path / "w.duckdb"
    ingest([tmp_path / "in"], warehouse, extra_sources=[sources])
    rows = query(
        warehouse,
        "select department, inspected_on::varchar, result, community_id, subject "
        "from raw.inspections",
    )
    assert rows == [("残联", "2025-03-05", "不合格", "C1", "养老服务")]


def test_a_source_config_mapping_an_unknown_column_is_refused(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "bad.yaml").write_text(
        "source: bad\ndataset: inspections\nfiles: ['x_*.csv']\ncolumns: {nonsense: 列}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="'nonsense' is not a column of dataset inspections"):
        ingest([tmp_path], tmp_path / "w.duckdb", extra_sources=[sources])


def test_quarantine_reasons_withhold_personal_values() -> None:
    from pipelines.batch import describe as _describe

    personal = {"caller_phone", "caller_name"}
    assert _describe("type:caller_phone", "caller_phone", "13812345678", personal) == (
        "type:caller_phone (caller_phone=<personal information withheld>)"
    )
    assert _describe("allowed:satisfaction", "satisfaction", "好", personal) == (
        "allowed:satisfaction (satisfaction='好')"
    )
    assert _describe("required:address", "address", None, personal) == (
        "required:address (address=empty)"
    )
