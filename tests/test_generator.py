"""The demo-data generator: formats, determinism, manifest, planted defects and truth."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import fastexcel
import numpy as np
import polars as pl
import pytest

from pipelines.generator import generate
from pipelines.generator.config import build_period, epoch_day
from pipelines.generator.inspections import FORMATS
from pipelines.generator.mess import RATES, UNKNOWN_COMMUNITIES
from pipelines.generator.truth import RATE_METRICS
from pipelines.generator.workdays import WorkCalendar

HOTLINE_HEADER = (
    "工单编号,受理时间,来电渠道,来电人,联系电话,问题地址,所属社区,一级分类,二级分类,三级分类,"
    "问题描述,承办部门,办理状态,首次响应时间,办结时间,满意度"
)
MINZHENG_HEADER = "检查编号,检查日期,社区名称,检查事项,检查结果,发现问题,检查人员,联合检查部门"
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("tiny")
    return out, generate(out, seed=7, end="2025-06", months=3, scale="tiny")


def _files(manifest: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [f for f in manifest["files"] if all(f[k] == v for k, v in match.items())]


def _defect_rows(manifest: dict[str, Any], path: str) -> set[int]:
    return {d["row"] for d in manifest["defects"] if d["file"] == path and d["row"]}


def _csv_rows(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode(encoding)
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    return rows[0], rows[1:]


def _sheet(path: Path) -> list[list[Any]]:
    """All rows of the first sheet; index i is sheet row i + 1."""
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None)
    return [list(r.values()) for r in sheet.to_polars().iter_rows(named=True)]


def test_hotline_files_are_utf8_with_the_agreed_header(tiny: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = tiny
    files = _files(manifest, source="hotline")
    assert [f["path"] for f in files] == [
        f"hotline/12345_工单_{m}.csv" for m in ("2025-04", "2025-05", "2025-06")
    ]
    for f in files:
        raw = (out / f["path"]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        header, rows = _csv_rows(out / f["path"], "utf-8")
        assert ",".join(header) == HOTLINE_HEADER
        clean = [r for i, r in enumerate(rows, 1) if i not in _defect_rows(manifest, f["path"])]
        assert clean, "a hotline export without rows"
        for r in clean:
            assert re.fullmatch(r"GD\d{12}", r[0])
            assert TIME.match(r[1])
            assert r[12] in ("已办结", "处理中", "已受理")
            assert r[15] in ("满意", "基本满意", "不满意", "")
            for cell in (r[13], r[14]):
                assert cell == "" or TIME.match(cell)
            if r[14]:
                assert r[14] >= r[1] and r[12] == "已办结"


def test_open_tickets_reappear_in_the_next_export(tiny: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = tiny
    _, april = _csv_rows(out / "hotline/12345_工单_2025-04.csv", "utf-8")
    _, may = _csv_rows(out / "hotline/12345_工单_2025-05.csv", "utf-8")
    still_open = {r[0] for r in april if r[12] != "已办结" and r[1].startswith("2025-04")}
    carried = {r[0] for r in may if r[1].startswith("2025-04")}
    blanked = [
        d
        for d in manifest["defects"]
        if d["file"].endswith("2025-05.csv") and d["column"] in ("工单编号", "受理时间")
    ]
    assert still_open and len(still_open - carried) <= len(blanked)


def test_minzheng_csv_has_bom_header_and_vocabulary(tiny: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = tiny
    for f in _files(manifest, department="民政"):
        assert f["encoding"] == "utf-8-sig"
        assert (out / f["path"]).read_bytes().startswith(b"\xef\xbb\xbf")
        header, rows = _csv_rows(out / f["path"], "utf-8-sig")
        assert ",".join(header) == MINZHENG_HEADER
        bad = _defect_rows(manifest, f["path"])
        for i, r in enumerate(rows, 1):
            if i in bad:
                continue
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[1])
            assert r[4] in ("合格", "不合格")
            assert (r[5] != "") == (r[4] == "不合格")


DATE_STYLES = {
    "iso": r"\d{4}-\d{2}-\d{2}",
    "slash": r"\d{4}/\d{1,2}/\d{1,2}",
    "cn": r"\d{4}年\d{1,2}月\d{1,2}日",
    "compact": r"\d{8}",
    "excel": r"4\d{4}",
}


def _read_department(out: Path, f: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    path = out / f["path"]
    if f["format"] == "csv":
        return _csv_rows(path, f["encoding"])
    if f["format"] == "jsonl":
        objs = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        return list(objs[0]) if objs else [], [list(o.values()) for o in objs]
    if f["format"] == "json":
        objs = json.loads(path.read_text("utf-8"))
        return list(objs[0]) if objs else [], [list(o.values()) for o in objs]
    sheet = _sheet(path)
    assert sheet[0][0].endswith("月）"), "XLSX title block missing"
    assert sheet[1][0].startswith("填报单位")
    assert sheet[-1][0] == "合计" and sheet[-1][1] == f"共{f['rows']}条"
    return [str(c) for c in sheet[3]], sheet[4:-1]


def test_every_department_file_decodes_in_its_declared_format(
    tiny: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = tiny
    files = _files(manifest, source="inspections")
    assert {f["department"] for f in files} == set(FORMATS)
    formats = {f["format"] for f in files}
    assert formats == {"csv", "xlsx", "jsonl", "json"}
    assert {f["encoding"] for f in files} >= {"utf-8", "utf-8-sig", "gbk", "gb18030"}
    for f in files:
        fmt = FORMATS[f["department"]]
        kinds = {d["kind"] for d in manifest["defects"] if d["file"] == f["path"]}
        if "corrupt_file" in kinds:
            with pytest.raises(Exception):  # noqa: B017 - any reader error will do
                _read_department(out, f)
            continue
        header, rows = _read_department(out, f)
        assert len(rows) == f["rows"]
        if f["rows"]:
            assert header[0] == fmt.columns[0]
        bad = _defect_rows(manifest, f["path"])
        for i, r in enumerate(rows, 1):
            if i in bad:
                continue
            assert re.fullmatch(DATE_STYLES[fmt.date_style], str(r[1]).removesuffix(".0"))
            assert r[4] in fmt.result_words


def test_schema_drift_and_corrupt_file_are_where_the_manifest_says(
    tiny: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = tiny
    drift = [d for d in manifest["defects"] if d["kind"] == "schema_drift"]
    assert drift and all("城管" in d["file"] for d in drift)
    for d in drift:
        header = (out / d["file"]).read_text("utf-8").splitlines()[0].split(",")
        assert d["column"] in header and "问题描述" not in header
    corrupt = [d for d in manifest["defects"] if d["kind"] == "corrupt_file"]
    assert len(corrupt) == 1
    assert "民政" not in corrupt[0]["file"] and "hotline" not in corrupt[0]["file"]
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(out / corrupt[0]["file"]).testzip()


def _sha(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=3, end="2025-02", months=2, scale="tiny")
    b = generate(tmp_path / "b", seed=3, end="2025-02", months=2, scale="tiny")
    assert a == b
    assert _sha(tmp_path / "a") == _sha(tmp_path / "b")
    c = generate(tmp_path / "c", seed=4, end="2025-02", months=2, scale="tiny")
    assert _sha(tmp_path / "c") != _sha(tmp_path / "a")
    assert c["files"][0]["path"] == a["files"][0]["path"]


def _count_rows(path: Path, f: dict[str, Any]) -> int:
    if f["format"] == "xlsx":
        return len(_sheet(path)) - 5
    if f["format"] == "geojson":
        return len(json.loads(path.read_text("utf-8"))["features"])
    if f["format"] == "json":
        return len(json.loads(path.read_text("utf-8")))
    lines = [line for line in path.read_bytes().decode(f["encoding"]).splitlines() if line]
    return len(lines) - (1 if f["format"] == "csv" else 0)


def test_manifest_lists_exactly_the_files_on_disk_with_their_rows(
    tiny: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = tiny
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} == {f["path"] for f in manifest["files"]}
    assert json.loads((out / "manifest.json").read_text("utf-8")) == manifest
    corrupt = {d["file"] for d in manifest["defects"] if d["kind"] == "corrupt_file"}
    for f in manifest["files"]:
        if f["path"] in corrupt:
            continue
        assert _count_rows(out / f["path"], f) == f["rows"], f["path"]


def _cell_at(out: Path, f: dict[str, Any], line: int, column: str) -> Any:
    path = out / f["path"]
    if f["format"] == "xlsx":
        sheet = _sheet(path)
        return sheet[line - 1][[str(c) for c in sheet[3]].index(column)]
    lines = path.read_bytes().decode(f["encoding"]).splitlines()
    if f["format"] == "csv":
        header = next(csv.reader([lines[0]]))
        return next(csv.reader([lines[line - 1]]))[header.index(column)]
    return json.loads(lines[line - 1].rstrip(","))[column]


def _row_at_line(out: Path, f: dict[str, Any], line: int) -> str:
    lines = (out / f["path"]).read_bytes().decode(f["encoding"]).splitlines()
    return lines[line - 1]


def test_every_planted_defect_is_in_its_file_at_its_row(tiny: tuple[Path, dict[str, Any]]) -> None:
    out, manifest = tiny
    files = {f["path"]: f for f in manifest["files"]}
    kinds = {d["kind"] for d in manifest["defects"]}
    assert kinds >= set(RATES) | {"schema_drift", "corrupt_file"}
    assert manifest["defects"] == json.loads((out / "truth/defects.json").read_text("utf-8"))
    for d in manifest["defects"]:
        f = files[d["file"]]
        kind, line = d["kind"], d["line"]
        if kind in ("schema_drift", "corrupt_file"):
            continue
        if f["format"] != "xlsx":
            text = _row_at_line(out, f, line)
            if kind == "blank_line":
                assert text == ""
                continue
            # the line is the row-th non-blank data line
            lines = (out / f["path"]).read_bytes().decode(f["encoding"]).splitlines()
            data = [i + 1 for i, t in enumerate(lines) if t and t not in ("[", "]")]
            data = data[1:] if f["format"] == "csv" else data
            assert data[d["row"] - 1] == line
        if kind == "duplicate_row":
            if f["format"] == "xlsx":
                sheet = _sheet(out / f["path"])
                assert sheet[line - 1] == sheet[line - 2]
            else:
                assert _row_at_line(out, f, line).rstrip(",") == _row_at_line(
                    out, f, line - 1
                ).rstrip(",")
            continue
        cell = _cell_at(out, f, line, d["column"])
        if kind == "stray_space":
            assert cell != cell.strip()
        elif kind == "full_width_digits":
            assert re.search("[０-９]", cell)
        elif kind == "unknown_community":
            assert cell in UNKNOWN_COMMUNITIES
        elif kind == "missing_required":
            assert cell in ("", None)
        elif kind in ("impossible_time", "out_of_range"):
            assert cell == d["value"]
            if kind == "impossible_time":
                start = "受理时间" if "hotline" in f["path"] else "通知下达时间"
                assert cell < _cell_at(out, f, line, start)


def test_truth_figures_are_consistent(tiny: tuple[Path, dict[str, Any]]) -> None:
    out, _ = tiny
    by_year = pl.read_csv(out / "truth/kpis_by_year.csv", infer_schema=False).with_columns(
        pl.col("numerator", "denominator").cast(pl.Float64), pl.col("value").cast(pl.Float64)
    )
    by_comm = pl.read_csv(
        out / "truth/kpis_by_community_year.csv", infer_schema=False
    ).with_columns(pl.col("numerator", "denominator").cast(pl.Float64))
    assert set(by_year["period"]) == {"2025", "baseline"}
    rates = by_year.filter(pl.col("metric").is_in(RATE_METRICS))
    assert (rates["numerator"] <= rates["denominator"]).all()
    assert rates.filter(pl.col("value").is_not_null())["value"].is_between(0, 1).all()
    assert rates.filter(pl.col("metric") == "repeat_complaint_rate")["denominator"][0] > 100
    summed = (
        by_comm.filter(pl.col("metric").is_in(RATE_METRICS))
        .group_by("period", "metric")
        .agg(pl.col("numerator").sum().alias("n"), pl.col("denominator").sum().alias("d"))
    )
    joined = rates.join(summed, on=["period", "metric"])
    assert joined.height == rates.height
    assert (joined["numerator"] == joined["n"]).all() and (
        joined["denominator"] == joined["d"]
    ).all()


def test_truth_counts_match_the_clean_files(tmp_path: Path) -> None:
    manifest = generate(tmp_path, seed=11, end="2025-03", months=2, scale="tiny", messy=False)
    assert manifest["defects"] == []
    tickets: set[str] = set()
    for f in _files(manifest, source="hotline"):
        tickets |= {r[0] for r in _csv_rows(tmp_path / f["path"], "utf-8")[1]}
    visits = sum(f["rows"] for f in _files(manifest, source="inspections"))
    truth = pl.read_csv(tmp_path / "truth/kpis_by_year.csv", infer_schema=False).filter(
        pl.col("period") == "baseline"
    )
    den = dict(zip(truth["metric"], truth["denominator"].cast(pl.Float64), strict=True))
    assert den["repeat_complaint_rate"] == len(tickets)
    assert den["duplicate_inspection_rate"] == visits


def test_grids_tile_each_street_without_overlap(tiny: tuple[Path, dict[str, Any]]) -> None:
    out, _ = tiny
    features = json.loads((out / "reference/grids.geojson").read_text("utf-8"))["features"]
    rings = [np.array(f["geometry"]["coordinates"][0]) for f in features]
    boxes = np.array([[*r.min(axis=0), *r.max(axis=0)] for r in rings])
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    hull = (boxes[:, 2].max() - boxes[:, 0].min()) * (boxes[:, 3].max() - boxes[:, 1].min())
    assert area.sum() == pytest.approx(hull, rel=1e-6)
    for i in range(len(boxes)):
        w = np.minimum(boxes[i, 2], boxes[:, 2]) - np.maximum(boxes[i, 0], boxes[:, 0])
        h = np.minimum(boxes[i, 3], boxes[:, 3]) - np.maximum(boxes[i, 1], boxes[:, 1])
        overlap = np.clip(w, 0, None) * np.clip(h, 0, None)
        overlap[i] = 0
        assert overlap.max() < 1e-12
    communities = pl.read_csv(out / "reference/communities.csv")
    assert communities.height == 3
    assert communities["grid_count"].is_between(6, 10).all()
    grids = pl.read_csv(out / "reference/grids.csv")
    assert grids.height == len(features)
    assert grids.group_by("community_id").len()["len"].is_between(6, 10).all()


def test_indicator_catalogue_has_8_categories_and_42_indicators(
    tiny: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = tiny
    ind = pl.read_csv(out / "reference/indicators.csv")
    assert ind.height == 42 and ind["category"].n_unique() == 8
    plan = dict(zip(ind["indicator_name"], ind["threshold"], strict=True))
    assert plan["垃圾清运及时率"] == 98 and plan["消防通道畅通率"] == 100
    assert plan["服务响应时间"] == 24 and plan["养老护理员持证率"] == 80


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": "huge"}, "unknown scale"),
        ({"end": "2025-13"}, "YYYY-MM"),
        ({"end": "March"}, "YYYY-MM"),
        ({"months": 0}, "months"),
    ],
)
def test_bad_arguments_raise_a_clear_value_error(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, **kwargs)


def test_default_end_is_the_last_full_month() -> None:
    period = build_period(None, 24, today=dt.date(2026, 1, 15))
    assert period.months[-1] == "2025-12" and period.months[0] == "2024-01"


def test_working_days_follow_the_chinese_calendar() -> None:
    cal = WorkCalendar(epoch_day(dt.date(2025, 1, 1)), epoch_day(dt.date(2026, 12, 31)))

    def d(s: str) -> int:
        return epoch_day(dt.date.fromisoformat(s))

    # 2025-09-30 (Tue) -> National Day holiday 10-01..10-08; 09-28 (Sun) is a make-up working day
    assert cal.add(np.array([d("2025-09-30")]), 1)[0] == d("2025-10-09")
    assert cal.add(np.array([d("2025-09-27")]), 1)[0] == d("2025-09-28")
    assert cal.elapsed(np.array([d("2025-09-30")]), np.array([d("2025-10-09")]))[0] == 1
    assert cal.elapsed(np.array([d("2025-03-03")]), np.array([d("2025-03-03")]))[0] == 0
