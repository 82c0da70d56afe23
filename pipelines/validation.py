"""Contracts compiled to Great Expectations suites, run on each incoming batch: failing rows."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines.readers import LINE
from pipelines.repeats import repeated_rows
from warehouse.contracts import Contract

if TYPE_CHECKING:
    import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
GX_LOCK = threading.Lock()  # files are validated on worker threads; GX's context is not safe


@dataclass(frozen=True)
class RowFailure:
    """One row that failed one expectation."""

    line: int
    rule: str
    column: str | None
    value: str | None


def _gx() -> Any:
    import great_expectations as gx  # heavy import (seconds): only when validating

    return gx


def compile_suite(contract: Contract) -> Any:
    """The contract as a GX ExpectationSuite named after the dataset."""
    gx = _gx()
    _context()
    suite = gx.ExpectationSuite(name=contract.dataset)
    for column in contract.columns:
        meta = {"rule": f"required:{column.name}", "column": column.name}
        if column.required:
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToNotBeNull(column=column.name, meta=meta)
            )
        if column.allowed is not None:
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeInSet(
                    column=column.name,
                    value_set=list(column.allowed),
                    meta={"rule": f"allowed:{column.name}", "column": column.name},
                )
            )
        if column.min is not None or column.max is not None:
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=column.min,
                    max_value=column.max,
                    meta={"rule": f"range:{column.name}", "column": column.name},
                )
            )
    for rule in contract.rules:
        if rule.not_before is None:
            values = ", ".join(repr(v) for v in rule.unless_values)
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToNotBeNull(
                    column=rule.column,
                    row_condition=f"~{rule.unless_column}.isin([{values}])",
                    condition_parser="pandas",
                    meta={"rule": rule.name, "column": rule.column},
                )
            )
            continue
        suite.add_expectation(
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=rule.column,
                column_B=rule.not_before,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta={"rule": rule.name, "column": rule.column},
            )
        )
    if len(contract.key) == 1:
        suite.add_expectation(
            gx.expectations.ExpectColumnValuesToBeUnique(
                column=contract.key[0], meta={"rule": "unique_key", "column": contract.key[0]}
            )
        )
    else:
        suite.add_expectation(
            gx.expectations.ExpectCompoundColumnsToBeUnique(
                column_list=list(contract.key),
                meta={"rule": "unique_key", "column": ",".join(contract.key)},
            )
        )
    return suite


@cache
def _context() -> Any:
    """One ephemeral GX context per process (nothing written to disk, no progress bars)."""
    context = _gx().get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


@cache
def _batch_definition() -> Any:
    source = _context().data_sources.add_pandas("duban_incoming")
    asset = source.add_dataframe_asset("batch")
    return asset.add_batch_definition_whole_dataframe("whole")


def validate(frame: pl.DataFrame, contract: Contract) -> list[RowFailure]:
    """Run the contract's suite on a canonical frame; every failing (row, rule) pair."""
    if frame.is_empty():
        return []
    import pandas as pd  # only the GX path needs pandas (an import of about a second)

    # only the columns a check reads: GX's pandas engine copies every column of the frame for
    # each expectation, and the free-text ones cost the most (a 10m hotline month: 14 s to 3.4 s)
    checked = [name for name in contract.checked_columns if name in frame.columns]
    data: pd.DataFrame = frame.select(LINE, *checked).to_pandas()
    with GX_LOCK:  # one context and one batch definition per process: one batch at a time
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": data})
        result = batch.validate(
            compile_suite(contract),
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 0},
        )
    lines = data[LINE].to_numpy()
    failures: list[RowFailure] = []
    for outcome in result.results:
        if outcome.success:
            continue
        meta = outcome.expectation_config.meta or {}
        indices = outcome.result.get("unexpected_index_list")
        if indices is None:
            raise RuntimeError(f"GX gave no failing rows for {meta.get('rule')}: {outcome.result}")
        column = meta.get("column")
        for index in indices:
            position = index if isinstance(index, int) else int(index.get("index", -1))
            value = None
            if column in data.columns:
                cell = data[column].iloc[position]
                value = None if pd.isna(cell) else str(cell)
            failures.append(RowFailure(int(lines[position]), str(meta["rule"]), column, value))
    return failures


def _shown(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A value as text the way the GX path shows it (pandas' str of the cell)."""
    if dtype == pl.Datetime("us"):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S")
    return column.cast(pl.String)


def validate_fast(frame: pl.DataFrame, contract: Contract) -> list[RowFailure]:
    """The same expectations as the contract's GX suite, as vectorised polars checks."""
    if frame.is_empty():
        return []
    checks: list[tuple[str, str | None, pl.Expr]] = []
    for column in contract.columns:
        c = pl.col(column.name)
        if column.required:
            checks.append((f"required:{column.name}", column.name, c.is_null()))
        if column.allowed is not None:
            bad = c.is_not_null() & ~c.cast(pl.String).is_in(list(column.allowed))
            checks.append((f"allowed:{column.name}", column.name, bad))
        if column.min is not None or column.max is not None:
            low = c < column.min if column.min is not None else pl.lit(False)
            high = c > column.max if column.max is not None else pl.lit(False)
            checks.append((f"range:{column.name}", column.name, c.is_not_null() & (low | high)))
    for rule in contract.rules:
        if rule.not_before is None:
            exempt = (
                pl.col(str(rule.unless_column)).is_in(list(rule.unless_values)).fill_null(False)
            )
            checks.append((rule.name, rule.column, pl.col(rule.column).is_null() & ~exempt))
            continue
        a, b = pl.col(rule.column), pl.col(rule.not_before)
        checks.append((rule.name, rule.column, a.is_not_null() & b.is_not_null() & (a < b)))
    keys = list(contract.key)
    present = ~pl.all_horizontal(pl.col(keys).is_null())  # one key column: it is not null
    repeated = pl.lit(repeated_rows(frame.select(keys)))
    checks.append(("unique_key", ",".join(keys), present & repeated))
    flags = frame.select(
        pl.col(LINE),
        *[expr.fill_null(False).alias(f"__check{i}") for i, (_, _, expr) in enumerate(checks)],
    )
    failures: list[RowFailure] = []
    for i, (rule_name, checked, _) in enumerate(checks):
        hit = flags.get_column(f"__check{i}")
        if not hit.any():
            continue
        lines = flags.get_column(LINE).filter(hit).to_list()
        if checked is not None and checked in frame.columns:
            failing = frame.select(checked).filter(hit)  # only the failing values as text
            as_text = failing.select(_shown(pl.col(checked), frame.schema[checked]))
            shown = as_text.to_series().to_list()
        else:
            shown = [None] * len(lines)
        failures += [
            RowFailure(int(line), rule_name, checked, value)
            for line, value in zip(lines, shown, strict=True)
        ]
    return failures
