"""The `generate` entry point: builds the clean world, writes every source month by month."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from pipelines.generator import hotline, inspections, ledger, participation, truth
from pipelines.generator.config import EPOCH, Period, Scale, build_period, get_scale
from pipelines.generator.inspections import DRIFT_DEPT, DRIFT_NEW, FORMATS, Visits
from pipelines.generator.manifest import ManifestBuilder
from pipelines.generator.mess import RATES, MessSpec, Planted, plant
from pipelines.generator.reference import write_reference
from pipelines.generator.street import DISTRICT, Geography, build_geography
from pipelines.generator.taxonomy import (
    DEPARTMENT_FULL_NAMES,
    DEPARTMENTS,
    Taxonomy,
    build_taxonomy,
)
from pipelines.generator.workdays import WorkCalendar
from pipelines.generator.writers import (
    BackgroundWriter,
    write_csv,
    write_json,
    write_json_array,
    write_jsonl,
    write_xlsx,
)

CORRUPT_DEPT = "住建"
OUTPUT_DIRS = (
    "hotline",
    "inspections",
    "ledger",
    "supervisors",
    "evaluations",
    "reference",
    "truth",
)


def generate(
    out: Path,
    *,
    seed: int = 20240601,
    end: str | None = None,
    months: int = 24,
    scale: str = "demo",
    messy: bool = True,
) -> dict[str, Any]:
    """Write the sources, reference data, truth and manifest under `out`; return the manifest."""
    sc = get_scale(scale)
    period = build_period(end, months)
    out = Path(out)
    for sub in OUTPUT_DIRS:  # a rerun replaces what an earlier run wrote
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)

    def rng(stage: int) -> np.random.Generator:
        return np.random.default_rng([seed, stage])

    geo = build_geography(sc, rng(1))
    tax = build_taxonomy()
    cal = WorkCalendar(period.first_day - 60, period.end_day + 500)
    visits, tickets, cases = _clean_records(geo, tax, period, cal, sc, rng)
    mb = ManifestBuilder()
    for path, rows in write_reference(out, geo, tax):
        fmt = "geojson" if path.endswith(".geojson") else "csv"
        mb.add_file(
            path, source="reference", dataset=Path(path).stem, fmt=fmt, encoding="utf-8", rows=rows
        )
    mess_rng = rng(9)
    created = dt.datetime.combine(EPOCH + dt.timedelta(days=period.end_day), dt.time(9, 0))
    with BackgroundWriter() as bg:
        _write_hotline(out, tickets, geo, tax, period, mb, messy, mess_rng, bg)
        _write_inspections(out, visits, geo, tax, period, mb, messy, mess_rng, created, rng(10), bg)
        _write_ledger(
            out,
            cases,
            visits,
            tickets,
            geo,
            tax,
            period,
            sc.id_width,
            mb,
            messy,
            mess_rng,
            created,
            bg,
        )
        _write_participation(out, geo, tax, period, mb, messy, mess_rng, rng(11), bg)
    defects = mb.sorted_defects()
    _write_truth(out, tickets, visits, cases, geo, tax, period, defects, mb)
    counts: dict[str, int] = {}
    for d in defects:
        counts[d["kind"]] = counts.get(d["kind"], 0) + 1
    manifest: dict[str, Any] = {
        "generator": {
            "seed": seed,
            "end": period.months[-1],
            "months": len(period.months),
            "month_list": period.months,
            "baseline_months": period.baseline_months,
            "scale": scale,
            "messy": messy,
            "as_of": _iso(period.as_of),
            "calendar_fallback_years": sorted(cal.fallback_years),
        },
        "files": sorted(mb.files, key=lambda f: f["path"]),
        "defects": defects,
        "defect_rates": RATES if messy else {},
        "defect_counts": counts,
    }
    write_json(out / "manifest.json", manifest)
    return manifest


def record_counts(
    *, seed: int = 20240601, end: str | None = None, months: int = 24, scale: str = "demo"
) -> dict[str, int]:
    """How many clean records `generate` with these arguments writes (before planted
    duplicates): tickets, inspection visits, cases and case rounds, communities and grids.
    Builds the records again without writing anything (for benchmarks and reports)."""
    sc = get_scale(scale)
    period = build_period(end, months)

    def rng(stage: int) -> np.random.Generator:
        return np.random.default_rng([seed, stage])

    geo = build_geography(sc, rng(1))
    cal = WorkCalendar(period.first_day - 60, period.end_day + 500)
    visits, tickets, cases = _clean_records(geo, build_taxonomy(), period, cal, sc, rng)
    rounds = len(cases)
    return {
        "streets": len(geo.street_names),
        "communities": geo.n_comm,
        "grids": len(geo.grid_comm),
        "tickets": len(tickets.received),
        "inspections": len(visits),
        "cases": rounds - int((cases.round > 1).sum()),
        "case_rounds": rounds,
    }


def _clean_records(
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    cal: WorkCalendar,
    sc: Scale,
    rng: Callable[[int], np.random.Generator],
) -> tuple[Visits, hotline.Tickets, ledger.Cases]:
    """Visits, then the cases they open (and the problems that come back as complaints), then
    the tickets, then the cases the tickets open."""
    visits = inspections.generate_visits(geo, tax, period, cal, sc, rng(2))
    failed = np.flatnonzero(visits.failed)
    case_addr = hotline.random_address(geo, visits.comm[failed], rng(3))
    inspections.visit_places(geo, visits, failed, case_addr, rng(12))
    v_cases = ledger.simulate_cases(
        visits.day[failed] * 86400 + visits.second[failed],
        visits.comm[failed],
        case_addr,
        visits.ptype[failed],
        visits.dept[failed],
        0,
        geo,
        period,
        cal,
        rng(4),
    )
    v_cases.source_row = failed[v_cases.source_row]
    planted = ledger.recurrences(v_cases, geo, period, rng(5))
    tickets = hotline.generate_tickets(geo, tax, period, cal, sc, rng(6), planted)
    rect = np.flatnonzero(tickets.rectify)
    t_addr = np.where(
        tickets.addr[rect] >= 0,
        tickets.addr[rect],
        hotline.random_address(geo, tickets.comm[rect], rng(7)),
    )
    t_cases = ledger.simulate_cases(
        tickets.received[rect],
        tickets.comm[rect],
        t_addr,
        tickets.ptype[rect],
        tax.type_dept[tickets.ptype[rect]],
        1,
        geo,
        period,
        cal,
        rng(8),
    )
    t_cases.source_row = rect[t_cases.source_row]
    return visits, tickets, ledger.concat_cases([v_cases, t_cases])


def _iso(t: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=t)).isoformat(sep=" ")


def _emit(
    out: Path,
    rel: str,
    frame: pl.DataFrame,
    spec: MessSpec | None,
    fmt: str,
    encoding: str,
    mb: ManifestBuilder,
    messy: bool,
    rng: np.random.Generator,
    bg: BackgroundWriter,
    *,
    source: str,
    dataset: str,
    period: str,
    department: str | None = None,
    xlsx_title: tuple[str, str, dt.datetime] | None = None,
    numeric_cols: tuple[str, ...] = (),
) -> Planted:
    """Plant defects (when messy), write the file, record it and its defects."""
    planted = plant(frame, spec, rng) if (messy and spec is not None) else Planted(frame)
    if fmt != "csv" and fmt != "jsonl":
        planted.blank_before = []
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    f = planted.frame
    if fmt == "csv":
        bg.submit(write_csv, path, f, encoding, planted.blank_before)
    elif fmt == "jsonl":
        bg.submit(write_jsonl, path, f, planted.blank_before)
    elif fmt == "json":
        bg.submit(write_json_array, path, f)
    else:
        assert xlsx_title is not None
        bg.submit(write_xlsx, path, f, *xlsx_title, numeric_cols=numeric_cols)
    mb.add_file(
        rel,
        source=source,
        dataset=dataset,
        fmt=fmt,
        encoding=encoding,
        rows=f.height,
        period=period,
        department=department,
    )
    mb.add_defects(rel, fmt, planted.defects, planted.blank_before)
    return planted


HOTLINE_SPEC = MessSpec(
    text_cols=("问题地址", "来电人", "问题描述", "所属社区"),
    digit_cols=("问题地址", "联系电话"),
    community_col="所属社区",
    required_cols=("工单编号", "受理时间", "问题地址", "三级分类"),
    time_pair=("受理时间", "办结时间", "%Y-%m-%d %H:%M:%S"),
    out_of_range=("受理时间", "hour"),
    minimum=1,
)


def _write_hotline(
    out: Path,
    tk: hotline.Tickets,
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    mb: ManifestBuilder,
    messy: bool,
    rng: np.random.Generator,
    bg: BackgroundWriter,
) -> None:
    for m, label in enumerate(period.months):
        _emit(  # the frame is passed, not kept: only the planted copy lives on, in the writer
            out,
            f"hotline/12345_工单_{label}.csv",
            hotline.export_month(tk, geo, tax, period, m),
            HOTLINE_SPEC,
            "csv",
            "utf-8",
            mb,
            messy,
            rng,
            bg,
            source="hotline",
            dataset="hotline_tickets",
            period=label,
        )


def _dept_spec(dept: str, columns: list[str]) -> MessSpec:
    # the place column is left clean: planting draws from the shared stream as before
    place = FORMATS[dept].address_col
    f = dict(zip(inspections.FIELDS, [c for c in columns if c != place], strict=True))
    return MessSpec(
        text_cols=(f["community"], f["subject"]),
        digit_cols=(f["date"],),
        community_col=f["community"],
        required_cols=(f["id"], f["date"], f["community"]),
        minimum=0,
    )


def _write_inspections(
    out: Path,
    vis: Visits,
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    mb: ManifestBuilder,
    messy: bool,
    rng: np.random.Generator,
    created: dt.datetime,
    frame_rng: np.random.Generator,
    bg: BackgroundWriter,
) -> None:
    corrupt_month = len(period.months) // 3
    drift_from = inspections.drift_month(period)
    for m, label in enumerate(period.months):
        y, mm = label.split("-")
        for dept in DEPARTMENTS:
            fmt = FORMATS[dept]
            frame = inspections.dept_month_frame(
                vis, geo, tax, period, dept, m, frame_rng, drift=messy
            )
            rel = f"inspections/{dept}/{fmt.file_stem}_{label}.{fmt.fmt}"
            title = (
                f"{DISTRICT}{DEPARTMENT_FULL_NAMES[dept][1:]}{fmt.file_stem.split('_')[1]}表"
                f"（{y}年{int(mm)}月）",
                f"填报单位：{DISTRICT}{DEPARTMENT_FULL_NAMES[dept][1:]}    统计周期：{label}",
                created,
            )
            _emit(
                out,
                rel,
                frame,
                _dept_spec(dept, list(frame.columns)),
                fmt.fmt,
                fmt.encoding,
                mb,
                messy,
                rng,
                bg,
                source="inspections",
                dataset=f"inspections_{dept}",
                period=label,
                department=dept,
                xlsx_title=title,
                numeric_cols=(frame.columns[1],) if fmt.date_style == "excel" else (),
            )
            if messy and dept == DRIFT_DEPT and m >= drift_from:
                header = 1 if fmt.fmt == "csv" else None
                mb.add_file_defect(rel, "schema_drift", DRIFT_NEW, header)
            if messy and dept == CORRUPT_DEPT and m == corrupt_month:
                bg.flush()  # the file must be on disk before it is cut short
                path = out / rel
                data = path.read_bytes()
                path.write_bytes(data[: len(data) * 11 // 20])
                # row-level defects inside an unreadable file cannot be found: drop them
                mb.defects = [d for d in mb.defects if d["file"] != rel]
                mb.add_file_defect(rel, "corrupt_file", None, None)


LEDGER_SPEC = MessSpec(
    text_cols=("问题地址", "责任单位", "所属社区"),
    digit_cols=("问题地址", "整改期限"),
    community_col="所属社区",
    required_cols=("台账编号", "所属社区", "通知下达时间"),
    time_pair=("通知下达时间", "验收时间", "%Y-%m-%d %H:%M"),
    out_of_range=("满意度(%)", "percent"),
    blank_lines=False,
    minimum=1,
)


def _write_ledger(
    out: Path,
    cases: ledger.Cases,
    vis: Visits,
    tk: hotline.Tickets,
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    width: int,
    mb: ManifestBuilder,
    messy: bool,
    rng: np.random.Generator,
    created: dt.datetime,
    bg: BackgroundWriter,
) -> None:
    ids = ledger.case_ids(cases, period, width)
    is_visit = cases.source == 0
    source_ids = np.empty(len(cases), dtype=object)
    source_ids[is_visit] = vis.ids[cases.source_row[is_visit]]
    source_ids[~is_visit] = hotline.ticket_ids(tk, cases.source_row[~is_visit]).to_numpy()
    text = ledger.CaseText(
        ids=pl.Series(ids, dtype=pl.String),
        source_ids=pl.Series(source_ids.astype(str), dtype=pl.String),
        addr=pl.Series(geo.canonical_address(cases.addr), dtype=pl.String),
    )
    scope = DISTRICT if len(geo.street_names) > 1 else geo.street_names[0]
    for m, label in enumerate(period.months):
        y, mm = label.split("-")
        title = (
            f"{scope}社区问题整改台账（{y}年{int(mm)}月）",
            f"填报单位：{scope}检查督促办公室    统计截止：{label}月末",
            created,
        )
        _emit(
            out,
            f"ledger/整改台账_{label}.xlsx",
            ledger.export_month(cases, ids, text, geo, tax, period, m),
            LEDGER_SPEC,
            "xlsx",
            "xlsx",
            mb,
            messy,
            rng,
            bg,
            source="ledger",
            dataset="rectification_ledger",
            period=label,
            xlsx_title=title,
        )


SUPERVISOR_SPEC = MessSpec(
    text_cols=("社区", "问题描述"),
    digit_cols=("抽查时间",),
    community_col="社区",
    required_cols=("抽查编号", "社区"),
)
EVALUATION_SPEC = MessSpec(
    text_cols=("意见建议", "社区"),
    digit_cols=("评议日期",),
    community_col="社区",
    required_cols=("社区", "满意度评分"),
    out_of_range=("满意度评分", "score"),
)


def _write_participation(
    out: Path,
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    mb: ManifestBuilder,
    messy: bool,
    rng: np.random.Generator,
    gen_rng: np.random.Generator,
    bg: BackgroundWriter,
) -> None:
    for m, label in enumerate(period.months):
        sup = participation.supervisors_month(geo, tax, period, m, gen_rng)
        _emit(
            out,
            f"supervisors/监督员抽查_{label}.csv",
            sup,
            SUPERVISOR_SPEC,
            "csv",
            "utf-8",
            mb,
            messy,
            rng,
            bg,
            source="supervisors",
            dataset="supervisor_inspections",
            period=label,
        )
        ev = participation.evaluations_month(geo, period, m, gen_rng)
        _emit(
            out,
            f"evaluations/居民评议_{label}.csv",
            ev,
            EVALUATION_SPEC,
            "csv",
            "utf-8-sig",
            mb,
            messy,
            rng,
            bg,
            source="evaluations",
            dataset="resident_evaluations",
            period=label,
        )


def _write_truth(
    out: Path,
    tk: hotline.Tickets,
    vis: Visits,
    cases: ledger.Cases,
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    defects: list[dict[str, Any]],
    mb: ManifestBuilder,
) -> None:
    rec = truth.Records(
        t_received=tk.received,
        t_response=tk.response,
        t_closed=tk.closed,
        t_comm=tk.comm,
        # an address too vague to resolve ("{小区}门口") keys on its text: community + place word
        t_addr=np.where(tk.addr >= 0, tk.addr, len(geo.addr_building) + tk.comm * 4 + tk.phone % 4),
        t_type=tk.ptype,
        t_sat=tk.sat,
        t_env=tax.is_env[tk.ptype],
        v_day=vis.day,
        v_second=np.zeros_like(vis.second),  # the files give visits' dates only
        v_comm=vis.comm,
        v_subject=vis.subject,
        v_type=vis.ptype,
        c_round=cases.round,
        c_comm=cases.comm,
        c_type=cases.ptype,
        c_found=cases.found,
        c_notice=cases.notice,
        c_completed=cases.completed,
        c_evaluated=cases.evaluated,
        c_sat=cases.sat,
        as_of=period.as_of,
    )
    first, last = period.first_day, period.end_day - 1
    y0 = (EPOCH + dt.timedelta(days=first)).year
    y1 = (EPOCH + dt.timedelta(days=last)).year
    periods: list[tuple[str, int, int]] = []
    for y in range(y0, y1 + 1):
        lo = (dt.date(y, 1, 1) - EPOCH).days
        hi = (dt.date(y, 12, 31) - EPOCH).days
        periods.append((str(y), lo, hi))
    periods.append(("baseline", first, period.split_day - 1))
    if period.split_day < period.end_day:
        periods.append(("comparison", period.split_day, last))
    year_rows, comm_rows = truth.truth_tables(
        rec,
        tax.n_types,
        periods,
        (first, period.split_day - 1),
        [geo.comm_id(i) for i in range(geo.n_comm)],
        geo.comm_name,
        geo.comm_pilot,
    )
    tdir = out / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    cols = ["period", "period_start", "period_end", "metric", "numerator", "denominator", "value"]
    ccols = [*cols[:3], "community_id", "community_name", "is_pilot", *cols[3:]]
    pl.DataFrame(year_rows).select(cols).write_csv(tdir / "kpis_by_year.csv", line_terminator="\n")
    pl.DataFrame(comm_rows).select(ccols).write_csv(
        tdir / "kpis_by_community_year.csv", line_terminator="\n"
    )
    write_json(tdir / "defects.json", defects)
    for name, rows in (
        ("kpis_by_year.csv", len(year_rows)),
        ("kpis_by_community_year.csv", len(comm_rows)),
        ("defects.json", len(defects)),
    ):
        fmt = "json" if name.endswith("json") else "csv"
        mb.add_file(
            f"truth/{name}",
            source="truth",
            dataset=name.split(".")[0],
            fmt=fmt,
            encoding="utf-8",
            rows=rows,
            ingest=False,
        )
