"""The truth figures agree with a recomputation from the clean (messy=False) files themselves."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.generator import generate
from pipelines.generator.street import CITY, DISTRICT


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("clean")
    return out, generate(out, seed=5, end="2025-04", months=4, scale="tiny", messy=False)


def _truth(out: Path, period: str) -> dict[str, tuple[float, float]]:
    df = pl.read_csv(out / "truth/kpis_by_year.csv", infer_schema=False).filter(
        pl.col("period") == period
    )
    return {
        m: (float(n), float(d))
        for m, n, d in df.select("metric", "numerator", "denominator").iter_rows()
    }


def _tickets(out: Path, manifest: dict[str, Any]) -> pl.DataFrame:
    frames = [
        pl.read_csv(out / f["path"], infer_schema=False)
        for f in manifest["files"]
        if f["source"] == "hotline"
    ]
    return pl.concat(frames).unique("工单编号", keep="last", maintain_order=True)


def _address_key(text: str, streets: list[str]) -> str | None:
    """Resolve a caller's address to the canonical `short + N幢M单元` form."""
    text = text.removeprefix(CITY + DISTRICT)
    for street in streets:
        text = text.removeprefix(street)
    text = re.sub(r"\d+室$", "", text).replace("号楼", "幢").replace("栋", "幢")
    return text if re.search(r"\d+幢\d+单元$", text) else None


def test_repeat_complaints_recomputed_from_the_files_match_truth(
    clean: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = clean
    streets = pl.read_csv(out / "reference/streets.csv")["street_name"].to_list()
    known = set(pl.read_csv(out / "reference/addresses.csv")["address"])
    tickets = _tickets(out, manifest).sort("受理时间", "工单编号")
    seen: dict[tuple[str, str], datetime] = {}
    repeats = 0
    for addr, ptype, received in tickets.select("问题地址", "三级分类", "受理时间").iter_rows():
        key = _address_key(addr, streets)
        when = datetime.fromisoformat(received)
        if key is None:
            continue
        assert key in known, addr
        last = seen.get((key, ptype))
        if last is not None and when - last <= timedelta(hours=720):
            repeats += 1
        seen[key, ptype] = when
    num, den = _truth(out, "baseline")["repeat_complaint_rate"]
    assert den == tickets.height
    assert repeats == num


def test_response_and_satisfaction_recomputed_from_the_files_match_truth(
    clean: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = clean
    t = _tickets(out, manifest).with_columns(
        pl.col("受理时间", "首次响应时间", "办结时间").str.to_datetime("%Y-%m-%d %H:%M:%S")
    )
    fast = t.filter((pl.col("首次响应时间") - pl.col("受理时间")) <= pl.duration(hours=24))
    truth = _truth(out, "baseline")
    assert truth["response_within_24h_rate"] == (fast.height, t.height)
    rated = t.filter(pl.col("办结时间").is_not_null(), pl.col("满意度").is_not_null())
    happy = rated.filter(pl.col("满意度").is_in(["满意", "基本满意"]))
    assert truth["complaint_satisfaction_rate"] == (happy.height, rated.height)


def _read_visits(out: Path, f: dict[str, Any]) -> list[dict[str, Any]]:
    """A department file as records (column name -> value), whatever its format."""
    path = out / f["path"]
    if f["format"] == "csv":
        return pl.read_csv(
            path.read_bytes().decode(f["encoding"]).encode(), infer_schema=False
        ).to_dicts()
    if f["format"] == "jsonl":
        return pl.read_ndjson(path).to_dicts() if f["rows"] else []
    if f["format"] == "json":
        return json.loads(path.read_text("utf-8"))
    sheet = pl.read_excel(path, has_header=False, infer_schema_length=0, drop_empty_rows=False)
    header = [str(c) for c in sheet.row(3)]
    return [dict(zip(header, r, strict=True)) for r in sheet.rows()[4:-1]]


def _parse_date(value: Any) -> date:
    text = str(value)
    if re.fullmatch(r"4\d{4}", text):  # Excel serial number
        return date(1899, 12, 30) + timedelta(days=int(text))
    if text.isdigit():  # 20250305
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    y, m, d = (int(x) for x in re.findall(r"\d+", text))  # 2025-03-05, 2025/3/5, 2025年3月5日
    return date(y, m, d)


def test_duplicate_inspections_recomputed_from_the_files_match_truth(
    clean: tuple[Path, dict[str, Any]],
) -> None:
    out, manifest = clean
    communities = pl.read_csv(out / "reference/communities.csv")
    name_to_id = {}
    for cid, full, aliases in communities.select(
        "community_id", "community_name", "aliases"
    ).iter_rows():
        for name in [full, *aliases.split("|")]:
            name_to_id[name] = cid
    aliases = pl.read_csv(out / "reference/subject_aliases.csv")
    subject = {
        (d, n): s
        for d, n, s in aliases.select(
            "department", "department_subject_name", "subject_name"
        ).iter_rows()
    }
    visits = []
    for f in manifest["files"]:
        if f["source"] != "inspections":
            continue
        for rec in _read_visits(out, f):
            vid, day, comm, subj = (list(rec.values()) + [None] * 4)[:4]
            visits.append((_parse_date(day), vid, name_to_id[comm], subject[f["department"], subj]))
    visits.sort()
    last: dict[tuple[str, str], date] = {}
    dups = 0
    for day, _, comm, subj in visits:
        prev = last.get((comm, subj))
        if prev is not None and (day - prev).days <= 30:
            dups += 1
        last[comm, subj] = day
    assert _truth(out, "baseline")["duplicate_inspection_rate"] == (dups, len(visits))
