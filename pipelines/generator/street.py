"""The demo geography: streets, communities (with name variants), grids with polygons, addresses."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from pipelines.generator.config import Scale

CITY = "江州市"
DISTRICT = "明湖区"
KINDS = ("老旧小区", "商品房", "安置小区", "混合")
KIND_WEIGHTS = (0.35, 0.30, 0.15, 0.20)

# first characters of community names, each with a common mistyping (same sound or shape)
_TYPO_PAIRS = (
    "翠萃 文闻 嘉佳 紫梓 益意 华花 东冬 桂贵 锦绵 兰岚 青清 星兴 金今 和禾 庆磬 德得 瑞端 丰峰 "
    "福富 康慷 宁凝 安按 泰太 景京 明铭 春椿 秋湫 江疆 湖胡 云芸 枫峰 松淞 竹筑 梅眉 荷菏 杨扬 "
    "柳桺 西栖 南楠 北比 新欣 古估 仁任 信心 乐东 盛胜"
)
_TYPO = {pair[0]: pair[1] for pair in _TYPO_PAIRS.split()}
_FIRST = "".join(_TYPO)
_SECOND = "苑园林湾城府庭溪岸峰港湖轩阁坊泽源桥堤塘浦汀洲山岭阳光晖"
_SUFFIX = ("新村", "花园", "家园", "小区", "一区", "二区", "公寓", "名苑")
_STREET_WORDS = "城北城南城东城西湖滨长庆文新古荡翠苑蒋村转塘留下北山灵隐西溪三墩双浦龙坞"
_COMPANIES = ("绿城", "万科", "保利", "中海", "金地", "滨江", "南都", "耀江", "广宇", "嘉凯")

LON0, LAT0 = 120.08, 30.22  # south-west corner of the district
STREET_W, STREET_H = 0.032, 0.024


@dataclass
class Geography:
    """Everything about places, as parallel arrays indexed by community / grid / address."""

    street_names: list[str]
    comm_street: np.ndarray
    comm_name: list[str]  # full name, e.g. 翠苑新村社区
    comm_short: list[str]
    comm_kind: np.ndarray  # index into KINDS
    comm_pilot: np.ndarray  # bool
    comm_company: list[str]  # property company, "" when none (社区代管)
    comm_weight: np.ndarray  # relative complaint volume
    comm_bbox: np.ndarray  # (n, 4) lon0, lat0, lon1, lat1
    grid_comm: np.ndarray
    grid_name: list[str]
    grid_bbox: np.ndarray
    addr_comm: np.ndarray
    addr_grid: np.ndarray
    addr_building: np.ndarray
    addr_unit: np.ndarray
    addr_households: np.ndarray
    addr_lonlat: np.ndarray

    @property
    def n_comm(self) -> int:
        """Number of communities."""
        return len(self.comm_name)

    def comm_id(self, i: int) -> str:
        """Stable id of community i."""
        return f"C{i + 1:04d}"

    def canonical_address(self, a: np.ndarray) -> np.ndarray:
        """Canonical address text of address indices `a` (community short name + 幢 + 单元)."""
        short = np.array(self.comm_short)[self.addr_comm[a]]
        b = self.addr_building[a].astype(str)
        u = self.addr_unit[a].astype(str)
        return np.char.add(np.char.add(np.char.add(np.char.add(short, b), "幢"), u), "单元")

    @cached_property
    def alias_matrix(self) -> np.ndarray:
        """(communities, 4) array of the name variants, in the order of `aliases`."""
        return np.array([self.aliases(i) for i in range(self.n_comm)])

    def aliases(self, i: int) -> list[str]:
        """Name variants of community i: full, short, 居委会 suffix, common typo."""
        full, short = self.comm_name[i], self.comm_short[i]
        return [full, short, full + "居委会", _TYPO.get(short[0], short[0]) + full[1:]]


def _names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """n distinct community short names and full names."""
    pool = [a + b + s for a in _FIRST for b in _SECOND for s in _SUFFIX]
    pool = list(dict.fromkeys(p for p in pool if p[0] != p[1]))
    pick = rng.choice(len(pool), size=n, replace=False)
    short = [pool[i] for i in pick]
    return short, [s + "社区" for s in short]


def build_geography(scale: Scale, rng: np.random.Generator) -> Geography:
    """Lay out the streets as a rectangle of communities, each cut into 6-10 grid cells."""
    n_streets = scale.streets
    per = scale.communities_per_street
    n = n_streets * per
    words = [_STREET_WORDS[i : i + 2] for i in range(0, len(_STREET_WORDS), 2)]
    street_names = [
        (words[s % len(words)] + ("" if s < len(words) else str(s // len(words) + 1))) + "街道"
        for s in range(n_streets)
    ]
    short, full = _names(rng, n)
    kinds = np.concatenate(
        [rng.permutation(np.resize(_kind_cycle(per), per)) for _ in range(n_streets)]
    )
    pilot = np.zeros(n, dtype=bool)
    for s in range(n_streets):
        idx = rng.permutation(per)[: per // 2 if per > 1 else 1]
        pilot[s * per + idx] = True
    company = [
        "" if (k == 0 and rng.random() < 0.5) else f"{_COMPANIES[rng.integers(10)]}物业服务有限公司"
        for k in kinds.tolist()
    ]
    comm_street = np.repeat(np.arange(n_streets), per)
    s_cols = math.ceil(math.sqrt(n_streets))
    c_cols = math.ceil(math.sqrt(per * 1.3))
    c_rows = math.ceil(per / c_cols)
    cw, ch = STREET_W / c_cols, STREET_H / c_rows
    comm_bbox = np.zeros((n, 4))
    grid_comm: list[int] = []
    grid_name: list[str] = []
    grid_boxes: list[tuple[float, float, float, float]] = []
    for i in range(n):
        s, j = divmod(i, per)
        sx, sy = LON0 + (s % s_cols) * STREET_W, LAT0 + (s // s_cols) * STREET_H
        x0, y0 = sx + (j % c_cols) * cw, sy + (j // c_cols) * ch
        # the last row of communities stretches so the street rectangle is tiled exactly
        last_row = j // c_cols == c_rows - 1
        in_row = per - (c_rows - 1) * c_cols if last_row else c_cols
        w = STREET_W / in_row if last_row else cw
        x0 = sx + (j % c_cols) * w
        comm_bbox[i] = (x0, y0, x0 + w, y0 + ch)
        g = int(rng.integers(6, 11))
        top = math.ceil(g / 2)
        for k in range(g):
            row, col = (0, k) if k < top else (1, k - top)
            cols = top if row == 0 else g - top
            gw, gh = w / cols, ch / 2
            grid_boxes.append(
                (x0 + col * gw, y0 + row * gh, x0 + (col + 1) * gw, y0 + (row + 1) * gh)
            )
            grid_comm.append(i)
            grid_name.append(f"{short[i]}第{k + 1}网格")
    gc = np.array(grid_comm)
    gbox = np.array(grid_boxes)
    # buildings per grid, units per building, households per unit
    a_comm: list[np.ndarray] = []
    a_grid: list[np.ndarray] = []
    a_bld: list[np.ndarray] = []
    a_unit: list[np.ndarray] = []
    next_building = np.zeros(n, dtype=np.int64)
    for gi in range(len(gc)):
        c = int(gc[gi])
        nb = int(rng.integers(3, 8))
        units = rng.integers(2, 5, size=nb)
        blds = next_building[c] + 1 + np.repeat(np.arange(nb), units)
        next_building[c] += nb
        a_bld.append(blds)
        a_unit.append(np.concatenate([np.arange(1, u + 1) for u in units.tolist()]))
        a_comm.append(np.full(len(blds), c))
        a_grid.append(np.full(len(blds), gi))
    addr_comm = np.concatenate(a_comm)
    addr_grid = np.concatenate(a_grid)
    kind_a = kinds[addr_comm]
    floors = np.where(
        kind_a == 0, rng.integers(5, 8, len(addr_comm)), rng.integers(11, 33, len(addr_comm))
    )
    households = floors * 2
    box = gbox[addr_grid]
    lon = box[:, 0] + (box[:, 2] - box[:, 0]) * rng.uniform(0.1, 0.9, len(addr_comm))
    lat = box[:, 1] + (box[:, 3] - box[:, 1]) * rng.uniform(0.1, 0.9, len(addr_comm))
    hh_comm = np.bincount(addr_comm, weights=households, minlength=n)
    kind_factor = np.array([1.3, 0.8, 1.1, 1.0])[kinds]
    return Geography(
        street_names=street_names,
        comm_street=comm_street,
        comm_name=full,
        comm_short=short,
        comm_kind=kinds,
        comm_pilot=pilot,
        comm_company=company,
        comm_weight=hh_comm / hh_comm.mean() * kind_factor,
        comm_bbox=comm_bbox,
        grid_comm=gc,
        grid_name=grid_name,
        grid_bbox=gbox,
        addr_comm=addr_comm,
        addr_grid=addr_grid,
        addr_building=np.concatenate(a_bld),
        addr_unit=np.concatenate(a_unit),
        addr_households=households,
        addr_lonlat=np.column_stack([lon, lat]),
    )


def _kind_cycle(per: int) -> np.ndarray:
    """Kinds in proportion for `per` communities, every kind present when per >= 4."""
    counts = np.maximum(np.round(np.array(KIND_WEIGHTS) * per).astype(int), 1 if per >= 4 else 0)
    out = np.repeat(np.arange(4), counts)
    return out if len(out) else np.array([0, 1, 2])


def grids_geojson(geo: Geography) -> dict[str, Any]:
    """The grid cells as a GeoJSON FeatureCollection (they tile each street without overlap)."""
    features = []
    for gi in range(len(geo.grid_comm)):
        x0, y0, x1, y1 = (round(float(v), 6) for v in geo.grid_bbox[gi])
        c = int(geo.grid_comm[gi])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "grid_id": f"G{gi + 1:05d}",
                    "grid_name": geo.grid_name[gi],
                    "community_id": geo.comm_id(c),
                    "community_name": geo.comm_name[c],
                    "street_name": geo.street_names[int(geo.comm_street[c])],
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
