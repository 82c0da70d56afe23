"""Ingesting the generator's output: every planted defect is caught with the right reason, and
nothing else; counts add up; re-ingest is a no-op; a corrected file replaces its period."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.generator import generate
from pipelines.ingest import ingest

# what each planted defect kind must become: quarantined with one of these rules, or dropped
QUARANTINE_RULES = {
    "unknown_community": lambda rule, column: rule == "unknown_community",
    "impossible_time": lambda rule, column: (
        rule.endswith("_not_before_received")
        or rule.endswith("_not_before_report")
        or rule.endswith("_not_before_notice")
        or rule.endswith("_not_before_verification")
    ),
    "missing_required": lambda rule, column: (
        rule.startswith("required:") or rule == "notice_required_once_issued"
    ),
    "out_of_range": lambda rule, column: rule.startswith(("range:", "type:")),
}
CLEANED = {"stray_space", "full_width_digits"}  # fixed on the way in: the row loads
DROPPED = {"duplicate_row", "blank_line"}  # not rows: counted as duplicates or skipped
REJECTED = {"schema_drift": "schema_drift", "corrupt_file": "unreadable"}


def relative(path: str, root: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def check_defects(source: Path, warehouse: Path) -> list[Any]:
    """Every disagreement between the manifest's planted defects and what the ingest did."""
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantine = {
            (relative(f, source), line): (rule, column)
            for f, line, rule, column in con.execute(
                "select file_path, row_number, rule, column_name from raw.quarantine"
            ).fetchall()
        }
        ledger = {
            relative(f, source): (outcome, kind)
            for f, outcome, kind in con.execute(
                "select file_path, outcome, reject_kind from raw.load_ledger"
            ).fetchall()
        }
        # the header drift each file recorded: the columns nobody reads, and those renamed
        drift = {
            relative(f, source): (extra or [], renamed or [])
            for f, extra, renamed in con.execute(
                "select file_path, extra_columns, renamed_columns from raw.load_ledger"
            ).fetchall()
        }
        loaded_rows = set()
        for (dataset,) in con.execute("select distinct dataset from raw.load_ledger").fetchall():
            loaded_rows |= {
                (relative(f, source), row)
                for f, row in con.execute(
                    f"select l.file_path, r._row from raw.{dataset} r "
                    "join raw.load_ledger l on r._load_id = l.load_id"
                ).fetchall()
            }
    problems: list[Any] = []
    explained: set[tuple[str, int]] = set()
    rejected_files = {d["file"] for d in manifest["defects"] if d["kind"] in REJECTED}
    for defect in manifest["defects"]:
        kind, key = defect["kind"], (defect["file"], defect["line"])
        if kind in REJECTED:
            if ledger.get(defect["file"]) != ("rejected", REJECTED[kind]):
                problems.append((defect, ledger.get(defect["file"])))
            if kind == "schema_drift" and defect["column"] not in drift[defect["file"]][0]:
                problems.append((defect, "drift not recorded", drift[defect["file"]]))
            continue
        if defect["file"] in rejected_files:
            continue
        if kind in CLEANED and key not in loaded_rows:
            problems.append((defect, "cleaned row not loaded", quarantine.get(key)))
        elif kind in DROPPED and (key in loaded_rows or key in quarantine):
            problems.append((defect, "dropped row was kept"))
        elif kind in QUARANTINE_RULES:
            if key not in quarantine or not QUARANTINE_RULES[kind](*quarantine[key]):
                problems.append((defect, quarantine.get(key)))
            explained.add(key)
    problems += [
        ("unexplained quarantine", k, v) for k, v in quarantine.items() if k not in explained
    ]
    # no file that loads is planted with a changed header: none may record drift
    problems += [
        ("unexplained header drift", f, drift[f])
        for f, v in ledger.items()
        if v[0] != "rejected" and drift[f] != ([], [])
    ]
    problems += [
        ("unexplained rejection", f, v)
        for f, v in ledger.items()
        if v[0] == "rejected" and f not in rejected_files
    ]
    return problems


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    generate(folder / "src", scale="tiny", end="2025-06", months=3)
    warehouse = folder / "w.duckdb"
    ingest([folder / "src"], warehouse)
    return folder / "src", warehouse


def test_every_planted_defect_is_caught_with_its_reason_and_nothing_else(
    tiny: tuple[Path, Path],
) -> None:
    source, warehouse = tiny
    assert check_defects(source, warehouse) == []


def test_rows_read_are_loaded_quarantined_or_duplicate(tiny: tuple[Path, Path]) -> None:
    _, warehouse = tiny
    with duckdb.connect(str(warehouse), read_only=True) as con:
        gaps = con.execute(
            "select file_path from raw.load_ledger "
            "where rows_read <> rows_loaded + rows_quarantined + rows_duplicate"
        ).fetchall()
        manifest_rows = con.execute("select sum(rows_read) from raw.load_ledger").fetchall()
    assert gaps == []
    assert manifest_rows[0][0] > 0


def test_every_source_file_is_claimed_by_a_config(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    source, _ = tiny
    report = ingest([source], tmp_path / "again.duckdb")
    assert report.unmatched == []
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    wanted = {f["path"] for f in manifest["files"] if f["ingest"]}
    assert {relative(o.file_path, source) for o in report.outcomes} == wanted


def test_ingesting_the_same_files_again_is_a_no_op(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    source, warehouse = tiny
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse, copy)
    report = ingest([source], copy)
    assert {o.outcome for o in report.outcomes} <= {"unchanged", "rejected"}
    with (
        duckdb.connect(str(warehouse), read_only=True) as before,
        duckdb.connect(str(copy), read_only=True) as after,
    ):
        for table in ("complaints", "inspections", "rectification_cases", "quarantine"):
            sql = f"select count(*) from raw.{table}"
            assert before.execute(sql).fetchall() == after.execute(sql).fetchall()


def test_a_corrected_file_replaces_its_period(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    source, warehouse = tiny
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse, copy)
    original = source / "hotline" / "12345_工单_2025-05.csv"
    lines = original.read_text(encoding="utf-8").splitlines()
    corrected = tmp_path / "fix" / "hotline" / original.name
    corrected.parent.mkdir(parents=True)
    corrected.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")  # header + 10 rows
    [outcome] = ingest([tmp_path / "fix"], copy).outcomes
    assert outcome.outcome == "loaded"
    with duckdb.connect(str(copy), read_only=True) as con:
        ledger = con.execute(
            "select outcome, superseded_by from raw.load_ledger where source = 'hotline' "
            "and period = '2025-05' order by load_id"
        ).fetchall()
        rows = con.execute(
            "select count(*) from raw.complaints where _period = '2025-05'"
        ).fetchall()
    assert ledger == [("superseded", outcome.load_id), ("loaded", None)]
    assert rows == [(outcome.rows_loaded,)]


def test_gx_and_the_polars_checks_quarantine_the_same_rows(
    tmp_path: Path, tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, warehouse = tiny
    monkeypatch.setenv("DUBAN_VALIDATION", "gx")
    ingest([source], tmp_path / "gx.duckdb")
    sql = "select file_path, row_number, rule, column_name, value, reason from raw.quarantine"
    with (
        duckdb.connect(str(warehouse), read_only=True) as fast,
        duckdb.connect(str(tmp_path / "gx.duckdb"), read_only=True) as gx,
    ):
        assert sorted(fast.execute(sql).fetchall()) == sorted(gx.execute(sql).fetchall())


@pytest.mark.slow
def test_every_planted_defect_in_the_demo_data_is_caught(tmp_path: Path) -> None:
    generate(tmp_path / "src", scale="demo", end="2025-06")
    ingest([tmp_path / "src"], tmp_path / "w.duckdb")
    assert check_defects(tmp_path / "src", tmp_path / "w.duckdb") == []


def test_committing_in_smaller_steps_loads_the_same(
    tmp_path: Path, tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.ingest

    source, warehouse = tiny
    monkeypatch.setattr(pipelines.ingest, "COMMIT_EVERY_ROWS", 50)
    ingest([source], tmp_path / "steps.duckdb")
    sql = (
        "select (select count(*) from raw.complaints), (select count(*) from raw.inspections), "
        "(select count(*) from raw.quarantine), (select count(*) from raw.load_ledger)"
    )
    with (
        duckdb.connect(str(warehouse), read_only=True) as one,
        duckdb.connect(str(tmp_path / "steps.duckdb"), read_only=True) as steps,
    ):
        assert one.execute(sql).fetchall() == steps.execute(sql).fetchall()
