"""Planted defects at known small rates: each one recorded with its row, column and kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

RATES: dict[str, float] = {
    "duplicate_row": 0.004,
    "stray_space": 0.006,
    "full_width_digits": 0.004,
    "unknown_community": 0.003,
    "impossible_time": 0.003,
    "missing_required": 0.004,
    "out_of_range": 0.003,
    "blank_line": 0.002,
}
UNKNOWN_COMMUNITIES = ("幸福里社区", "向阳社区", "红旗新村社区", "朝阳一村社区", "光华苑社区")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class MessSpec:
    """Which columns of a dataset each defect kind may touch."""

    text_cols: tuple[str, ...]  # stray spaces
    digit_cols: tuple[str, ...]  # full-width digits
    community_col: str | None
    required_cols: tuple[str, ...]
    time_pair: tuple[str, str, str] | None = None  # (start col, end col, strftime format)
    out_of_range: tuple[str, str] | None = None  # (column, how: "hour" | "percent" | "score")
    blank_lines: bool = True
    minimum: int = 0  # at least this many of each applicable kind when the file is big enough


@dataclass
class Planted:
    """The messy frame, its defects (row = 1-based data row) and blank lines (before data row)."""

    frame: pl.DataFrame
    defects: list[dict[str, object]] = field(default_factory=list)
    blank_before: list[int] = field(default_factory=list)


class _Cells:
    """Reads cells of a frame and collects point updates, applied at the end with scatter."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.updates: dict[str, dict[int, str | None]] = {}
        self.series: dict[str, pl.Series] = {}  # columns looked up once, read cell by cell

    def value(self, col: str, row: int) -> str | None:
        """The original value of one cell."""
        if col not in self.series:
            self.series[col] = self.frame.get_column(col)
        return self.series[col][row]

    def __getitem__(self, col: str) -> _Column:
        return _Column(self, col)

    def apply(self) -> pl.DataFrame:
        out = self.frame
        for col, ups in sorted(self.updates.items()):
            rows = sorted(ups)
            values = pl.Series(col, [ups[r] for r in rows], dtype=pl.String)
            out = out.with_columns(out[col].scatter(rows, values))
        return out


class _Column:
    def __init__(self, cells: _Cells, col: str) -> None:
        self.cells, self.col = cells, col

    def __getitem__(self, row: int) -> str | None:
        ups = self.cells.updates.get(self.col, {})
        return ups[row] if row in ups else self.cells.value(self.col, row)

    def __setitem__(self, row: int, value: str | None) -> None:
        self.cells.updates.setdefault(self.col, {})[row] = value


def _with_copies(frame: pl.DataFrame, rows: np.ndarray) -> pl.DataFrame:
    """The frame with a copy of each of the (sorted, distinct) rows right after it; built from
    zero-copy slices, so the few copies cost no gather of the whole frame."""
    if not len(rows):
        return frame
    pieces: list[pl.DataFrame] = []
    start = 0
    for r in rows.tolist():
        pieces += [frame[start : r + 1], frame[r : r + 1]]
        start = r + 1
    pieces.append(frame[start:])
    return pl.concat(pieces, rechunk=False)


def _count(rng: np.random.Generator, n: int, rate: float, minimum: int) -> int:
    k = int(rng.binomial(n, rate)) if n else 0
    return max(k, minimum if n >= 20 else 0)


def plant(frame: pl.DataFrame, spec: MessSpec, rng: np.random.Generator) -> Planted:
    """Plant value defects on disjoint rows, then duplicate rows, then choose blank lines."""
    n = frame.height
    if n == 0:
        return Planted(frame)
    cols = _Cells(frame)
    free = rng.permutation(n).tolist()
    found: list[tuple[int, str, str, object]] = []  # (row0, column, kind, bad value)

    cursor = 0

    def take(k: int, *need: str, digits: bool = False) -> list[int]:
        """Up to k fresh rows (in random order) whose `need` cells are filled (with a digit)."""
        nonlocal cursor
        out: list[int] = []
        while len(out) < k and cursor < len(free):
            r = free[cursor]
            cursor += 1  # a row is looked at once, whether it is used or not
            values = [cols[c][r] for c in need]
            if all(v not in (None, "") for v in values) and (
                not digits or any(ch.isdigit() for v in values for ch in str(v))
            ):
                out.append(r)
        return out

    def pick(options: tuple[str, ...]) -> str:
        return options[int(rng.integers(len(options)))]

    def count(kind: str) -> int:
        return _count(rng, n, RATES[kind], spec.minimum)

    if spec.text_cols:
        for _ in range(count("stray_space")):
            c = pick(spec.text_cols)
            for r in take(1, c):
                cols[c][r] = (" " if r % 2 else "") + str(cols[c][r]) + "  "
                found.append((r, c, "stray_space", cols[c][r]))
    if spec.digit_cols:
        for _ in range(count("full_width_digits")):
            c = pick(spec.digit_cols)
            for r in take(1, c, digits=True):
                cols[c][r] = str(cols[c][r]).translate(_FULL_WIDTH)
                found.append((r, c, "full_width_digits", cols[c][r]))
    if spec.community_col:
        c = spec.community_col
        for r in take(count("unknown_community"), c):
            cols[c][r] = pick(UNKNOWN_COMMUNITIES)
            found.append((r, c, "unknown_community", cols[c][r]))
    if spec.time_pair:
        a, b, fmt = spec.time_pair
        for r in take(count("impossible_time"), a, b):
            start = dt.datetime.strptime(str(cols[a][r]), fmt)
            before = start - dt.timedelta(minutes=int(rng.integers(30, 3 * 24 * 60)))
            cols[b][r] = before.strftime(fmt)
            found.append((r, b, "impossible_time", cols[b][r]))
    if spec.required_cols:
        for _ in range(count("missing_required")):
            c = pick(spec.required_cols)
            for r in take(1, c):
                cols[c][r] = None
                found.append((r, c, "missing_required", None))
    if spec.out_of_range:
        c, how = spec.out_of_range
        for r in take(count("out_of_range"), c):
            v = str(cols[c][r])
            if how == "hour":
                bad = f"{v[:11]}{int(rng.integers(25, 30))}{v[13:]}"
            elif how == "percent":
                bad = str(int(rng.choice([-5, 105, 120, 150, 999])))
            else:
                bad = str(int(rng.choice([-10, 101, 120, 200])))
            cols[c][r] = bad
            found.append((r, c, "out_of_range", bad))
    messy = cols.apply()
    # exact duplicates: a copy right after the original
    counts = np.ones(n, dtype=np.int64)
    dups = rng.choice(
        n, size=min(n, _count(rng, n, RATES["duplicate_row"], spec.minimum)), replace=False
    )
    counts[dups] = 2
    final_pos = np.cumsum(counts) - counts  # 0-based row of each original
    messy = _with_copies(messy, np.sort(dups))
    defects: list[dict[str, object]] = [
        {"row": int(final_pos[r]) + 1, "column": c, "kind": k, "value": v} for r, c, k, v in found
    ]
    defects += [
        {"row": int(final_pos[r]) + 2, "column": None, "kind": "duplicate_row", "value": None}
        for r in sorted(dups.tolist())
    ]
    blanks: list[int] = []
    if spec.blank_lines:
        k = _count(rng, messy.height, RATES["blank_line"], spec.minimum)
        blanks = (
            sorted(
                rng.choice(
                    np.arange(2, messy.height + 1), size=min(k, messy.height - 1), replace=False
                ).tolist()
            )
            if messy.height > 1
            else []
        )
    defects.sort(key=lambda d: (int(str(d["row"])), str(d["kind"])))
    return Planted(messy, defects, blanks)
