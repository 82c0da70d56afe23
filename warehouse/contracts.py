"""Data contracts: one YAML per canonical dataset, parsed into typed definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from warehouse.paths import CONTRACTS_DIR

TYPES = {
    "varchar": "varchar",
    "timestamp": "timestamp",
    "date": "date",
    "integer": "bigint",
    "double": "double",
    "boolean": "boolean",
}
POLARS_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.String(),
    "timestamp": pl.Datetime("us"),
    "date": pl.Date(),
    "integer": pl.Int64(),
    "double": pl.Float64(),
    "boolean": pl.Boolean(),
}
PII_KINDS = {"name", "phone", "id_number", "address"}


@dataclass(frozen=True)
class Column:
    """One column of a dataset: its type, nullability, allowed values or range."""

    name: str
    type: str
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pii: str | None = None
    description: str = ""

    @property
    def sql_type(self) -> str:
        """The DuckDB type of the column."""
        return TYPES[self.type]


@dataclass(frozen=True)
class Rule:
    """A row-level rule: `column` must not be before `not_before`, or (`required_unless`) must be
    present unless `unless_column` holds one of `unless_values`."""

    name: str
    column: str
    not_before: str | None = None
    description: str = ""
    unless_column: str | None = None
    unless_values: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the rule reads."""
        other = self.not_before if self.not_before is not None else self.unless_column
        return (self.column, other) if other is not None else (self.column,)


@dataclass(frozen=True)
class Contract:
    """A canonical dataset's contract."""

    dataset: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = field(default=())
    title: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        """The canonical column names, in order."""
        return [column.name for column in self.columns]

    @property
    def checked_columns(self) -> list[str]:
        """The columns a check reads (key, required, allowed, ranges, row rules), in order."""
        checked = set(self.key)
        for column in self.columns:
            bounded = column.min is not None or column.max is not None
            if column.required or column.allowed is not None or bounded:
                checked.add(column.name)
        for rule in self.rules:
            checked.update(rule.columns)
        return [name for name in self.column_names if name in checked]

    def column(self, name: str) -> Column:
        """The column called `name`."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"contract {self.dataset} has no column {name!r}")


def polars_schema(contract: Contract) -> dict[str, pl.DataType]:
    """The contract's columns as a polars schema."""
    return {column.name: POLARS_TYPES[column.type] for column in contract.columns}


def _rule(spec: dict[str, Any]) -> Rule:
    """A rule from YAML: {name, column, not_before} or {name, column, required_unless: {c: [v]}}."""
    unless = spec.get("required_unless")
    if unless is None:
        return Rule(
            name=str(spec["name"]),
            column=str(spec["column"]),
            not_before=str(spec["not_before"]),
            description=str(spec.get("description", "")),
        )
    [(column, values)] = dict(unless).items()
    return Rule(
        name=str(spec["name"]),
        column=str(spec["column"]),
        description=str(spec.get("description", "")),
        unless_column=str(column),
        unless_values=tuple(str(v) for v in values),
    )


def parse_contract(raw: dict[str, Any], origin: str) -> Contract:
    """A contract from its parsed YAML, checked for internal consistency."""

    def fail(message: str) -> ValueError:
        return ValueError(f"{origin}: {message}")

    try:
        columns = tuple(
            Column(
                name=str(spec["name"]),
                type=str(spec["type"]),
                required=bool(spec.get("required", False)),
                allowed=tuple(str(v) for v in spec["allowed"]) if "allowed" in spec else None,
                min=spec.get("min"),
                max=spec.get("max"),
                pii=spec.get("pii"),
                description=str(spec.get("description", "")),
            )
            for spec in raw["columns"]
        )
        rules = tuple(_rule(spec) for spec in raw.get("rules") or [])
        contract = Contract(
            dataset=str(raw["dataset"]),
            grain=str(raw["grain"]),
            key=tuple(str(k) for k in raw["key"]),
            columns=columns,
            rules=rules,
            title=dict(raw.get("title") or {}),
        )
    except KeyError as missing:
        raise fail(f"missing key {missing}") from None
    names = contract.column_names
    if len(set(names)) != len(names):
        raise fail("duplicate column names")
    for column in columns:
        if column.type not in TYPES:
            raise fail(f"column {column.name}: unknown type {column.type!r}")
        if column.pii is not None and column.pii not in PII_KINDS:
            raise fail(f"column {column.name}: unknown pii kind {column.pii!r}")
    for key in contract.key:
        if key not in names:
            raise fail(f"key column {key!r} is not a column")
    for rule in rules:
        for name in rule.columns:
            if name not in names:
                raise fail(f"rule {rule.name}: {name!r} is not a column")
    return contract


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every contract in the directory, by dataset name."""
    contracts: dict[str, Contract] = {}
    for path in sorted(directory.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            contract = parse_contract(yaml.safe_load(handle), origin=str(path))
        if contract.dataset != path.stem:
            raise ValueError(f"{path}: dataset {contract.dataset!r} must match the file name")
        contracts[contract.dataset] = contract
    return contracts
