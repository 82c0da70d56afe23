"""Scales, the generated period and the calibration parameters of the demo data."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np


@dataclass(frozen=True)
class Scale:
    """How big the generated geography and volumes are."""

    name: str
    streets: int
    communities_per_street: int
    tickets_per_community_month: float
    id_width: int  # digits of the per-day / per-month sequence in ids


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 1, 3, 35.0, 4),
    "demo": Scale("demo", 1, 12, 100.0, 4),
    "1m": Scale("1m", 70, 12, 50.0, 6),
    "10m": Scale("10m", 700, 12, 50.0, 6),
}


@dataclass(frozen=True)
class Period:
    """The generated months: month starts as epoch days, plus `as_of` (end of the last month)."""

    months: list[str]  # "YYYY-MM"
    month_start_day: np.ndarray  # epoch day of each month's first day, plus one past the end
    baseline_months: int

    @property
    def first_day(self) -> int:
        """Epoch day of the first generated day."""
        return int(self.month_start_day[0])

    @property
    def end_day(self) -> int:
        """Epoch day one past the last generated day."""
        return int(self.month_start_day[-1])

    @property
    def as_of(self) -> int:
        """Epoch second of the last generated moment (23:59:59 of the last day)."""
        return self.end_day * 86400 - 1

    @property
    def split_day(self) -> int:
        """Epoch day where the comparison (second) period starts."""
        return int(self.month_start_day[min(self.baseline_months, len(self.months))])


EPOCH = dt.date(1970, 1, 1)


def epoch_day(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def build_period(end: str | None, months: int, today: dt.date | None = None) -> Period:
    """Parse `end` ("YYYY-MM", default: last full month in Asia/Shanghai) into the month list."""
    if not isinstance(months, int) or months < 1 or months > 120:
        raise ValueError(f"months must be an integer from 1 to 120, got {months!r}")
    if end is None:
        now = today or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
        y, m = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    else:
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(end))
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"end must look like YYYY-MM (e.g. 2025-06), got {end!r}")
        y, m = int(match.group(1)), int(match.group(2))
        if not 2005 <= y <= 2099:
            raise ValueError(f"end year must be between 2005 and 2099, got {end!r}")
    labels: list[str] = []
    starts: list[int] = []
    idx = y * 12 + (m - 1) - (months - 1)
    for k in range(months + 1):
        yy, mm = divmod(idx + k, 12)
        if k < months:
            labels.append(f"{yy:04d}-{mm + 1:02d}")
        starts.append(epoch_day(dt.date(yy, mm + 1, 1)))
    return Period(labels, np.array(starts, dtype=np.int64), baseline_months=min(12, months))


def get_scale(scale: str) -> Scale:
    """Look a scale up by name, with a clear error."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    return SCALES[scale]


@dataclass(frozen=True)
class Regime:
    """Behaviour parameters of one group of communities in one period."""

    dup_inspection: float  # chance that the next visit on a subject comes within 30 days
    env_share: float  # share of complaints about the community environment
    repeat_env: float  # chance an environment complaint is followed by a repeat
    repeat_other: float
    response_24h: float
    handling_mean_wd: float
    satisfied: float  # share of rated complaints 满意/基本满意
    notice_24h: float
    complete: float
    on_time: float
    evaluated_on_time: float
    low_satisfaction: float  # share of evaluations below 80%
    recurrence: float  # chance a completed case's problem comes back within 90 days
    fail: float  # chance a visit fails


# the first 12 months, every community: the plan's baseline figures
BASELINE = Regime(
    dup_inspection=0.39,
    env_share=0.42,
    repeat_env=0.305,
    repeat_other=0.13,
    response_24h=0.70,
    handling_mean_wd=7.0,
    satisfied=0.72,
    notice_24h=0.55,
    complete=0.75,
    on_time=0.70,
    evaluated_on_time=0.70,
    low_satisfaction=0.25,
    recurrence=0.17,
    fail=0.30,
)
# the months after, pilot communities running the closed loop: near the plan's targets
PILOT = Regime(
    dup_inspection=0.22,
    env_share=0.38,
    repeat_env=0.06,
    repeat_other=0.04,
    response_24h=0.97,
    handling_mean_wd=2.5,
    satisfied=0.92,
    notice_24h=0.97,
    complete=0.965,
    on_time=0.95,
    evaluated_on_time=0.97,
    low_satisfaction=0.06,
    recurrence=0.03,
    fail=0.12,
)
# the months after, the other communities: some improvement
OTHERS = Regime(
    dup_inspection=0.34,
    env_share=0.41,
    repeat_env=0.22,
    repeat_other=0.10,
    response_24h=0.82,
    handling_mean_wd=5.5,
    satisfied=0.80,
    notice_24h=0.75,
    complete=0.84,
    on_time=0.80,
    evaluated_on_time=0.82,
    low_satisfaction=0.15,
    recurrence=0.09,
    fail=0.24,
)
