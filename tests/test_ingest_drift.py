"""Schema drift of files that load: extra columns and renamed ones are recorded in the ledger,
counted in the data-quality mart and shown in the summary; a reordered header is not drift."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.cli import print_summary
from pipelines.drift import HeaderDrift, Renamed, header_drift
from pipelines.ingest import IngestReport, ingest
from pipelines.loader import FileOutcome
from tests.factories import HOTLINE_HEADER, hotline_row, write_hotline
from tests.test_ingest import write_reference
from warehouse.build import build
from warehouse.connection import writer

DRIFT_COLUMNS = "extra_columns, renamed_columns, missing_columns"
ROWS = [hotline_row("GD1", "2025-03-01 09:00:00"), hotline_row("GD2", "2025-03-02 09:00:00")]


def hotline_outcome(report: IngestReport) -> FileOutcome:
    [outcome] = [o for o in report.outcomes if o.source == "hotline"]
    return outcome


def ledger(warehouse: Path, source: str = "hotline") -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select outcome, {DRIFT_COLUMNS} from raw.load_ledger "
            "where source = $source order by load_id",
            {"source": source},
        ).fetchall()


def with_header(path: Path, header: str, rows: list[str]) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def loaded_file(tmp_path: Path, header: str, rows: list[str]) -> tuple[Path, FileOutcome]:
    path = write_hotline(tmp_path / "in", "2025-03", [])
    with_header(path, header, rows)
    write_reference(tmp_path / "in")
    warehouse = tmp_path / "w.duckdb"
    return warehouse, hotline_outcome(ingest([tmp_path / "in"], warehouse))


def test_a_file_as_expected_records_no_drift(tmp_path: Path) -> None:
    warehouse, outcome = loaded_file(tmp_path, HOTLINE_HEADER, ROWS)
    assert (outcome.outcome, outcome.rows_loaded) == ("loaded", 2)
    assert not outcome.drift
    assert ledger(warehouse) == [("loaded", [], [], [])]


def test_a_file_with_an_extra_column_loads_and_records_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse, outcome = loaded_file(
        tmp_path, HOTLINE_HEADER + ",回访备注", [row + ",已回访" for row in ROWS]
    )
    assert (outcome.outcome, outcome.rows_loaded) == ("loaded", 2)
    assert ledger(warehouse) == [("loaded", ["回访备注"], [], [])]
    print_summary(IngestReport([outcome]))
    line = next(line for line in capsys.readouterr().out.splitlines() if "hotline" in line)
    assert line.endswith("loaded, header changed: +回访备注")


def test_a_reordered_header_is_not_drift(tmp_path: Path) -> None:
    names = HOTLINE_HEADER.split(",")
    order = list(reversed(range(len(names))))
    rows = [",".join(row.split(",")[i] for i in order) for row in ROWS]
    warehouse, outcome = loaded_file(tmp_path, ",".join(names[i] for i in order), rows)
    assert (outcome.outcome, outcome.rows_loaded, outcome.rows_quarantined) == ("loaded", 2, 0)
    assert ledger(warehouse) == [("loaded", [], [], [])]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select complaint_id, caller_phone from raw.complaints order by 1"
        ).fetchall() == [("GD1", "13812345678"), ("GD2", "13812345678")]


CANLIAN = (
    "source: canlian\ndataset: inspections\nfiles: ['残联_*.csv']\n"
    "columns: {inspection_id: 编号, inspected_on: 日期, community: 社区, subject: 事项,"
    " result: 结论, problem: [问题, 发现问题]}\nconstants: {department: 残联}\n"
    "values: {subject: {无障碍设施: 养老服务}}\n"
    "datetime_formats: {inspected_on: ['%Y-%m-%d']}\n"
)


def canlian(tmp_path: Path, files: dict[str, str]) -> tuple[Path, IngestReport]:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "canlian.yaml").write_text(CANLIAN, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    write_reference(tmp_path / "in")
    warehouse = tmp_path / "w.duckdb"
    return warehouse, ingest([tmp_path / "in"], warehouse, extra_sources=[sources])


def test_a_column_under_its_alternative_name_loads_and_records_the_rename(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = "C{n},2025-0{n}-05,幸福里社区,无障碍设施,不合格,坡道破损\n"
    warehouse, report = canlian(
        tmp_path,
        {
            "残联_2025-03.csv": "编号,日期,社区,事项,结论,问题\n" + row.format(n=3),
            "残联_2025-04.csv": "编号,日期,社区,事项,结论,发现问题\n" + row.format(n=4),
        },
    )
    assert [o.outcome for o in report.outcomes if o.source == "canlian"] == ["loaded"] * 2
    assert ledger(warehouse, "canlian") == [
        ("loaded", [], [], []),
        ("loaded", [], [{"column_name": "problem", "expected_name": "问题",
                         "found_name": "发现问题"}], []),
    ]  # fmt: skip
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select problem from raw.inspections").fetchall() == [("坡道破损",)] * 2
    print_summary(report)
    out = capsys.readouterr().out
    assert "残联_2025-04.csv" in out
    assert "loaded, header changed: renamed 问题→发现问题" in out


def test_the_mart_counts_files_loaded_with_drift_and_rejected_for_it(tmp_path: Path) -> None:
    row = "C{n},2025-0{n}-05,幸福里社区,无障碍设施,不合格,坡道破损\n"
    warehouse, report = canlian(
        tmp_path,
        {
            "残联_2025-03.csv": "编号,日期,社区,事项,结论,问题\n" + row.format(n=3),
            "残联_2025-04.csv": "编号,日期,社区,事项,结论,发现问题,备注\n"
            + row.format(n=4).rstrip("\n") + ",无\n",
            "残联_2025-05.csv": "编号,日期,社区,事项,结论,存在问题\n" + row.format(n=5),
        },
    )  # fmt: skip
    rejected = [o for o in report.rejected if o.source == "canlian"]
    assert [o.reject_kind for o in rejected] == ["schema_drift"]
    assert ledger(warehouse, "canlian")[-1] == (
        "rejected", ["存在问题"], [], ["问题 or 发现问题"]
    )  # fmt: skip
    with writer(warehouse) as con:
        build(con)
        row_ = con.execute(
            "select count_schema_drift_events, count_files_rejected_for_drift, "
            "count_files_loaded_with_drift, last_schema_drift_outcome, last_schema_drift_changes "
            "from data_quality where source = 'canlian'"
        ).fetchall()
    assert row_ == [(2, 1, 1, "rejected", ["+存在问题", "-问题 or 发现问题"])]


LEDGER_BEFORE_DRIFT = """
create table raw.load_ledger (
    load_id bigint primary key, source varchar not null, dataset varchar not null,
    file_path varchar not null, sha256 varchar not null, size_bytes bigint not null,
    period varchar, rows_read bigint not null, rows_loaded bigint not null,
    rows_quarantined bigint not null, rows_duplicate bigint not null,
    started_at timestamp not null, finished_at timestamp not null, outcome varchar not null,
    message varchar, reject_kind varchar, superseded_by bigint
)
"""


def test_an_older_warehouse_gains_the_drift_columns(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with writer(warehouse) as con:  # a warehouse from before drift was recorded, with one load
        con.execute("create schema raw")
        con.execute(LEDGER_BEFORE_DRIFT)
        con.execute(
            "insert into raw.load_ledger values (1, 'hotline', 'complaints', '/old.csv', 'x', 1, "
            "'2025-02', 0, 0, 0, 0, '2025-03-01', '2025-03-01', 'loaded', '', null, null)"
        )
    path = write_hotline(tmp_path / "in", "2025-03", [])
    with_header(path, HOTLINE_HEADER + ",回访备注", [row + ",已回访" for row in ROWS])
    write_reference(tmp_path / "in")
    ingest([tmp_path / "in"], warehouse)
    assert ledger(warehouse) == [("loaded", None, None, None), ("loaded", ["回访备注"], [], [])]
    with writer(warehouse) as con:
        build(con)
        counts = con.execute(
            "select count_files_loaded_with_drift from data_quality where source = 'hotline'"
        ).fetchall()
    assert counts == [(1,)]


def test_drift_is_the_columns_not_read_and_those_read_through_a_later_name() -> None:
    columns = {"problem": ("问题", "发现问题"), "result": ("结论",)}
    found = ["结论", "问题", "发现问题", "备注", "经办人"]
    drift = header_drift(found, columns, {"problem": "问题", "result": "结论"}, ("经办人",))
    # both names present: the first is read, the other is a column nobody reads
    assert drift == HeaderDrift(extra=("发现问题", "备注"))
    renamed = header_drift(["发现问题", "结论"], columns, {"problem": "发现问题", "result": "结论"})
    assert renamed == HeaderDrift(renamed=(Renamed("problem", "问题", "发现问题"),))
    assert renamed.describe() == "renamed 问题→发现问题"
    assert not header_drift(["结论", "问题"], columns, {"problem": "问题", "result": "结论"})
