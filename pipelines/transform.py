"""Mapping a source frame to its canonical dataset: headers, text clean-up, vocabularies, types."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.errors import FileRejected
from pipelines.readers import LINE
from pipelines.source_config import SourceConfig
from warehouse.contracts import POLARS_TYPES, Contract


@dataclass(frozen=True)
class TypeFailure:
    """A value that could not be read as its column's type."""

    line: int
    column: str
    value: str
    expected: str


def check_header(frame: pl.DataFrame, config: SourceConfig, file: str) -> None:
    """Reject the file when a mapped source column is missing, naming the column diff."""
    expected = list(config.columns.values())
    found = [name for name in frame.columns if name != LINE]
    missing = [name for name in expected if name not in found]
    if missing:
        unexpected = [name for name in found if name not in expected]
        raise FileRejected(
            file,
            f"columns do not match source {config.name}: "
            f"missing {missing}, unexpected {unexpected}",
            f"if the department renamed a column, update {config.origin} (columns:) "
            "and ingest again",
        )


def clean_text(column: str) -> pl.Expr:
    """NFKC (full-width to half-width), trimmed, inner whitespace collapsed; empty becomes null."""
    cleaned = pl.col(column).str.normalize("NFKC").str.strip_chars().str.replace_all(r"\s+", " ")
    return pl.when(cleaned == "").then(None).otherwise(cleaned).alias(column)


def parse_expr(column: str, kind: str, formats: tuple[str, ...]) -> pl.Expr:
    """Parse a text column into its contract type, null where no format fits."""
    source = pl.col(column)
    if kind in {"timestamp", "date"}:
        target = POLARS_TYPES[kind]
        attempts = [source.str.strptime(target, fmt, strict=False) for fmt in formats]  # type: ignore[arg-type]
        return pl.coalesce(attempts).alias(column)
    if kind == "boolean":
        lowered = source.str.to_lowercase()
        return (
            pl.when(lowered.is_in(["true", "1", "是", "yes"]))
            .then(True)
            .when(lowered.is_in(["false", "0", "否", "no"]))
            .then(False)
            .otherwise(None)
            .alias(column)
        )
    if kind == "varchar":
        return source
    return source.cast(POLARS_TYPES[kind], strict=False).alias(column)


def to_canonical(
    frame: pl.DataFrame, config: SourceConfig, contract: Contract
) -> tuple[pl.DataFrame, list[TypeFailure]]:
    """The canonical frame (contract columns + `__line`) and the values that failed their type."""
    text = frame.select(
        pl.col(LINE),
        *[pl.col(source).alias(name) for name, source in config.columns.items()],
    )
    text = text.with_columns(clean_text(name) for name in config.columns)
    for name, mapping in config.values.items():
        if name in config.columns:
            text = text.with_columns(pl.col(name).replace(mapping))
    text = text.with_columns(pl.lit(value).alias(name) for name, value in config.constants.items())
    missing = [c for c in contract.column_names if c not in text.columns]
    text = text.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    typed = text.select(
        pl.col(LINE),
        *[
            parse_expr(c.name, c.type, config.datetime_formats.get(c.name, ()))
            for c in contract.columns
        ],
    )
    failures: list[TypeFailure] = []
    for column in contract.columns:
        if column.type == "varchar":
            continue
        bad = text.filter(pl.col(column.name).is_not_null() & typed[column.name].is_null())
        failures += [
            TypeFailure(line, column.name, value, column.type)
            for line, value in bad.select(LINE, column.name).iter_rows()
        ]
    return typed, failures
