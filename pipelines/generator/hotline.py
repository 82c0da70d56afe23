"""12345 hotline tickets: clean records (vectorised) and the monthly CSV exports built from them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.generator.config import BASELINE, OTHERS, PILOT, Period, Regime, Scale
from pipelines.generator.street import CITY, DISTRICT, Geography
from pipelines.generator.taxonomy import DEPARTMENT_FULL_NAMES, DEPARTMENTS, Taxonomy
from pipelines.generator.workdays import WorkCalendar

HEADER = [
    "工单编号",
    "受理时间",
    "来电渠道",
    "来电人",
    "联系电话",
    "问题地址",
    "所属社区",
    "一级分类",
    "二级分类",
    "三级分类",
    "问题描述",
    "承办部门",
    "办理状态",
    "首次响应时间",
    "办结时间",
    "满意度",
]
CHANNELS = ("电话", "12345网站", "微信公众号", "政务APP")
SATISFACTION = ("满意", "基本满意", "不满意")
STATUS_CLOSED, STATUS_DOING, STATUS_RECEIVED = "已办结", "处理中", "已受理"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "玉兰",
    "志强",
    "海燕",
    "国强",
)
_PHRASES = ("，希望尽快处理", "，多次反映未解决", "，影响居民正常生活", "，请相关部门核实处理", "")
NO_ADDRESS_SHARE = 0.02
_CHUNK = 1 << 21
RECTIFY_SHARE = 0.003  # complaints that open a rectification case (half of the rare kinds do)


@dataclass
class Tickets:
    """Clean tickets, sorted by received time; times are epoch seconds, -1 when absent."""

    received: np.ndarray
    response: np.ndarray
    closed: np.ndarray
    comm: np.ndarray
    addr: np.ndarray  # -1: no usable address
    ptype: np.ndarray
    sat: np.ndarray  # -1 unrated, else index into SATISFACTION
    channel: np.ndarray
    caller: np.ndarray
    phone: np.ndarray
    via_street: np.ndarray  # handled by the street office rather than the department
    addr_style: np.ndarray
    comm_style: np.ndarray  # 0 full, 1 short, 2 居委会, 3 missing
    phrase: np.ndarray
    rectify: np.ndarray  # opens a rectification case
    seq: np.ndarray  # per-day sequence of the ticket id
    id_width: int

    def __len__(self) -> int:
        return len(self.received)


def regime_of(
    day: np.ndarray, pilot: np.ndarray, period: Period
) -> list[tuple[np.ndarray, Regime]]:
    """Masks of (baseline, pilot-after, others-after) with their regimes."""
    before = day < period.split_day
    return [
        (before, BASELINE),
        (~before & pilot, PILOT),
        (~before & ~pilot, OTHERS),
    ]


def _pick(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """n draws from a categorical distribution p."""
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def generate_tickets(
    geo: Geography,
    tax: Taxonomy,
    period: Period,
    cal: WorkCalendar,
    scale: Scale,
    rng: np.random.Generator,
    planted: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> Tickets:
    """Generate chains of complaints (original + repeats within 720 h) plus planted recurrences."""
    n_comm = geo.n_comm
    n_months = len(period.months)
    env_types = np.flatnonzero(tax.is_env)
    elev_types = np.flatnonzero(tax.is_elevator)
    other_types = np.flatnonzero(~tax.is_env & ~tax.is_elevator)
    w_env = tax.complaint_weight[env_types]
    w_elev = tax.complaint_weight[elev_types]
    w_other = tax.complaint_weight[other_types]
    # originals per community-month, env and non-env
    starts = period.month_start_day
    days_in = np.diff(starts).astype(float)
    cm_comm = np.repeat(np.arange(n_comm), n_months)
    cm_month = np.tile(np.arange(n_months), n_comm)
    mday = starts[cm_month]
    lam = scale.tickets_per_community_month * geo.comm_weight[cm_comm] * days_in[cm_month] / 30.4
    q_env = np.zeros(len(cm_comm))
    q_oth = np.zeros(len(cm_comm))
    share = np.zeros(len(cm_comm))
    for mask, reg in regime_of(mday, geo.comm_pilot[cm_comm], period):
        q_env[mask], q_oth[mask], share[mask] = reg.repeat_env, reg.repeat_other, reg.env_share
    n_env = rng.poisson(lam * share * (1 - q_env))
    n_oth = rng.poisson(lam * (1 - share) * (1 - q_oth))
    is_env = np.concatenate([np.ones(n_env.sum(), bool), np.zeros(n_oth.sum(), bool)])
    o_cm = np.concatenate(
        [np.repeat(np.arange(len(cm_comm)), n_env), np.repeat(np.arange(len(cm_comm)), n_oth)]
    )
    o_comm = cm_comm[o_cm]
    o_q = np.where(is_env, q_env[o_cm], q_oth[o_cm])
    n_o = len(o_cm)
    day = starts[cm_month[o_cm]] + (rng.random(n_o) * days_in[cm_month[o_cm]]).astype(np.int64)
    hour = _pick(
        rng,
        np.array([1, 1, 1, 1, 1, 1, 2, 5, 9, 10, 10, 9, 6, 8, 9, 9, 8, 7, 6, 6, 5, 4, 2, 1.0]),
        n_o,
    )
    o_recv = day * 86400 + hour * 3600 + rng.integers(0, 3600, n_o)
    # problem type: elevators heavy in old estates (35% of their complaints)
    old = geo.comm_kind[o_comm] == 0
    elev_p = np.where(old, 0.35 / (1 - 0.42), 0.05 / (1 - 0.42))
    o_type = np.where(
        is_env,
        env_types[_pick(rng, w_env, n_o)],
        np.where(
            rng.random(n_o) < elev_p,
            elev_types[_pick(rng, w_elev, n_o)],
            other_types[_pick(rng, w_other, n_o)],
        ),
    )
    o_addr = random_address(geo, o_comm, rng).astype(np.int32)
    no_addr = rng.random(n_o) < NO_ADDRESS_SHARE
    o_addr[no_addr] = -1
    o_q[no_addr] = 0.0
    o_comm, o_type = o_comm.astype(np.int32), o_type.astype(np.int16)
    del day, hour, o_cm, is_env, old, elev_p, no_addr
    # repeat chains: each complaint is followed by a repeat (same address & type) with chance q
    recv_parts, comm_parts, addr_parts, type_parts = [o_recv], [o_comm], [o_addr], [o_type]
    cur_t, cur_q, cur_i = o_recv, o_q, np.arange(n_o)
    while len(cur_i):
        go = rng.random(len(cur_i)) < cur_q
        cur_i, cur_q = cur_i[go], cur_q[go]
        cur_t = cur_t[go] + rng.integers(2 * 3600, 29 * 86400, len(cur_i))
        keep = cur_t <= period.as_of
        cur_i, cur_q, cur_t = cur_i[keep], cur_q[keep], cur_t[keep]
        recv_parts.append(cur_t)
        comm_parts.append(o_comm[cur_i])
        addr_parts.append(o_addr[cur_i])
        type_parts.append(o_type[cur_i])
    p_time, p_comm, p_type = planted
    recv_parts.append(p_time)
    comm_parts.append(p_comm)
    addr_parts.append(random_address(geo, p_comm, rng))
    type_parts.append(p_type)
    recv = np.concatenate(recv_parts)
    order = np.argsort(recv, kind="stable")
    recv = recv[order]
    comm = np.concatenate(comm_parts)[order]
    addr = np.concatenate(addr_parts)[order]
    ptype = np.concatenate(type_parts)[order]
    del recv_parts, comm_parts, addr_parts, type_parts, cur_t, cur_q, cur_i, o_recv, o_q
    n = len(recv)
    rday = recv // 86400
    response = np.empty(n, dtype=np.int64)
    closed = np.empty(n, dtype=np.int64)
    sat = np.empty(n, dtype=np.int8)
    for a in range(0, n, _CHUNK):  # bounded temporaries at the large scales
        b = min(n, a + _CHUNK)
        response[a:b], closed[a:b], sat[a:b] = _outcomes(
            recv[a:b], geo.comm_pilot[comm[a:b]], period, cal, rng
        )
    i8, i16, i32 = np.int8, np.int16, np.int32
    return Tickets(
        received=recv,
        response=response,
        closed=closed,
        comm=comm.astype(i32),
        addr=addr.astype(i32),
        ptype=ptype.astype(i16),
        sat=sat,
        channel=_pick(rng, np.array([0.6, 0.1, 0.15, 0.15]), n).astype(i8),
        caller=rng.integers(0, len(_SURNAMES) * len(_GIVEN), n, dtype=i32),
        phone=rng.integers(0, 5 * 10**9, n),
        via_street=rng.random(n) < 0.2,
        addr_style=_pick(rng, np.array([0.35, 0.2, 0.15, 0.1, 0.2]), n).astype(i8),
        comm_style=_pick(rng, np.array([0.7, 0.12, 0.08, 0.1]), n).astype(i8),
        phrase=rng.integers(0, len(_PHRASES), n, dtype=i8),
        rectify=rng.random(n) < np.where(tax.complaint_weight[ptype] < 0.1, 0.5, RECTIFY_SHARE),
        seq=_ticket_seq(rday).astype(i32),
        id_width=scale.id_width,
    )


def _outcomes(
    recv: np.ndarray,
    pilot: np.ndarray,
    period: Period,
    cal: WorkCalendar,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First response, closing time (working days) and rating; -1 when after as_of."""
    n = len(recv)
    rday = recv // 86400
    reg_resp = np.zeros(n)
    reg_hand = np.zeros(n)
    reg_sat = np.zeros(n)
    for mask, reg in regime_of(rday, pilot, period):
        reg_resp[mask], reg_hand[mask], reg_sat[mask] = (
            reg.response_24h,
            reg.handling_mean_wd,
            reg.satisfied,
        )
    fast = rng.random(n) < reg_resp
    response = recv + np.where(
        fast, rng.integers(600, 23 * 3600, n), rng.integers(25 * 3600, 96 * 3600, n)
    )
    wd = np.floor(rng.gamma(2.0, reg_hand / 2.0, n) + 0.5).astype(np.int64)
    cday = cal.add(rday, wd)
    same_day_close = np.minimum(recv + rng.integers(1800, 6 * 3600, n), rday * 86400 + 86399)
    closed = np.where(
        wd == 0, same_day_close, cday * 86400 + rng.integers(8 * 3600 + 1800, 18 * 3600, n)
    )
    response = np.minimum(response, closed)
    u = rng.random(n)
    sat = np.where(
        rng.random(n) < 0.8,
        np.where(u < reg_sat * 0.6, 0, np.where(u < reg_sat, 1, 2)),
        -1,
    )
    response = np.where(response > period.as_of, -1, response)
    closed = np.where(closed > period.as_of, -1, closed)
    sat = np.where(closed < 0, -1, sat)
    return response, closed, sat


def random_address(geo: Geography, comm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random address inside each given community."""
    order = np.argsort(geo.addr_comm, kind="stable")
    counts = np.bincount(geo.addr_comm, minlength=geo.n_comm)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = first[comm] + (rng.random(len(comm)) * counts[comm]).astype(np.int64)
    return order[pos]


def _ticket_seq(day: np.ndarray) -> np.ndarray:
    """Per-day sequence number in received order (day must be sorted)."""
    if len(day) == 0:
        return np.zeros(0, dtype=np.int64)
    _, first, inverse = np.unique(day, return_index=True, return_inverse=True)
    return np.arange(len(day)) - first[inverse] + 1


def ticket_ids(tk: Tickets, idx: np.ndarray) -> pl.Series:
    """GD + YYYYMMDD + zero-padded per-day sequence of tickets idx."""
    day = pl.Series((tk.received[idx] // 86400).astype(np.int32)).cast(pl.Date)
    seq = pl.Series(tk.seq[idx]).cast(pl.String).str.zfill(tk.id_width)
    return pl.select(pl.concat_str([pl.lit("GD"), day.dt.strftime("%Y%m%d"), seq])).to_series()


def fmt_time(t: np.ndarray, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.Series:
    """Epoch seconds formatted with `fmt`, null where t < 0."""
    s = pl.Series(t, dtype=pl.Int64)
    return pl.select(pl.when(s >= 0).then(pl.from_epoch(s, "s").dt.strftime(fmt))).to_series()


def take(values: list[str] | tuple[str, ...] | np.ndarray, idx: np.ndarray) -> pl.Series:
    """values[idx] as a polars String series (no numpy unicode arrays)."""
    return pl.Series(list(values), dtype=pl.String).gather(idx)


def export_month(
    tk: Tickets, geo: Geography, tax: Taxonomy, period: Period, m: int
) -> pl.DataFrame:
    """One monthly export: tickets received this month plus those still open at its start."""
    start, stop = int(period.month_start_day[m]) * 86400, int(period.month_start_day[m + 1]) * 86400
    lo = np.searchsorted(tk.received, start, side="left")
    hi = np.searchsorted(tk.received, stop, side="left")
    earlier = np.arange(int(np.searchsorted(tk.received, start - 400 * 86400)), lo)
    carried = earlier[(tk.closed[earlier] < 0) | (tk.closed[earlier] >= start)]
    idx = np.concatenate([carried, np.arange(lo, hi)])
    cut = stop - 1
    resp = np.where((tk.response[idx] >= 0) & (tk.response[idx] <= cut), tk.response[idx], -1)
    closed = np.where((tk.closed[idx] >= 0) & (tk.closed[idx] <= cut), tk.closed[idx], -1)
    status = np.where(closed >= 0, 0, np.where(resp >= 0, 1, 2))
    sat_i = np.where(closed >= 0, tk.sat[idx], -1)
    comm = tk.comm[idx]
    ptype = tk.ptype[idx]
    addr_text = address_text(geo, tk.addr[idx], comm, tk.addr_style[idx], tk.phone[idx])
    street = take(geo.street_names, geo.comm_street[comm])
    dept_names = [DEPARTMENT_FULL_NAMES[d] for d in DEPARTMENTS]
    caller = tk.caller[idx]
    phone = tk.phone[idx]
    l3 = take(tax.level3, ptype)
    frame = pl.DataFrame(
        {
            "工单编号": ticket_ids(tk, idx),
            "受理时间": fmt_time(tk.received[idx]),
            "来电渠道": take(CHANNELS, tk.channel[idx]),
            "来电人": take(list(_SURNAMES), caller % len(_SURNAMES)),
            "given": take(_GIVEN, caller // len(_SURNAMES) % len(_GIVEN)),
            "phone_head": take(["13", "15", "17", "18", "19"], phone % 5),
            "phone_tail": pl.Series(phone // 5 % 10**9).cast(pl.String).str.zfill(9),
            "问题地址": addr_text,
            "所属社区": community_text(geo, comm, tk.comm_style[idx]),
            "一级分类": take(tax.level1, ptype),
            "二级分类": take(tax.level2, ptype),
            "三级分类": l3,
            "phrase": take(_PHRASES, tk.phrase[idx]),
            "via_street": tk.via_street[idx],
            "street": street,
            "dept": take(dept_names, tax.type_dept[ptype]),
            "办理状态": take((STATUS_CLOSED, STATUS_DOING, STATUS_RECEIVED), status),
            "首次响应时间": fmt_time(resp),
            "办结时间": fmt_time(closed),
            "sat": sat_i,
        }
    )
    return frame.select(
        "工单编号",
        "受理时间",
        "来电渠道",
        pl.concat_str("来电人", "given").alias("来电人"),
        pl.concat_str("phone_head", "phone_tail").alias("联系电话"),
        "问题地址",
        "所属社区",
        "一级分类",
        "二级分类",
        "三级分类",
        pl.concat_str("问题地址", "三级分类", "phrase").alias("问题描述"),
        pl.when("via_street")
        .then(pl.concat_str("street", pl.lit("办事处")))
        .otherwise("dept")
        .alias("承办部门"),
        "办理状态",
        "首次响应时间",
        "办结时间",
        pl.when(pl.col("sat") >= 0)
        .then(pl.lit(pl.Series(SATISFACTION)).gather(pl.col("sat").clip(0, 2)))
        .alias("满意度"),
    ).select(HEADER)


def address_text(
    geo: Geography, addr: np.ndarray, comm: np.ndarray, style: np.ndarray, salt: np.ndarray
) -> pl.Series:
    """The address as a caller gave it: canonical or one of four variants; vague when unknown."""
    a = np.where(addr >= 0, addr, 0)
    df = pl.DataFrame(
        {
            "short": take(geo.comm_short, comm),
            "street": take(geo.street_names, geo.comm_street[comm]),
            "b": geo.addr_building[a],
            "u": geo.addr_unit[a],
            "style": style,
            "known": addr >= 0,
            "room": (salt % 20 + 1) * 100 + salt // 20 % 4 + 1,
            "vague": take(("门口", "附近", "周边道路", "菜场旁"), salt % 4),
        }
    )
    # one concatenation whose parts depend on the style (cheaper than building every variant):
    # 0 {小区}{b}幢{u}单元, 1 {小区}{b}号楼{u}单元, 2 {街道}{小区}{b}幢{u}单元,
    # 3 {市区}{街道}{小区}{b}栋{u}单元, 4 {小区}{b}幢{u}单元{room}室; unknown: {小区}{vague}
    kind = pl.col("style")
    empty = pl.lit("")
    before = (
        pl.when(kind == 2)
        .then("street")
        .when(kind == 3)
        .then(pl.concat_str(pl.lit(CITY + DISTRICT), "street"))
        .otherwise(empty)
    )
    word = pl.when(kind == 1).then(pl.lit("号楼")).when(kind == 3).then(pl.lit("栋"))
    room = pl.when(kind == 4).then(pl.concat_str(pl.col("room").cast(pl.String), pl.lit("室")))
    known = pl.concat_str(
        before,
        "short",
        pl.col("b").cast(pl.String),
        word.otherwise(pl.lit("幢")),
        pl.col("u").cast(pl.String),
        pl.lit("单元"),
        room.otherwise(empty),
    )
    expr = (
        pl.when(~pl.col("known"))
        .then(pl.concat_str("short", "vague"))
        .when(kind.is_between(0, 4))
        .then(known)
    )
    return df.select(expr.alias("问题地址")).to_series()


def community_text(geo: Geography, comm: np.ndarray, style: np.ndarray) -> pl.Series:
    """The community as written on the ticket; null when missing."""
    df = pl.DataFrame(
        {"full": take(geo.comm_name, comm), "short": take(geo.comm_short, comm), "s": style}
    )
    return df.select(
        pl.when(pl.col("s") == 0)
        .then("full")
        .when(pl.col("s") == 1)
        .then("short")
        .when(pl.col("s") == 2)
        .then(pl.concat_str("full", pl.lit("居委会")))
        .alias("所属社区")
    ).to_series()
