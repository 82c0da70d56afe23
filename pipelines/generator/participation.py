"""Community supervisors' random inspections and residents' evaluations, month by month."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generator.config import Period
from pipelines.generator.hotline import fmt_time, take
from pipelines.generator.street import Geography
from pipelines.generator.taxonomy import Taxonomy

SUPERVISOR_HEADER = [
    "抽查编号",
    "抽查时间",
    "监督员编号",
    "监督员",
    "社区",
    "网格",
    "抽查事项",
    "抽查结果",
    "问题描述",
    "是否已反馈社区",
]
EVALUATION_HEADER = [
    "评议编号",
    "评议日期",
    "社区",
    "评议人类型",
    "满意度评分",
    "是否知晓检查结果",
    "是否参与整改监督",
    "意见建议",
]
RATER_TYPES = ("居民", "居民代表", "第三方机构", "上级部门")
SUPERVISORS_PER_COMMUNITY = 5
RATERS_PER_COMMUNITY_MONTH = 23
_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
_GIVEN = ("秀珍", "建军", "桂兰", "国庆", "淑芬", "德明", "玉梅", "振华", "凤英", "立新")
_ADVICE = ("", "", "", "希望整改结果及时公示", "建议增加巡查频次", "物业响应太慢", "整改效果不错")


def _after(period: Period, geo: Geography, comm: np.ndarray, m: int) -> np.ndarray:
    """Pilot communities once the comparison period has started."""
    return geo.comm_pilot[comm] & (period.month_start_day[m] >= period.split_day)


def supervisors_month(
    geo: Geography, tax: Taxonomy, period: Period, m: int, rng: np.random.Generator
) -> pl.DataFrame:
    """Each supervisor's one unannounced inspection this month (some months skipped)."""
    n_sup = geo.n_comm * SUPERVISORS_PER_COMMUNITY
    sup = np.arange(n_sup)
    comm = sup // SUPERVISORS_PER_COMMUNITY
    done = rng.random(n_sup) < np.where(_after(period, geo, comm, m), 0.98, 0.8)
    sup, comm = sup[done], comm[done]
    n = len(sup)
    start, stop = period.month_start_day[m], period.month_start_day[m + 1]
    t = (start + rng.integers(0, stop - start, n)) * 86400 + rng.integers(8 * 3600, 20 * 3600, n)
    order = np.argsort(t, kind="stable")
    sup, comm, t = sup[order], comm[order], t[order]
    # grids are numbered community by community: each supervisor watches one grid of theirs
    per_comm = np.bincount(geo.grid_comm, minlength=geo.n_comm)
    first = np.searchsorted(geo.grid_comm, np.arange(geo.n_comm))
    grid = first[comm] + sup % per_comm[comm]
    subj = rng.integers(0, len(tax.subject_names), n)
    problem = rng.random(n) < 0.25
    types = np.array([tax.subject_types[s][0] for s in range(len(tax.subject_names))])[subj]
    yyyymm = period.months[m].replace("-", "")
    return pl.DataFrame(
        {
            "抽查编号": _serials(f"JD{yyyymm}", n, 5),
            "抽查时间": fmt_time(t, "%Y/%m/%d %H:%M"),
            "监督员编号": [f"S{s + 1:05d}" for s in sup.tolist()],
            "监督员": np.char.add(
                np.array(list(_NAMES))[sup % 20], np.array(_GIVEN)[sup // 20 % 10]
            ),
            "社区": take(geo.comm_name, comm),
            "网格": take(geo.grid_name, grid),
            "抽查事项": tax.subject_names[subj],
            "抽查结果": np.where(problem, "发现问题", "正常"),
            "问题描述": np.where(problem, tax.level3[types], ""),
            "是否已反馈社区": np.where(
                problem & (rng.random(n) < 0.9), "是", np.where(problem, "否", "")
            ),
        }
    ).select(pl.col(SUPERVISOR_HEADER).cast(pl.String).replace("", None))


def evaluations_month(
    geo: Geography, period: Period, m: int, rng: np.random.Generator
) -> pl.DataFrame:
    """Residents', third parties' and superiors' ratings of each community this month."""
    comm = np.repeat(np.arange(geo.n_comm), RATERS_PER_COMMUNITY_MONTH)
    n = len(comm)
    kind = np.tile(np.array([0] * 16 + [1] * 4 + [2] * 2 + [3]), geo.n_comm)
    after = _after(period, geo, comm, m)
    start, stop = period.month_start_day[m], period.month_start_day[m + 1]
    day = start + rng.integers(0, stop - start, n)
    order = np.lexsort((comm, day))
    comm, kind, after, day = comm[order], kind[order], after[order], day[order]
    score = np.clip(rng.normal(np.where(after, 88, 74), 10), 0, 100).round().astype(int)
    know = rng.random(n) < np.where(after, 0.6, 0.23)
    joined = rng.random(n) < np.where(after, 0.5, 0.12)
    yyyymm = period.months[m].replace("-", "")
    return pl.DataFrame(
        {
            "评议编号": _serials(f"PY{yyyymm}", n, 6),
            "评议日期": fmt_time(day * 86400, "%Y-%m-%d"),
            "社区": take(geo.comm_name, comm),
            "评议人类型": take(RATER_TYPES, kind),
            "满意度评分": pl.Series(score).cast(pl.String),
            "是否知晓检查结果": take(("否", "是"), know.astype(np.int64)),
            "是否参与整改监督": take(("否", "是"), joined.astype(np.int64)),
            "意见建议": take(_ADVICE, rng.integers(0, len(_ADVICE), n)),
        }
    ).select(pl.col(EVALUATION_HEADER).cast(pl.String).replace("", None))


def _serials(prefix: str, n: int, width: int) -> pl.Series:
    """prefix + 1..n zero-padded to `width` digits (wider numbers keep all their digits)."""
    numbers = pl.int_range(1, n + 1, eager=True).cast(pl.String).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit(prefix), numbers)).to_series()
