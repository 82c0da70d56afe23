"""The committed settings file (windows, thresholds, targets) as typed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from warehouse.calendar import CalendarOverrides
from warehouse.paths import SETTINGS_FILE


@dataclass(frozen=True)
class Target:
    """A KPI target: the comparison and the value the KPI must meet."""

    op: str
    value: float

    def is_met(self, measured: float) -> bool:
        """Whether a measured value meets the target."""
        ops = {
            "<": measured < self.value,
            "<=": measured <= self.value,
            ">": measured > self.value,
            ">=": measured >= self.value,
        }
        return ops[self.op]


@dataclass(frozen=True)
class Settings:
    """Windows and targets; see warehouse/settings.yaml."""

    timezone: str
    repeat_complaint_hours: int
    duplicate_inspection_days: int
    targets: dict[str, Target]
    calendar: CalendarOverrides = field(default_factory=CalendarOverrides)


def _dates(values: list[Any] | None, key: str) -> list[date]:
    try:
        return [v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values or []]
    except ValueError as error:
        raise ValueError(f"settings: calendar.{key}: {error}") from None


def parse_settings(raw: dict[str, Any]) -> Settings:
    """Settings from the parsed YAML document, with clear errors for missing keys."""
    try:
        windows = raw["windows"]
        targets = {
            name: Target(op=str(spec["op"]), value=float(spec["value"]))
            for name, spec in raw["targets"].items()
        }
        for name, target in targets.items():
            if target.op not in {"<", "<=", ">", ">="}:
                raise ValueError(f"target {name}: op must be one of < <= > >=, got {target.op!r}")
        calendar = raw.get("calendar") or {}
        overrides = CalendarOverrides(
            holidays=frozenset(_dates(calendar.get("extra_holidays"), "extra_holidays")),
            workdays=frozenset(_dates(calendar.get("extra_workdays"), "extra_workdays")),
        )
        return Settings(
            calendar=overrides,
            timezone=str(raw.get("timezone", "Asia/Shanghai")),
            repeat_complaint_hours=int(windows["repeat_complaint_hours"]),
            duplicate_inspection_days=int(windows["duplicate_inspection_days"]),
            targets=targets,
        )
    except KeyError as missing:
        raise ValueError(f"settings: missing key {missing}") from None


@cache
def load_settings(path: Path = SETTINGS_FILE) -> Settings:
    """The settings file, parsed once per process."""
    with path.open(encoding="utf-8") as handle:
        return parse_settings(yaml.safe_load(handle))
