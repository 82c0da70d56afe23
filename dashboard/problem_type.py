"""KPIs and department scorecards narrowed to one problem type: the warehouse's own SQL (from
warehouse.metrics and warehouse.scorecards) with one more bound filter, `$ptype`."""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse import scorecards
from warehouse.connection import fetch_one
from warehouse.metrics import KPIS, KpiValue, Period, baseline_period
from warehouse.settings import Settings, load_settings

# every fact mart the KPIs and scorecards read has a problem_type column
PTYPE = "($ptype::varchar is null or problem_type = $ptype)"
COMMUNITY = "($community::varchar is null or community_id = $community)"
SCORECARD_SQL = scorecards.SCORECARD_SQL.replace(COMMUNITY, f"{COMMUNITY} and {PTYPE}")
# the scorecard's visits, tickets and cases each take the community filter, so each gets the type
assert SCORECARD_SQL.count(PTYPE) == 3, "warehouse.scorecards.SCORECARD_SQL changed shape"


# inspections are counted by subject (a visit has a problem type only when it failed), so the
# inspection KPIs do not narrow by problem type, as on the inspections page and in the trends
UNTYPED_MARTS = frozenset({"inspection_visits"})


def kpi_sql(name: str) -> str:
    """A KPI's SQL with the problem type filter (every KPI's SQL ends with its where clause)."""
    spec = KPIS[name]
    return spec.sql if spec.mart in UNTYPED_MARTS else f"{spec.sql} and {PTYPE}"


def _parts(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]
) -> tuple[float, float]:
    sql = kpi_sql(name)
    row = fetch_one(con, sql, {k: v for k, v in params.items() if f"${k}" in sql})
    if row is None or row[1] is None:
        return 0.0, 0.0
    return float(row[0] or 0.0), float(row[1])  # type: ignore[arg-type]


def _value(kind: str, numerator: float, denominator: float) -> float | None:
    if not denominator:
        return None
    return numerator if kind == "median" else numerator / denominator


def compute(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    problem_type: str,
    settings: Settings | None = None,
) -> dict[str, KpiValue]:
    """Every KPI for the period counting one problem type only (as warehouse.metrics.compute)."""
    settings = settings or load_settings()
    params = {**period.params(), "ptype": problem_type}
    values: dict[str, KpiValue] = {}
    for name, spec in KPIS.items():
        if spec.kind == "reduction":
            base_period = baseline_period(con, period, settings)
            base = _value(
                "ratio",
                *_parts(
                    con,
                    "duplicate_inspection_rate",
                    {**base_period.params(), "ptype": problem_type},
                ),
            )
            rate = _value("ratio", *_parts(con, "duplicate_inspection_rate", params))
            numerator, denominator = (base - rate, base) if base and rate is not None else (0, 0)
        else:
            numerator, denominator = _parts(con, name, params)
        counted = spec.kind in {"ratio", "mean"}
        values[name] = KpiValue(
            name=name,
            value=_value("ratio" if spec.kind == "reduction" else spec.kind, numerator,
                         denominator),
            numerator=int(numerator) if counted else numerator,
            denominator=int(denominator) if spec.kind != "reduction" else denominator,
            target=settings.targets.get(name),
            unit=spec.unit,
        )  # fmt: skip
    return values


def scorecard_params(period: Period, problem_type: str | None) -> dict[str, Any]:
    """The bound parameters of SCORECARD_SQL."""
    return {
        **period.params(),
        "ptype": problem_type,
        "min_volume": load_settings().ranking.min_volume,
        "closed_status": scorecards.CLOSED_STATUS,
    }
