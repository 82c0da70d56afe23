"""Chinese working days (chinese_calendar, Mon-Fri fallback) as vectorised epoch-day arithmetic."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np

from pipelines.generator.config import EPOCH


class WorkCalendar:
    """Working days between two epoch days; later queries past the range raise IndexError."""

    def __init__(self, first_day: int, last_day: int) -> None:
        self.first = first_day
        days = np.arange(first_day, last_day + 1, dtype=np.int64)
        work = np.empty(len(days), dtype=bool)
        self.fallback_years: set[int] = set()
        for i, d in enumerate(days.tolist()):
            date = EPOCH + dt.timedelta(days=d)
            try:
                work[i] = chinese_calendar.is_workday(date)
            except NotImplementedError:
                self.fallback_years.add(date.year)
                work[i] = date.weekday() < 5
        self.is_work = work
        self.workdays = days[work]
        self.cum = np.cumsum(work)

    def add(self, day: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The n-th working day strictly after `day` (n >= 1); n == 0 gives `day` itself."""
        n_arr = np.asarray(n)
        idx = np.searchsorted(self.workdays, day, side="right") + np.maximum(n_arr, 1) - 1
        out = self.workdays[idx]
        return np.where(n_arr <= 0, day, out)

    def next_on_or_after(self, day: np.ndarray) -> np.ndarray:
        """The first working day on or after `day`."""
        return self.workdays[np.searchsorted(self.workdays, day, side="left")]

    def elapsed(self, day1: np.ndarray, day2: np.ndarray) -> np.ndarray:
        """Working days d with day1 < d <= day2."""
        return self.cum[day2 - self.first] - self.cum[day1 - self.first]
