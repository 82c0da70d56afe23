"""KPI status (red/amber/green) and the overall index, after Boston's CityScore."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.metrics import KpiValue

# Boston's CityScore: each metric scored as its value against its target (1.00 = on target),
# the overall score the mean of the metric scores. A score is capped so one metric far above
# target cannot hide the others.
SCORE_CAP = 1.5
AMBER_FROM = 0.9  # below target but within 10% of it
LOWER_IS_BETTER = {
    "repeat_complaint_rate",
    "avg_handling_working_days",
    "median_handling_working_days",
    "duplicate_inspection_rate",
    "second_rectification_rate",
    "recurrence_3m_rate",
}


def lower_is_better(kpi: KpiValue) -> bool:
    """Whether a smaller value is the better one (from the target's comparison, else the name)."""
    if kpi.target is not None:
        return kpi.target.op in {"<", "<="}
    return kpi.name in LOWER_IS_BETTER


def score(kpi: KpiValue) -> float | None:
    """The KPI's score: value / target (target / value when lower is better), in [0, cap]."""
    if kpi.value is None or kpi.target is None:
        return None
    value, target = kpi.value, kpi.target.value
    if lower_is_better(kpi):
        raw = SCORE_CAP if value <= 0 else target / value
    elif target == 0:
        raw = 1.0 if value >= 0 else 0.0
    else:
        raw = value / target
    return max(0.0, min(SCORE_CAP, raw))


def status(kpi: KpiValue) -> str:
    """`green` when the target is met, `amber` within 10% of it, `red` below, `none` without."""
    met = kpi.meets_target
    if met is None:
        return "none"
    if met:
        return "green"
    value = score(kpi)
    return "amber" if value is not None and value >= AMBER_FROM else "red"


@dataclass(frozen=True)
class OverallIndex:
    """The overall index: the mean of the KPI scores, and the scores it averages."""

    value: float | None
    scores: dict[str, float]


def overall_index(values: dict[str, KpiValue]) -> OverallIndex:
    """The mean score over the KPIs that have both a value and a target."""
    scores = {name: s for name, kpi in values.items() if (s := score(kpi)) is not None}
    mean = sum(scores.values()) / len(scores) if scores else None
    return OverallIndex(mean, scores)
