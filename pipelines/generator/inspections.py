"""Department inspection visits (clean, vectorised) and each department's own monthly format."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.generator.config import BASELINE, OTHERS, PILOT, Period, Scale
from pipelines.generator.hotline import address_text, random_address, take
from pipelines.generator.street import Geography
from pipelines.generator.taxonomy import DEPARTMENTS, Taxonomy, dept_subject_name
from pipelines.generator.workdays import WorkCalendar

# canonical field order of a visit row; each department names them its own way
FIELDS = ("id", "date", "community", "subject", "result", "problem", "inspectors", "joint")


@dataclass(frozen=True)
class DeptFormat:
    """How one department exports its monthly inspections."""

    dept: str
    prefix: str  # id prefix
    file_stem: str  # file name before _{YYYY-MM}
    fmt: str  # csv / xlsx / jsonl / json
    encoding: str  # utf-8, utf-8-sig, gbk, gb18030
    columns: tuple[str, ...]  # names of FIELDS, in order
    date_style: str  # iso / slash / cn / compact / excel
    result_words: tuple[str, str]  # (pass, fail)
    name_style: tuple[float, float, float, float]  # full, short, 居委会, typo
    address_col: str | None = None  # header of the place inspected, the last column


def _f(
    dept: str,
    prefix: str,
    stem: str,
    fmt: str,
    enc: str,
    cols: str,
    date: str,
    words: tuple[str, str],
    style: tuple[float, float, float, float],
    address: str | None = None,
) -> DeptFormat:
    return DeptFormat(
        dept, prefix, stem, fmt, enc, tuple(cols.split(",")), date, words, style, address
    )


PASS_FAIL = ("合格", "不合格")
YES_NO = ("是", "否")
THROUGH = ("通过", "未通过")
FORMATS: dict[str, DeptFormat] = {
    f.dept: f
    for f in (
        _f(
            "民政",
            "MZ",
            "民政_社区检查",
            "csv",
            "utf-8-sig",
            "检查编号,检查日期,社区名称,检查事项,检查结果,发现问题,检查人员,联合检查部门",
            "iso",
            PASS_FAIL,
            (0.85, 0.08, 0.05, 0.02),
        ),
        _f(
            "城管",
            "CG",
            "城管_巡查记录",
            "csv",
            "utf-8",
            "巡查单号,巡查日期,所属社区,巡查内容,是否通过,问题描述,巡查队员,会同部门",
            "slash",
            THROUGH,
            (0.3, 0.62, 0.05, 0.03),
            "巡查地点",
        ),
        _f(
            "卫健",
            "WJ",
            "卫健_卫生监督检查",
            "xlsx",
            "xlsx",
            "监督编号,检查日期,社区,监督内容,是否合格,存在问题,监督员,联合单位",
            "excel",
            YES_NO,
            (0.8, 0.1, 0.07, 0.03),
            "监督地址",
        ),
        _f(
            "公安",
            "GA",
            "公安_社区安全检查",
            "csv",
            "gbk",
            "编号,检查时间,社区居委会,检查项目,检查结论,隐患描述,民警,协同单位",
            "cn",
            PASS_FAIL,
            (0.1, 0.05, 0.82, 0.03),
        ),
        _f(
            "消防",
            "XF",
            "消防_防火检查",
            "jsonl",
            "utf-8",
            "检查单号,检查日期,社区,检查项目,检查结果,火灾隐患,检查人,联合检查单位",
            "compact",
            PASS_FAIL,
            (0.75, 0.2, 0.02, 0.03),
            "检查地址",
        ),
        _f(
            "住建",
            "ZJ",
            "住建_物业小区检查",
            "xlsx",
            "xlsx",
            "检查编号,检查日期,所属社区,检查内容,检查结论,问题说明,检查人员,配合部门",
            "iso",
            THROUGH,
            (0.6, 0.35, 0.02, 0.03),
            "检查地点",
        ),
        _f(
            "市场监管",
            "SJ",
            "市场监管_监督抽查",
            "csv",
            "gb18030",
            "抽查编号,抽查日期,社区名称,抽查项目,是否符合要求,不符合项,执法人员,联合执法部门",
            "compact",
            YES_NO,
            (0.2, 0.75, 0.02, 0.03),
            "抽查地址",
        ),
        _f(
            "生态环境",
            "ST",
            "生态环境_执法检查",
            "json",
            "utf-8",
            "执法编号,检查日期,社区,检查事项,检查结果,环境问题,执法人员,联合部门",
            "slash",
            PASS_FAIL,
            (0.85, 0.1, 0.02, 0.03),
        ),
        _f(
            "应急管理",
            "YJ",
            "应急管理_隐患排查",
            "xlsx",
            "xlsx",
            "排查编号,排查日期,社区,排查事项,排查结果,隐患内容,排查人员,联合部门",
            "cn",
            PASS_FAIL,
            (0.7, 0.1, 0.17, 0.03),
            "排查地点",
        ),
        _f(
            "水务",
            "SW",
            "水务_设施巡检",
            "csv",
            "utf-8-sig",
            "巡检编号,巡检日期,社区,巡检内容,是否正常,异常情况,巡检员,联合单位",
            "slash",
            YES_NO,
            (0.5, 0.45, 0.02, 0.03),
        ),
        _f(
            "交通",
            "JT",
            "交通_道路巡查",
            "jsonl",
            "utf-8",
            "记录号,检查日期,所在社区,检查内容,检查结果,问题,检查人,联合部门",
            "iso",
            THROUGH,
            (0.8, 0.15, 0.02, 0.03),
        ),
        _f(
            "司法",
            "SF",
            "司法_矛盾纠纷排查",
            "csv",
            "utf-8",
            "走访编号,走访日期,社区,走访事项,走访结果,发现矛盾,调解员,联合部门",
            "cn",
            PASS_FAIL,
            (0.6, 0.2, 0.17, 0.03),
        ),
    )
}
DRIFT_DEPT, DRIFT_FROM, DRIFT_NEW = "城管", "问题描述", "发现问题描述"
_STAFF_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"
_STAFF_GIVEN = ("建国", "晓东", "丽萍", "海涛", "春燕", "文斌", "志刚", "雪梅", "国华", "小军")


@dataclass
class Visits:
    """Clean visits sorted by (day, id); `joint` is a bit mask over DEPARTMENTS."""

    day: np.ndarray
    second: np.ndarray  # seconds into the day the visit happened
    comm: np.ndarray
    subject: np.ndarray
    dept: np.ndarray
    joint: np.ndarray
    failed: np.ndarray
    ptype: np.ndarray  # -1 when passed
    staff: np.ndarray
    ids: np.ndarray
    # where the visit took place (see `visit_places`): address index (-1: a vague place), the
    # hotline's address style (-1: not written down) and a salt for room numbers and vague places
    addr: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    addr_style: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    addr_salt: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.day)


def generate_visits(
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    cal: WorkCalendar,
    scale: Scale,
    rng: np.random.Generator,
) -> Visits:
    """Per (community, subject) a chain of visits; a gap <= 20 days makes the next a duplicate."""
    n_subj = len(tax.subject_names)
    pair_comm = np.repeat(np.arange(geo.n_comm), n_subj)
    pair_subj = np.tile(np.arange(n_subj), geo.n_comm)
    pilot = geo.comm_pilot[pair_comm]
    t = period.first_day + rng.uniform(0, 48, len(pair_comm))
    days: list[np.ndarray] = []
    idx: list[np.ndarray] = []
    alive = np.arange(len(pair_comm))
    while len(alive):
        keep = t < period.end_day
        alive, t = alive[keep], t[keep]
        days.append(np.floor(t).astype(np.int64))
        idx.append(alive)
        after = t >= period.split_day
        q = np.where(
            after,
            np.where(pilot[alive], PILOT.dup_inspection, OTHERS.dup_inspection),
            BASELINE.dup_inspection,
        )
        dup = rng.random(len(alive)) < q
        t = t + np.where(dup, rng.uniform(0, 20, len(alive)), rng.uniform(42, 54, len(alive)))
    raw_day = np.concatenate(days)
    pair = np.concatenate(idx)
    day = cal.next_on_or_after(raw_day)
    inside = day < period.end_day
    day, pair = day[inside], pair[inside]
    n = len(day)
    comm, subj = pair_comm[pair], pair_subj[pair]
    after = day >= period.split_day
    is_pilot = geo.comm_pilot[comm]
    fail_p = np.where(after, np.where(is_pilot, PILOT.fail, OTHERS.fail), BASELINE.fail)
    failed = rng.random(n) < fail_p
    dept = np.empty(n, dtype=np.int64)
    ptype = np.full(n, -1, dtype=np.int64)
    joint = np.zeros(n, dtype=np.int64)
    joint_p = np.where(after & is_pilot, 0.35, 0.12)
    is_joint = rng.random(n) < joint_p
    for s in range(n_subj):
        m = subj == s
        k = int(m.sum())
        depts = tax.subject_depts[s]
        dept[m] = depts[rng.integers(0, len(depts), k)]
        types = tax.subject_types[s]
        ptype[m] = types[rng.integers(0, len(types), k)]
        partner = np.where(
            len(depts) > 1,
            depts[rng.integers(0, len(depts), k)],
            rng.integers(0, len(DEPARTMENTS), k),
        )
        other = rng.integers(0, len(DEPARTMENTS), k)
        mask = (1 << partner) | np.where(rng.random(k) < 0.3, 1 << other, 0)
        mask &= ~(1 << dept[m])
        joint[m] = np.where(is_joint[m], mask, 0)
    ptype[~failed] = -1
    staff = rng.integers(0, 6, (n, 2))
    staff[:, 1] = (staff[:, 0] + 1 + rng.integers(0, 5, n)) % 6
    second = rng.integers(8 * 3600 + 1800, 17 * 3600, n)
    ids = _visit_ids(day, dept, period, scale.id_width)
    order = np.lexsort((ids, day))
    return Visits(
        day=day[order],
        second=second[order],
        comm=comm[order],
        subject=subj[order],
        dept=dept[order],
        joint=joint[order],
        failed=failed[order],
        ptype=ptype[order],
        staff=staff[order],
        ids=ids[order],
    )


# how an inspector writes the place: the hotline's styles ({小区}{b}幢{u}单元, …号楼…, {街道}…,
# {市区}{街道}…栋…, …{room}室), then a vague place ({小区}门口) and a blank cell
PLACE_STYLE_P = np.array([0.5, 0.15, 0.1, 0.05, 0.1, 0.04, 0.06])
VAGUE_STYLE, BLANK_STYLE = 5, 6


def visit_places(
    geo: Geography,
    vis: Visits,
    failed: np.ndarray,
    case_addr: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Give each visit the place inspected: a failed visit's is its rectification case's address,
    a passed visit's a random address of its community. Draws only from `rng`, its own stream, so
    every other value of the generated files stays as it was."""
    n = len(vis)
    addr = random_address(geo, vis.comm, rng).astype(np.int64)
    addr[failed] = case_addr
    style = np.searchsorted(np.cumsum(PLACE_STYLE_P), rng.random(n), side="right").clip(0, 6)
    vis.addr = np.where(style == VAGUE_STYLE, -1, addr)
    vis.addr_style = np.where(style == VAGUE_STYLE, 0, style)
    vis.addr_salt = rng.integers(0, 5 * 10**9, n)


def _visit_ids(day: np.ndarray, dept: np.ndarray, period: Period, width: int) -> np.ndarray:
    """{prefix}{YYYYMM}{seq}: sequence per department and month in date order."""
    month = np.searchsorted(period.month_start_day, day, side="right") - 1
    order = np.lexsort((day, month, dept))
    key = (dept * 1000 + month)[order]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    seq = np.empty(len(day), dtype=np.int64)
    seq[order] = np.arange(len(day)) - first[inverse] + 1
    prefixes = np.array([FORMATS[d].prefix for d in DEPARTMENTS])[dept]
    yyyymm = np.array([m.replace("-", "") for m in period.months])[month]
    seq_s = pl.Series(seq).cast(pl.String).str.zfill(width).to_numpy().astype(str)
    return np.char.add(np.char.add(prefixes, yyyymm), seq_s)


def format_dates(day: np.ndarray, style: str) -> pl.Series:
    """Epoch days in one of the date styles."""
    d = pl.Series(day.astype(np.int32)).cast(pl.Date)
    if style == "iso":
        return d.dt.strftime("%Y-%m-%d")
    if style == "compact":
        return d.dt.strftime("%Y%m%d")
    if style == "excel":
        return pl.Series((day + 25569).astype(str))
    y, m, dd = d.dt.year().cast(str), d.dt.month().cast(str), d.dt.day().cast(str)
    frame = pl.DataFrame({"y": y, "m": m, "d": dd})
    if style == "slash":
        return frame.select(pl.concat_str(["y", "m", "d"], separator="/")).to_series()
    return frame.select(pl.format("{}年{}月{}日", "y", "m", "d")).to_series()


def community_variant(geo: Geography, comm: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Community names as a department writes them: full, short, 居委会 suffix or a typo."""
    return geo.alias_matrix[comm, style]


def dept_month_frame(
    vis: Visits,
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    dept: str,
    m: int,
    rng: np.random.Generator,
    drift: bool = True,
) -> pl.DataFrame:
    """One department's visits of month m, in its own columns and vocabularies (all strings).

    With `drift`, the schema-drift department uses its renamed column from the drift month on.
    """
    fmt = FORMATS[dept]
    d = DEPARTMENTS.index(dept)
    lo, hi = period.month_start_day[m], period.month_start_day[m + 1]
    sel = np.flatnonzero((vis.dept == d) & (vis.day >= lo) & (vis.day < hi))
    k = len(sel)
    style = np.searchsorted(np.cumsum(fmt.name_style), rng.random(k), side="right").clip(0, 3)
    subj_names = [dept_subject_name(dept, s) for s in tax.subject_names.tolist()]
    problem = take(["", *tax.level3.tolist()], vis.ptype[sel] + 1)  # ptype -1: passed
    staff_names = [
        _STAFF_SURNAMES[(d * 3 + j) % 16] + _STAFF_GIVEN[(d + j * 7) % 10] for j in range(6)
    ]
    staff = pl.select(
        pl.concat_str(
            pl.lit(take(staff_names, vis.staff[sel, 0])),
            pl.lit("、"),
            pl.lit(take(staff_names, vis.staff[sel, 1])),
        )
    ).to_series()
    masks, which = np.unique(vis.joint[sel], return_inverse=True)
    joint_names = [
        "、".join(DEPARTMENTS[b] for b in range(len(DEPARTMENTS)) if mask >> b & 1)
        for mask in masks.tolist()
    ]
    aliases = geo.alias_matrix.ravel().tolist()  # (community, style) row-major
    cols: dict[str, pl.Series | np.ndarray] = {
        "id": vis.ids[sel],
        "date": format_dates(vis.day[sel], fmt.date_style),
        "community": take(aliases, vis.comm[sel] * geo.alias_matrix.shape[1] + style),
        "subject": take(subj_names, vis.subject[sel]),
        "result": take(fmt.result_words, vis.failed[sel].astype(np.int64)),
        "problem": problem,
        "inspectors": staff,
        "joint": take(joint_names, which.reshape(-1)),
    }
    names = list(fmt.columns)
    if drift and dept == DRIFT_DEPT and m >= drift_month(period):
        names[names.index(DRIFT_FROM)] = DRIFT_NEW
    series = {n: pl.Series(cols[f], dtype=pl.String) for n, f in zip(names, FIELDS, strict=True)}
    if fmt.address_col is not None and len(vis.addr) == len(vis):
        series[fmt.address_col] = _place_text(vis, geo, sel).alias(fmt.address_col)
    frame = pl.DataFrame(series)
    return frame.with_columns(pl.all().replace("", None))


def _place_text(vis: Visits, geo: Geography, sel: np.ndarray) -> pl.Series:
    """The places of visits `sel` as the inspector wrote them; null where left blank."""
    style = vis.addr_style[sel]
    text = address_text(geo, vis.addr[sel], vis.comm[sel], style, vis.addr_salt[sel])
    return pl.select(pl.when(pl.Series(style) != BLANK_STYLE).then(text)).to_series()


def drift_month(period: Period) -> int:
    """Month index from which 城管 renames its problem column (schema drift)."""
    return max(1, len(period.months) // 2)
