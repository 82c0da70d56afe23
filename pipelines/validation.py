"""Contracts compiled to Great Expectations suites, run on each incoming batch: failing rows."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
import polars as pl

from pipelines.readers import LINE
from warehouse.contracts import Contract

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


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
    data: pd.DataFrame = frame.to_pandas()
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
