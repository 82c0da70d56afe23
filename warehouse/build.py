"""The build runner: writes the settings table, then creates every SQL model in dependency order."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import yaml

from warehouse import incremental
from warehouse.calendar import build_calendar
from warehouse.connection import fetch_one
from warehouse.models import Model, build_order, discover
from warehouse.paths import SQL_DIR
from warehouse.schema import ensure_raw_schema
from warehouse.settings import Settings, load_settings


@dataclass(frozen=True)
class BuiltModel:
    """What building one model did."""

    name: str
    materialization: str
    rows: int | None
    seconds: float


class ModelBuildError(RuntimeError):
    """A model's SQL failed."""


def write_settings_table(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The windows the models read, as a one-row table `build_settings`."""
    con.execute(
        """
        create or replace table build_settings as
        select
            $repeat_hours::integer as repeat_complaint_hours,
            $duplicate_days::integer as duplicate_inspection_days,
            $feedback_hours::integer as feedback_hours,
            $response_hours::integer as response_hours,
            $rectification_days::integer as rectification_working_days,
            $evaluation_days::integer as evaluation_working_days,
            $recurrence_days::integer as recurrence_days,
            $second_round_below::double as second_round_below_pct
        """,
        {
            "repeat_hours": settings.repeat_complaint_hours,
            "duplicate_days": settings.duplicate_inspection_days,
            "feedback_hours": settings.feedback_hours,
            "response_hours": settings.response_hours,
            "rectification_days": settings.rectification_working_days,
            "evaluation_days": settings.evaluation_working_days,
            "recurrence_days": settings.recurrence_days,
            "second_round_below": settings.second_round_below_pct,
        },
    )


# marts that no model builds any more: a warehouse built before keeps them until a build drops them
RETIRED_MARTS = ("hotspot_areas_monthly",)

INDICATOR_MEASURES_FILE = Path(__file__).with_name("indicators.yaml")
# measure kind -> the parameters it takes (sql/marts/indicator_compliance.sql computes each kind)
MEASURE_KINDS: dict[str, frozenset[str]] = {
    "inspection_pass_rate": frozenset({"subject", "problem_types"}),
    **{
        kind: frozenset({"problem_types"})
        for kind in (
            "complaint_response_rate", "complaint_response_hours", "complaint_closure_rate",
            "complaint_handling_working_days", "repeat_complaint_rate", "case_completion_rate",
            "case_on_time_rate", "case_feedback_rate", "case_satisfaction_rate",
            "case_recurrence_rate", "second_rectification_rate",
        )
    },
    "resident_participation": frozenset({"evaluator_types"}),
    "resident_awareness": frozenset({"evaluator_types"}),
}  # fmt: skip


def load_indicator_measures(path: Path = INDICATOR_MEASURES_FILE) -> pl.DataFrame:
    """The indicator -> measure mapping (warehouse/indicators.yaml), checked against the kinds."""
    with path.open(encoding="utf-8") as handle:
        entries: dict[str, dict[str, object]] = yaml.safe_load(handle)["indicators"]
    rows = []
    for indicator_id, entry in entries.items():
        kind = entry.get("measure")
        params = set(entry) - {"measure", "note"}
        if kind is not None and (kind not in MEASURE_KINDS or not params <= MEASURE_KINDS[kind]):
            raise ValueError(
                f"{path}: {indicator_id}: measure {kind!r} with {sorted(params)} is not one of"
                f" {sorted(MEASURE_KINDS)} with its parameters; fix the entry"
            )
        if kind == "inspection_pass_rate" and not entry.get("subject"):
            raise ValueError(f"{path}: {indicator_id}: inspection_pass_rate needs a subject")
        rows.append({"indicator_id": str(indicator_id), "measure": kind, **{
            key: entry.get(key) for key in ("subject", "problem_types", "evaluator_types", "note")
        }})  # fmt: skip
    text, texts = pl.String, pl.List(pl.String)
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "indicator_id": text, "measure": text, "subject": text,
        "problem_types": texts, "evaluator_types": texts, "note": text,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def write_indicator_measures_table(
    con: duckdb.DuckDBPyConnection, path: Path = INDICATOR_MEASURES_FILE
) -> None:
    """The indicator -> measure mapping as the table `indicator_measures`, one row per indicator."""
    con.register("measure_rows", load_indicator_measures(path).to_arrow())
    try:
        con.execute("create or replace table indicator_measures as select * from measure_rows")
    finally:
        con.unregister("measure_rows")


def write_calendar_table(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The working-day calendar as the table `ref_calendar` (one row per day)."""
    calendar = build_calendar(settings.calendar)
    con.register("calendar_rows", calendar.to_arrow())
    try:
        con.execute("create or replace table ref_calendar as select * from calendar_rows")
    finally:
        con.unregister("calendar_rows")


def build_model(con: duckdb.DuckDBPyConnection, model: Model) -> BuiltModel:
    """Create or replace one model's view or table."""
    started = time.perf_counter()
    kind = model.materialization
    try:
        con.execute(f"create or replace {kind} {model.name} as\n{model.sql}")
        rows = None
        if kind == "table":
            # model names are file names checked against NAME_PATTERN
            counted = fetch_one(con, f"select count(*) from {model.name}")  # noqa: S608
            rows = int(counted[0]) if counted else 0  # type: ignore[call-overload]
    except duckdb.Error as error:
        raise ModelBuildError(f"model {model.name} ({model.path}): {error}") from error
    return BuiltModel(model.name, kind, rows, time.perf_counter() - started)


def build(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path = SQL_DIR,
    settings: Settings | None = None,
    select: set[str] | None = None,
    full: bool = False,
) -> list[BuiltModel]:
    """Build every model (or only `select` ones) in dependency order.

    Incremental when the last build saw the same models, settings and reference data and only new
    fact rows came since (see warehouse/incremental.py); `full` forces a full rebuild.

    A full build runs in one transaction. An incremental one commits model by model: held in one
    transaction, its deletes and inserts into the big tables kept ~10 GB in memory at 10m (~6 GB
    committed step by step, and faster), while a full build measured slower and larger that way.
    No reader sees the steps: the build runs on the writer's private copy, published whole only
    when the build succeeded (connection.writer). The build state is cleared in the first commit
    and written in the last, so an incremental build that stopped half-way is followed by a full
    one, never by an increment on half-updated tables.
    """
    ensure_raw_schema(con)
    settings = settings or load_settings()
    write_settings_table(con, settings)
    write_calendar_table(con, settings)
    write_indicator_measures_table(con)
    discovered = discover(sql_dir)
    models = build_order(discovered)
    current = incremental.fingerprint(con, list(discovered.values()), settings)
    state = incremental.read_state(con)
    newest = incremental.last_load_id(con)
    existing = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
    can_increment = (
        not full
        and select is None
        and state is not None
        and state.fingerprint == current
        and all(m.name in existing for m in models if m.materialization == "table")
    )
    if select is not None:
        models = [model for model in models if model.name in select]
    nothing_new = can_increment and state is not None and state.last_load_id == newest
    con.execute("begin transaction")
    try:
        incremental.clear_state(con)
        if can_increment and state is not None and not nothing_new:
            incremental.prepare(con, state.last_load_id)
        step = build_incrementally if can_increment else build_model
        built: list[BuiltModel] = []
        for model in [] if nothing_new else models:
            built.append(step(con, model))
            if can_increment:
                con.execute("commit")
                con.execute("begin transaction")
        for retired in RETIRED_MARTS:  # names from RETIRED_MARTS only
            con.execute(f"drop table if exists main.{retired}")
        incremental.write_state(con, incremental.BuildState(current, newest))
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return built


def build_incrementally(con: duckdb.DuckDBPyConnection, model: Model) -> BuiltModel:
    """One model in an incremental build: its handler (which may say it built the model whole),
    else as in a full build (views kept)."""
    handler = incremental.HANDLERS.get(model.name)
    if handler is None:
        if model.materialization == "view":
            return BuiltModel(model.name, "view (kept)", None, 0.0)
        return build_model(con, model)
    started = time.perf_counter()
    try:
        kind = handler(con, model) or "incremental"
    except duckdb.Error as error:
        raise ModelBuildError(
            f"model {model.name} ({model.path}), incrementally: {error}"
        ) from error
    counted = fetch_one(con, f"select count(*) from {model.name}")  # noqa: S608
    rows = int(counted[0]) if counted else 0  # type: ignore[call-overload]
    return BuiltModel(model.name, kind, rows, time.perf_counter() - started)
