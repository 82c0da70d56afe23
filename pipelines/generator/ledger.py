"""Rectification cases (整改台账): clean case rounds and the monthly XLSX ledger snapshots."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from pipelines.generator.config import BASELINE, OTHERS, PILOT, Period
from pipelines.generator.hotline import fmt_time, take
from pipelines.generator.street import Geography
from pipelines.generator.taxonomy import DEPARTMENT_FULL_NAMES, DEPARTMENTS, Taxonomy
from pipelines.generator.workdays import WorkCalendar

HEADER = [
    "台账编号",
    "整改轮次",
    "问题来源",
    "来源编号",
    "所属社区",
    "所属网格",
    "问题地址",
    "问题类型",
    "问题描述",
    "责任单位",
    "责任单位类型",
    "发现时间",
    "通知下达时间",
    "整改期限",
    "整改报告时间",
    "验收时间",
    "评价时间",
    "满意度(%)",
    "整改状态",
    "备注",
]
SOURCES = ("部门检查", "12345工单")
UNIT_TYPES = ("物业公司", "业委会", "职能部门", "社区居委会")
DEADLINE_WD, EVAL_WD = 15, 5


@dataclass
class Cases:
    """Case rounds; times are epoch seconds (-1 when not happened by as_of), days epoch days."""

    case: np.ndarray  # case number (shared by its rounds)
    round: np.ndarray
    source: np.ndarray  # index into SOURCES
    source_row: np.ndarray  # index into Visits / Tickets
    comm: np.ndarray
    addr: np.ndarray
    ptype: np.ndarray
    dept: np.ndarray
    unit_type: np.ndarray
    found: np.ndarray
    notice: np.ndarray
    deadline: np.ndarray  # epoch day, -1 when not noticed
    report: np.ndarray
    completed: np.ndarray
    terminated: np.ndarray
    evaluated: np.ndarray
    sat: np.ndarray  # -1 when not evaluated

    def __len__(self) -> int:
        return len(self.case)

    def take(self, idx: np.ndarray) -> Cases:
        """Rows idx of every field."""
        return Cases(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})


def _regime_values(day: np.ndarray, pilot: np.ndarray, split: int, attr: str) -> np.ndarray:
    after = day >= split
    vals = [getattr(r, attr) for r in (BASELINE, PILOT, OTHERS)]
    return np.where(after, np.where(pilot, vals[1], vals[2]), vals[0])


def _one_round(
    found: np.ndarray,
    pilot: np.ndarray,
    period: Period,
    cal: WorkCalendar,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Notice, completion (or termination), report and evaluation of one round."""
    n = len(found)
    day = found // 86400

    def reg(attr: str) -> np.ndarray:
        return _regime_values(day, pilot, period.split_day, attr)

    notice = found + np.where(
        rng.random(n) < reg("notice_24h"),
        rng.integers(3600, 23 * 3600, n),
        rng.integers(25 * 3600, 120 * 3600, n),
    )
    nday = notice // 86400
    deadline = cal.add(nday, DEADLINE_WD)
    done = rng.random(n) < reg("complete")
    on_time = rng.random(n) < reg("on_time")
    wd = np.where(on_time, rng.integers(1, DEADLINE_WD + 1, n), rng.integers(16, 36, n))
    cday = cal.add(nday, wd)
    completed = np.where(done, cday * 86400 + rng.integers(9 * 3600, 18 * 3600, n), -1)
    tday = cal.add(deadline, rng.integers(10, 41, n))
    terminated = np.where(done, -1, tday * 86400 + rng.integers(9 * 3600, 18 * 3600, n))
    report = np.where(
        done, notice + ((completed - notice) * rng.uniform(0.4, 0.95, n)).astype(np.int64), -1
    )
    e_wd = np.where(
        rng.random(n) < reg("evaluated_on_time"), rng.integers(1, 6, n), rng.integers(6, 13, n)
    )
    eday = cal.add(cday, e_wd)
    evaluated = np.where(done, eday * 86400 + rng.integers(9 * 3600, 18 * 3600, n), -1)
    sat = np.where(
        rng.random(n) < reg("low_satisfaction"), rng.integers(40, 80, n), rng.integers(80, 101, n)
    )
    sat = np.where(done, sat, -1)
    return {
        "notice": notice,
        "deadline": deadline,
        "report": report,
        "completed": completed,
        "terminated": terminated,
        "evaluated": evaluated,
        "sat": sat,
    }


def _truncate(r: dict[str, np.ndarray], as_of: int) -> dict[str, np.ndarray]:
    """Forget whatever happens after as_of."""
    out = dict(r)
    for k in ("notice", "report", "completed", "terminated", "evaluated"):
        out[k] = np.where(r[k] > as_of, -1, r[k])
    out["deadline"] = np.where(out["notice"] < 0, -1, r["deadline"])
    out["sat"] = np.where(out["evaluated"] < 0, -1, r["sat"])
    return out


def simulate_cases(
    found: np.ndarray,
    comm: np.ndarray,
    addr: np.ndarray,
    ptype: np.ndarray,
    dept: np.ndarray,
    source: int,
    geo: Geography,
    period: Period,
    cal: WorkCalendar,
    rng: np.random.Generator,
) -> Cases:
    """First rounds for the found problems, plus second rounds where satisfaction was below 80%."""
    n = len(found)
    pilot = geo.comm_pilot[comm]
    r1 = _truncate(_one_round(found, pilot, period, cal, rng), period.as_of)
    second = np.flatnonzero((r1["sat"] >= 0) & (r1["sat"] < 80))
    r2 = _truncate(
        _one_round(r1["evaluated"][second], pilot[second], period, cal, rng), period.as_of
    )
    unit = np.searchsorted(np.cumsum([0.5, 0.1, 0.25, 0.15]), rng.random(n), side="right")
    no_company = np.array([c == "" for c in geo.comm_company])[comm]
    unit = np.where((unit == 0) & no_company, 3, unit)
    both = np.concatenate([np.arange(n), second])
    rounds = np.concatenate([np.ones(n, np.int64), np.full(len(second), 2)])
    return Cases(
        case=both,
        round=rounds,
        source=np.full(len(both), source),
        source_row=both.copy(),
        comm=comm[both],
        addr=addr[both],
        ptype=ptype[both],
        dept=dept[both],
        unit_type=unit[both],
        found=np.concatenate([found, r1["evaluated"][second]]),
        **{k: np.concatenate([r1[k], r2[k][: len(second)]]) for k in r1},
    )


def recurrences(
    cases: Cases, geo: Geography, period: Period, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Complaints planted when a completed problem comes back within 90 days: (time, comm, type)."""
    done = np.flatnonzero(cases.completed >= 0)
    day = cases.completed[done] // 86400
    p = _regime_values(day, geo.comm_pilot[cases.comm[done]], period.split_day, "recurrence")
    back = done[rng.random(len(done)) < p]
    t = cases.completed[back] + rng.integers(3 * 86400, 85 * 86400, len(back))
    keep = t <= period.as_of
    return t[keep], cases.comm[back][keep], cases.ptype[back][keep]


def concat_cases(parts: list[Cases]) -> Cases:
    """Join case sets, renumber the cases and sort rounds by found time."""
    offset = 0
    renum: list[Cases] = []
    for p in parts:
        q = p.take(np.arange(len(p)))
        q.case = q.case + offset
        offset += int(p.case.max()) + 1 if len(p) else 0
        renum.append(q)
    merged = Cases(
        **{f.name: np.concatenate([getattr(p, f.name) for p in renum]) for f in fields(Cases)}
    )
    first_found = np.zeros(offset, dtype=np.int64)
    r1 = merged.round == 1
    first_found[merged.case[r1]] = merged.found[r1]
    order = np.lexsort((merged.round, merged.case, first_found[merged.case]))
    out = merged.take(order)
    # renumber cases in order of first discovery
    _, first_idx = np.unique(out.case, return_index=True)
    rank = np.empty(offset, dtype=np.int64)
    rank[out.case[np.sort(first_idx)]] = np.arange(len(first_idx))
    out.case = rank[out.case]
    return out


def case_ids(cases: Cases, period: Period, width: int) -> np.ndarray:
    """ZG + YYYYMM of discovery + sequence within that month, one id per case (shared by rounds)."""
    n_cases = int(cases.case.max()) + 1 if len(cases) else 0
    first_found = np.zeros(n_cases, dtype=np.int64)
    r1 = cases.round == 1
    first_found[cases.case[r1]] = cases.found[r1]
    month = np.searchsorted(period.month_start_day, first_found // 86400, side="right") - 1
    _, first, inverse = np.unique(month, return_index=True, return_inverse=True)
    seq = np.arange(n_cases) - first[inverse] + 1
    yyyymm = np.array([m.replace("-", "") for m in period.months])[month]
    seq_s = pl.Series(seq).cast(pl.String).str.zfill(width).to_numpy().astype(str)
    return np.char.add(np.char.add("ZG", yyyymm), seq_s)[cases.case]


def unit_names(cases: Cases, geo: Geography) -> pl.Series:
    """The responsible unit's name."""
    ut = pl.Series(cases.unit_type)
    dept_names = [DEPARTMENT_FULL_NAMES[d] for d in DEPARTMENTS]
    frame = pl.DataFrame(
        {
            "ut": ut,
            "company": take(geo.comm_company, cases.comm),
            "short": take(geo.comm_short, cases.comm),
            "dept": take(dept_names, cases.dept),
            "full": take(geo.comm_name, cases.comm),
        }
    )
    ut_col = pl.col("ut")
    return frame.select(
        pl.when(ut_col == 0)
        .then("company")
        .when(ut_col == 1)
        .then(pl.concat_str("short", pl.lit("业主委员会")))
        .when(ut_col == 2)
        .then("dept")
        .otherwise(pl.concat_str("full", pl.lit("居委会")))
        .alias("unit")
    ).to_series()


def final_time(cases: Cases) -> np.ndarray:
    """When the round reached a final state (evaluated or terminated), -1 if not yet."""
    return np.where(cases.evaluated >= 0, cases.evaluated, cases.terminated)


def export_month(
    cases: Cases,
    ids: np.ndarray,
    text: CaseText,
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    m: int,
) -> pl.DataFrame:
    """Rounds found this month plus those not final at its start, as of the month's last second."""
    start = int(period.month_start_day[m]) * 86400
    stop = int(period.month_start_day[m + 1]) * 86400
    fin = final_time(cases)
    sel = np.flatnonzero(
        ((cases.found >= start) & (cases.found < stop))
        | ((cases.found < start) & ((fin < 0) | (fin >= start)))
    )
    c = cases.take(sel)
    cut = stop - 1

    def seen(t: np.ndarray) -> np.ndarray:
        return np.where((t >= 0) & (t <= cut), t, -1)

    notice, comp, term, ev = (
        seen(c.notice),
        seen(c.completed),
        seen(c.terminated),
        seen(c.evaluated),
    )
    report = seen(c.report)
    sat = np.where(ev >= 0, c.sat, -1)
    deadline = np.where(notice >= 0, c.deadline, -1)
    cut_day = cut // 86400
    status = np.select(
        [
            notice < 0,
            (ev >= 0) & (sat < 80) & (c.round == 1),
            (ev >= 0) & (sat < 80),
            ev >= 0,
            comp >= 0,
            term >= 0,
            deadline < cut_day,
        ],
        list(range(7)),
        default=7,
    )
    note = np.where(term >= 0, 1, np.where(c.round == 2, 2, 0))
    addr = text.addr.gather(sel)
    level3 = take(tax.level3, c.ptype)
    frame = pl.DataFrame(
        {
            "台账编号": text.ids.gather(sel),
            "整改轮次": pl.Series(c.round).cast(pl.String),
            "问题来源": take(SOURCES, c.source),
            "来源编号": text.source_ids.gather(sel),
            "所属社区": take(geo.comm_name, c.comm),
            "所属网格": take(geo.grid_name, geo.addr_grid[c.addr]),
            "问题地址": addr,
            "问题类型": level3,
            "问题描述": pl.select(pl.concat_str(pl.lit(addr), pl.lit(level3))).to_series(),
            "责任单位": unit_names(c, geo),
            "责任单位类型": take(UNIT_TYPES, c.unit_type),
            "发现时间": fmt_time(c.found, "%Y-%m-%d %H:%M"),
            "通知下达时间": fmt_time(notice, "%Y-%m-%d %H:%M"),
            "整改期限": fmt_time(np.where(deadline >= 0, deadline * 86400, -1), "%Y-%m-%d"),
            "整改报告时间": fmt_time(report, "%Y-%m-%d %H:%M"),
            "验收时间": fmt_time(comp, "%Y-%m-%d %H:%M"),
            "评价时间": fmt_time(ev, "%Y-%m-%d %H:%M"),
            "满意度(%)": pl.Series(sat).cast(pl.String).replace("-1", None),
            "整改状态": take(_STATUS, status),
            "备注": pl.Series([None, "逾期未整改，已移交", "二次整改"], dtype=pl.String).gather(
                note
            ),
        }
    )
    order = np.lexsort((c.round, ids[sel], c.found))
    return frame.select(HEADER)[order]


_NOTES = pl.Series([None, "逾期未整改，已移交", "二次整改"], dtype=pl.String)
_STATUS = (
    "待下发通知",
    "转二次整改",
    "评价不满意",
    "已办结",
    "待评价",
    "终止（未整改）",
    "已逾期",
    "整改中",
)


@dataclass(frozen=True)
class CaseText:
    """Per-round texts that do not change from month to month, converted to polars once."""

    ids: pl.Series
    source_ids: pl.Series
    addr: pl.Series
