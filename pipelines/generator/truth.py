"""Expected headline figures (METRICS.md), computed independently from the clean records.

Files written under `truth/` (never ingested):
- `kpis_by_year.csv` and `kpis_by_community_year.csv`, long format, one row per
  (period, [community,] metric) with columns: period (a calendar year "2025", "baseline" = the first
  12 months, "comparison" = the months after), period_start, period_end (dates, inclusive),
  [community_id, community_name, is_pilot,] metric, numerator, denominator, value (= numerator /
  denominator, empty when the denominator is 0).
  Rates: numerator and denominator are counts. avg_handling_working_days: numerator = sum of working
  days, denominator = closed complaints. median_handling_working_days: numerator = the median,
  denominator = closed complaints, value = the median. duplicate_inspection_reduction: numerator =
  baseline rate - period rate, denominator = baseline rate (same scope), value = 1 - rate/baseline.
- `defects.json`: every planted defect (same records as the manifest's `defects`).
Conventions: as_of = the last second of the last generated month; the location key is the canonical
address id, and an address too vague to resolve ("{小区}门口") keys on its text (community + place
word), as the warehouse's normalised-text key does; a failed visit counts from the start of its day
(the departments' files give dates only); case rounds count
as cases (a second rectification is a round-2 record found at the round-1 evaluation time);
supervisors' random inspections are not visits; the places inspections record (README) enter no
figure here. Two calibration figures are added beside the
METRICS.md ones: environment_complaint_share (社区环境 complaints / complaints received) and
environment_repeat_rate (repeat 社区环境 complaints / 社区环境 complaints received).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar
import numpy as np

RATE_METRICS = (
    "repeat_complaint_rate",
    "response_within_24h_rate",
    "complaint_satisfaction_rate",
    "duplicate_inspection_rate",
    "environment_complaint_share",
    "environment_repeat_rate",
    "feedback_within_24h_rate",
    "rectified_on_time_rate",
    "rectification_completion_rate",
    "evaluated_on_time_rate",
    "rectification_satisfaction_rate",
    "second_rectification_rate",
    "recurrence_3m_rate",
)
DAY = 86400


@dataclass
class Records:
    """The clean records truth needs (times in epoch seconds, -1 absent; already sorted by id)."""

    t_received: np.ndarray
    t_response: np.ndarray
    t_closed: np.ndarray
    t_comm: np.ndarray
    t_addr: np.ndarray
    t_type: np.ndarray
    t_sat: np.ndarray  # 0 满意, 1 基本满意, 2 不满意, -1 unrated
    t_env: np.ndarray  # community-environment complaint (calibration figures only)
    v_day: np.ndarray
    v_second: np.ndarray
    v_comm: np.ndarray
    v_subject: np.ndarray
    v_type: np.ndarray  # problem type of a failed visit, -1 passed
    c_round: np.ndarray
    c_comm: np.ndarray
    c_type: np.ndarray
    c_found: np.ndarray
    c_notice: np.ndarray
    c_completed: np.ndarray
    c_evaluated: np.ndarray
    c_sat: np.ndarray
    as_of: int


class _Workdays:
    """Working days straight from chinese_calendar (Mon-Fri where it has no data)."""

    def __init__(self, lo: int, hi: int) -> None:
        epoch = dt.date(1970, 1, 1)
        self.lo = lo
        flags = []
        for d in range(lo, hi + 1):
            date = epoch + dt.timedelta(days=d)
            try:
                flags.append(chinese_calendar.is_workday(date))
            except NotImplementedError:
                flags.append(date.weekday() < 5)
        self.count = np.concatenate([[0], np.cumsum(flags)])  # count[i] = workdays in [lo, lo+i)
        self.days = np.arange(lo, hi + 1)[np.array(flags, dtype=bool)]

    def between(self, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
        """Working days d with d1 < d <= d2."""
        return self.count[d2 - self.lo + 1] - self.count[d1 - self.lo + 1]

    def nth_after(self, d: np.ndarray, n: int) -> np.ndarray:
        """The n-th working day strictly after d."""
        return self.days[np.searchsorted(self.days, d, side="right") + n - 1]


def _repeat_flags(received: np.ndarray, addr: np.ndarray, ptype: np.ndarray) -> np.ndarray:
    order = np.lexsort((np.arange(len(received)), received, ptype, addr))
    a, p, t = addr[order], ptype[order], received[order]
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (a[1:] == a[:-1]) & (p[1:] == p[:-1]) & (a[1:] >= 0)
    rep = np.zeros(len(order), dtype=bool)
    rep[1:] = same[1:] & (t[1:] - t[:-1] <= 720 * 3600)
    out = np.zeros(len(order), dtype=bool)
    out[order] = rep & (a >= 0)
    return out


def _duplicate_flags(day: np.ndarray, comm: np.ndarray, subject: np.ndarray) -> np.ndarray:
    order = np.lexsort((np.arange(len(day)), day, subject, comm))
    c, s, d = comm[order], subject[order], day[order]
    dup = np.zeros(len(order), dtype=bool)
    dup[1:] = (c[1:] == c[:-1]) & (s[1:] == s[:-1]) & (d[1:] - d[:-1] <= 30)
    out = np.zeros(len(order), dtype=bool)
    out[order] = dup
    return out


def _recurred(rec: Records, n_types: int) -> np.ndarray:
    """Per case: a new problem (failed visit or complaint) of its type in its community <= 90 d."""
    failed = rec.v_type >= 0
    ev_time = np.concatenate([rec.v_day[failed] * DAY + rec.v_second[failed], rec.t_received])
    ev_key = np.concatenate(
        [rec.v_comm[failed] * n_types + rec.v_type[failed], rec.t_comm * n_types + rec.t_type]
    )
    key = (ev_key.astype(np.int64) << 33) | ev_time
    key.sort()
    case_key = (rec.c_comm.astype(np.int64) * n_types + rec.c_type) << 33
    pos = np.searchsorted(key, case_key | rec.c_completed, side="right")
    nxt = key[np.minimum(pos, len(key) - 1)] if len(key) else np.zeros(len(pos), np.int64)
    ok = (pos < len(key)) & ((nxt >> 33) == (case_key >> 33))
    return ok & ((nxt & ((1 << 33) - 1)) <= rec.c_completed + 90 * DAY)


@dataclass
class _Flags:
    repeat: np.ndarray
    dup: np.ndarray
    handling: np.ndarray
    deadline_day: np.ndarray
    eval_deadline_day: np.ndarray
    recurred: np.ndarray


def compute_flags(rec: Records, n_types: int, first_day: int) -> _Flags:
    """Row-level truth flags over the whole data."""
    wd = _Workdays(first_day - 400, rec.as_of // DAY + 800)
    closed = rec.t_closed >= 0
    handling = np.full(len(rec.t_received), -1, dtype=np.int64)
    handling[closed] = wd.between(rec.t_received[closed] // DAY, rec.t_closed[closed] // DAY)
    noticed = rec.c_notice >= 0
    deadline = np.full(len(rec.c_round), -1, dtype=np.int64)
    deadline[noticed] = wd.nth_after(rec.c_notice[noticed] // DAY, 15)
    done = rec.c_completed >= 0
    e_deadline = np.full(len(rec.c_round), -1, dtype=np.int64)
    e_deadline[done] = wd.nth_after(rec.c_completed[done] // DAY, 5)
    return _Flags(
        repeat=_repeat_flags(rec.t_received, rec.t_addr, rec.t_type),
        dup=_duplicate_flags(rec.v_day, rec.v_comm, rec.v_subject),
        handling=handling,
        deadline_day=deadline,
        eval_deadline_day=e_deadline,
        recurred=_recurred(rec, n_types) & done,
    )


def _in(t: np.ndarray, lo_day: int, hi_day: int) -> np.ndarray:
    """t (epoch seconds) falls on a date in [lo_day, hi_day] inclusive."""
    return (t >= lo_day * DAY) & (t < (hi_day + 1) * DAY)


Figures = dict[str, tuple[np.ndarray, np.ndarray]]


def _medians(group: np.ndarray, x: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of x within each group (0 where a group is empty)."""
    order = np.lexsort((x, group))
    xs = x[order].astype(float)
    counts = np.bincount(group, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    lo = np.minimum(starts + (counts - 1) // 2, max(len(xs) - 1, 0))
    hi = np.minimum(starts + counts // 2, max(len(xs) - 1, 0))
    if not len(xs):
        return np.zeros(n_groups)
    return np.where(counts > 0, (xs[lo] + xs[hi]) / 2, 0.0)


def period_figures(
    rec: Records,
    f: _Flags,
    lo: int,
    hi: int,
    groups: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_groups: int,
) -> Figures:
    """(numerators, denominators) per group of every metric for the dates lo..hi inclusive."""
    tg, vg, cg = groups

    def count(g: np.ndarray, mask: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(
            g[mask], weights=None if w is None else w[mask], minlength=n_groups
        ).astype(float)

    out: Figures = {}
    recv = _in(rec.t_received, lo, hi)
    fast = (rec.t_response >= 0) & (rec.t_response - rec.t_received <= DAY)
    out["repeat_complaint_rate"] = (count(tg, recv & f.repeat), count(tg, recv))
    out["response_within_24h_rate"] = (count(tg, recv & fast), count(tg, recv))
    env = recv & rec.t_env
    out["environment_complaint_share"] = (count(tg, env), count(tg, recv))
    out["environment_repeat_rate"] = (count(tg, env & f.repeat), count(tg, env))
    closed = (rec.t_closed >= 0) & _in(rec.t_closed, lo, hi)
    n_closed = count(tg, closed)
    out["avg_handling_working_days"] = (count(tg, closed, f.handling.astype(float)), n_closed)
    out["median_handling_working_days"] = (
        _medians(tg[closed], f.handling[closed], n_groups),
        n_closed,
    )
    rated = closed & (rec.t_sat >= 0)
    out["complaint_satisfaction_rate"] = (count(tg, rated & (rec.t_sat <= 1)), count(tg, rated))
    vis = (rec.v_day >= lo) & (rec.v_day <= hi)
    out["duplicate_inspection_rate"] = (count(vg, vis & f.dup), count(vg, vis))
    first = (rec.c_round == 1) & _in(rec.c_found, lo, hi)
    quick = (rec.c_notice >= 0) & (rec.c_notice - rec.c_found <= DAY)
    out["feedback_within_24h_rate"] = (count(cg, first & quick), count(cg, first))
    as_of_day = rec.as_of // DAY
    due = (rec.c_notice >= 0) & _in(rec.c_notice, lo, hi) & (f.deadline_day <= as_of_day)
    done = rec.c_completed >= 0
    on_time = done & (rec.c_completed // DAY <= f.deadline_day)
    out["rectified_on_time_rate"] = (count(cg, due & on_time), count(cg, due))
    out["rectification_completion_rate"] = (count(cg, due & done), count(cg, due))
    comp = done & _in(rec.c_completed, lo, hi) & (f.eval_deadline_day <= as_of_day)
    ev_ok = (rec.c_evaluated >= 0) & (rec.c_evaluated // DAY <= f.eval_deadline_day)
    out["evaluated_on_time_rate"] = (count(cg, comp & ev_ok), count(cg, comp))
    ev = (rec.c_evaluated >= 0) & _in(rec.c_evaluated, lo, hi)
    out["rectification_satisfaction_rate"] = (count(cg, ev & (rec.c_sat >= 80)), count(cg, ev))
    out["second_rectification_rate"] = (count(cg, ev & (rec.c_sat < 80)), count(cg, ev))
    rc = done & _in(rec.c_completed, lo, hi) & (rec.c_completed + 90 * DAY <= rec.as_of)
    out["recurrence_3m_rate"] = (count(cg, rc & f.recurred), count(cg, rc))
    return out


def add_reduction(figs: Figures, base: Figures) -> None:
    """duplicate_inspection_reduction = 1 - rate / baseline rate, as (base - rate, base)."""
    n, d = figs["duplicate_inspection_rate"]
    bn, bd = base["duplicate_inspection_rate"]
    rate = np.divide(n, d, out=np.zeros_like(n), where=d > 0)
    brate = np.divide(bn, bd, out=np.zeros_like(bn), where=bd > 0)
    figs["duplicate_inspection_reduction"] = (brate - rate, brate)


def value(metric: str, num: float, den: float) -> float | None:
    """The figure itself; None when the denominator is 0."""
    if den == 0:
        return None
    if metric == "median_handling_working_days":
        return num
    return num / den


def truth_tables(
    rec: Records,
    n_types: int,
    periods: list[tuple[str, int, int]],
    baseline: tuple[int, int],
    comm_ids: list[str],
    comm_names: list[str],
    comm_pilot: np.ndarray,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Rows of kpis_by_year and kpis_by_community_year for the given (label, lo, hi) periods."""
    flags = compute_flags(rec, n_types, min(periods[0][1], baseline[0]))
    n = len(comm_ids)
    whole = (np.zeros_like(rec.t_comm), np.zeros_like(rec.v_comm), np.zeros_like(rec.c_comm))
    per_comm = (rec.t_comm, rec.v_comm, rec.c_comm)
    base_all = period_figures(rec, flags, *baseline, whole, 1)
    base_comm = period_figures(rec, flags, *baseline, per_comm, n)
    year_rows: list[dict[str, object]] = []
    comm_rows: list[dict[str, object]] = []
    epoch = dt.date(1970, 1, 1)
    for label, lo, hi in periods:
        lo_s = (epoch + dt.timedelta(days=lo)).isoformat()
        hi_s = (epoch + dt.timedelta(days=hi)).isoformat()
        figs = period_figures(rec, flags, lo, hi, whole, 1)
        add_reduction(figs, base_all)
        cfigs = period_figures(rec, flags, lo, hi, per_comm, n)
        add_reduction(cfigs, base_comm)
        for metric in sorted(figs):
            num, den = float(figs[metric][0][0]), float(figs[metric][1][0])
            year_rows.append(_row(label, lo_s, hi_s, metric, num, den))
        for c in range(n):
            for metric in sorted(cfigs):
                num, den = float(cfigs[metric][0][c]), float(cfigs[metric][1][c])
                row = _row(label, lo_s, hi_s, metric, num, den)
                comm_rows.append(
                    {
                        "community_id": comm_ids[c],
                        "community_name": comm_names[c],
                        "is_pilot": bool(comm_pilot[c]),
                        **row,
                    }
                )
    return year_rows, comm_rows


def _row(label: str, lo: str, hi: str, metric: str, num: float, den: float) -> dict[str, object]:
    v = value(metric, num, den)
    return {
        "period": label,
        "period_start": lo,
        "period_end": hi,
        "metric": metric,
        "numerator": round(num, 6),
        "denominator": round(den, 6),
        "value": None if v is None else round(v, 6),
    }
