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
class EvaluationSettings:
    """Weights of the evaluation score: by evaluator and by indicator type (docs/metrics.md)."""

    evaluators: dict[str, float] = field(
        default_factory=lambda: {"residents": 0.4, "superior": 0.3, "third_party": 0.3}
    )
    evaluator_types: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "residents": ("居民", "居民代表"),
            "superior": ("上级部门",),
            "third_party": ("第三方机构", "第三方"),
        }
    )
    indicator_types: dict[str, float] = field(
        default_factory=lambda: {"outcome": 0.6, "process": 0.4}
    )


@dataclass(frozen=True)
class RankingSettings:
    """Who is ranked: a minimum volume of observations; how many on each list."""

    min_volume: int = 20
    list_size: int = 5


EVALUATORS = ("residents", "superior", "third_party")
INDICATOR_TYPES = ("outcome", "process")


def _weights(raw: dict[str, Any] | None, names: tuple[str, ...], key: str) -> dict[str, float]:
    """Weights for exactly `names`, each >= 0, summing to 1."""
    values = {str(k): float(v) for k, v in (raw or {}).items()}
    if set(values) != set(names):
        raise ValueError(f"settings: {key} must give weights for {', '.join(names)}")
    if min(values.values()) < 0 or abs(sum(values.values()) - 1) > 1e-9:
        raise ValueError(f"settings: {key} weights must be >= 0 and sum to 1, got {values}")
    return values


def parse_evaluation(raw: dict[str, Any] | None) -> EvaluationSettings:
    """The `evaluation:` block, defaults where it is missing."""
    if not raw:
        return EvaluationSettings()
    default = EvaluationSettings()
    types = raw.get("evaluator_types") or default.evaluator_types
    return EvaluationSettings(
        evaluators=_weights(raw.get("evaluators"), EVALUATORS, "evaluation.evaluators"),
        evaluator_types={name: tuple(str(t) for t in types.get(name) or ()) for name in EVALUATORS},
        indicator_types=_weights(
            raw.get("indicator_types"), INDICATOR_TYPES, "evaluation.indicator_types"
        ),
    )


@dataclass(frozen=True)
class Settings:
    """Windows and targets; see warehouse/settings.yaml."""

    timezone: str
    repeat_complaint_hours: int
    duplicate_inspection_days: int
    targets: dict[str, Target]
    feedback_hours: int = 24
    response_hours: int = 24
    rectification_working_days: int = 15
    evaluation_working_days: int = 5
    recurrence_days: int = 90
    second_round_below_pct: float = 80.0
    baseline_months: int = 12
    baseline_from: date | None = None
    baseline_to: date | None = None
    calendar: CalendarOverrides = field(default_factory=CalendarOverrides)
    evaluation: EvaluationSettings = field(default_factory=EvaluationSettings)
    ranking: RankingSettings = field(default_factory=RankingSettings)
    quick_close_minutes: int = 10  # the data-quality flag: closed this soon after received


def _dates(values: list[Any] | None, key: str) -> list[date]:
    try:
        return [v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values or []]
    except ValueError as error:
        raise ValueError(f"settings: {key}: {error}") from None


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
            holidays=frozenset(_dates(calendar.get("extra_holidays"), "calendar.extra_holidays")),
            workdays=frozenset(_dates(calendar.get("extra_workdays"), "calendar.extra_workdays")),
        )
        baseline = raw.get("baseline") or {}
        explicit = _dates([v for v in (baseline.get("from"), baseline.get("to")) if v], "baseline")
        return Settings(
            calendar=overrides,
            feedback_hours=int(windows.get("feedback_hours", 24)),
            response_hours=int(windows.get("response_hours", 24)),
            rectification_working_days=int(windows.get("rectification_working_days", 15)),
            evaluation_working_days=int(windows.get("evaluation_working_days", 5)),
            recurrence_days=int(windows.get("recurrence_days", 90)),
            second_round_below_pct=float(windows.get("second_round_below_pct", 80)),
            baseline_months=int(baseline.get("months", 12)),
            baseline_from=explicit[0] if len(explicit) == 2 else None,
            baseline_to=explicit[1] if len(explicit) == 2 else None,
            timezone=str(raw.get("timezone", "Asia/Shanghai")),
            repeat_complaint_hours=int(windows["repeat_complaint_hours"]),
            duplicate_inspection_days=int(windows["duplicate_inspection_days"]),
            targets=targets,
            evaluation=parse_evaluation(raw.get("evaluation")),
            quick_close_minutes=int((raw.get("data_quality") or {}).get("quick_close_minutes", 10)),
            ranking=RankingSettings(
                min_volume=int((raw.get("ranking") or {}).get("min_volume", 20)),
                list_size=int((raw.get("ranking") or {}).get("list_size", 5)),
            ),
        )
    except KeyError as missing:
        raise ValueError(f"settings: missing key {missing}") from None


@cache
def load_settings(path: Path = SETTINGS_FILE) -> Settings:
    """The settings file, parsed once per process."""
    with path.open(encoding="utf-8") as handle:
        return parse_settings(yaml.safe_load(handle))
