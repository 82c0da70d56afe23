"""One file's batch, prepared without the warehouse: read, map, resolve, validate, split."""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.drift import HeaderDrift, header_drift
from pipelines.errors import FileRejected
from pipelines.readers import LINE, read_source_file
from pipelines.repeats import hash_repeats
from pipelines.resolution import CommunityIndex, resolve_communities
from pipelines.source_config import SourceConfig
from pipelines.transform import drop_totals, resolve_header, to_canonical
from pipelines.validation import RowFailure, validate, validate_fast
from warehouse.contracts import Contract


@dataclass(frozen=True)
class References:
    """The reference data a file maps through, read from the warehouse beforehand; or the
    rejection that reading them gave (raised only once the file itself has been read)."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    index: CommunityIndex | None = None
    rejection: FileRejected | None = None


@dataclass
class Batch:
    """A file's rows split into those to load and those to quarantine, with its counts."""

    rows_read: int
    rows_duplicate: int
    good: pl.DataFrame
    quarantined: pl.DataFrame  # quarantine_frame's: one row per line held back
    drift: HeaderDrift = field(default_factory=HeaderDrift)


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe(rule: str, column: str | None, value: str | None, personal: set[str]) -> str:
    """A failure for the quarantine's reason; personal values are withheld (reasons are shown
    on the data-quality page, to roles that may not see personal information)."""
    if value is None:
        shown = "empty"
    elif column in personal:
        shown = "<personal information withheld>"
    else:
        shown = repr(value)
    return f"{rule} ({column}={shown})" if column else rule


def validate_rows(frame: pl.DataFrame, contract: Contract) -> list[RowFailure]:
    """Row failures of a canonical batch, by the engine DUBAN_VALIDATION names (polars or gx)."""
    engine = os.environ.get("DUBAN_VALIDATION", "polars")
    return validate(frame, contract) if engine == "gx" else validate_fast(frame, contract)


def distinct_rows(
    frame: pl.DataFrame, columns: list[str], screen: list[str] | None = None
) -> tuple[pl.DataFrame, int]:
    """The frame without blank rows (empty in every column: blank lines) and without exact
    duplicates (equal in every column, the first of each kept), in one filter; and how many of
    its rows were not blank (the rows read).

    Rows are screened first: only rows whose `screen` columns (all `columns` unless given; a
    subset such as the key's, since rows equal in every column are equal in any of them)
    repeat are compared value by value, so the result is exactly `unique(keep="first",
    maintain_order=True)` of the rows that are not blank, at a fraction of its cost (a 10m
    hotline month, screened by its ticket numbers' hash: a few hundredths of a CPU-s instead
    of ~0.2). The frame itself is returned, not a copy, when nothing is dropped.
    """
    if frame.is_empty():
        return frame, 0
    blank = frame.select(pl.all_horizontal(pl.col(columns).is_null())).to_series()
    screen = [c for c in screen or [] if c in columns] or columns
    # a collision (or a row null where blank rows are) only adds a candidate
    repeated = hash_repeats(frame.select(screen)) & ~blank
    drop = blank
    if repeated.any():
        kept = frame.filter(repeated).unique(subset=columns, keep="first", maintain_order=True)
        first = frame.select(pl.col(LINE).is_in(kept.get_column(LINE).implode())).to_series()
        drop = blank | (repeated & ~first)
    rows_read = frame.height - int(blank.sum())
    return (frame.filter(~drop) if drop.any() else frame), rows_read


# characters json.dumps escapes (ensure_ascii=False): a value without them is only quoted
JSON_ESCAPED = r'[\x00-\x1f"\\]'


def _json_value(column: str) -> pl.Expr:
    """A text column's values as JSON, exactly as `json.dumps(value, ensure_ascii=False)`."""
    value = pl.col(column).cast(pl.String)
    escaped = value.map_elements(
        lambda x: json.dumps(x, ensure_ascii=False), return_dtype=pl.String, skip_nulls=True
    )
    quoted = pl.concat_str(pl.lit('"'), value, pl.lit('"'))
    return (
        pl.when(value.is_null())
        .then(pl.lit("null"))
        .when(value.str.contains(JSON_ESCAPED))
        .then(escaped)
        .otherwise(quoted)
    )


def json_objects(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Each row as a JSON object of its text columns, exactly as `json.dumps(row_dict,
    ensure_ascii=False)` writes it (keys in column order, `", "` and `": "` between them)."""
    if not all(frame.schema[c] in (pl.String, pl.Null) for c in columns):
        rows = frame.select(columns).iter_rows(named=True)
        return pl.Series([json.dumps(row, ensure_ascii=False) for row in rows], dtype=pl.String)
    parts: list[pl.Expr] = []
    for index, column in enumerate(columns):
        key = json.dumps(column, ensure_ascii=False)
        parts += [pl.lit(("{" if index == 0 else ", ") + key + ": "), _json_value(column)]
    parts.append(pl.lit("}" if columns else "{}"))
    return frame.select(pl.concat_str(parts).alias("json")).to_series()


QUARANTINE_SCHEMA = {
    "row_number": pl.Int64,
    "rule": pl.String,
    "column_name": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "raw_row": pl.String,
}


def quarantine_frame(
    failing: pl.DataFrame,
    columns: list[str],
    failures: dict[int, list[tuple[str, str | None, str | None]]],
    contract: Contract,
) -> pl.DataFrame:
    """One row per failing row (the rows as read, in file order): its first failure's rule,
    column and value, all its failures in `reason`, and the row as a JSON object of its source
    `columns`."""
    lines = failing.get_column(LINE).to_list()
    personal = {column.name for column in contract.columns if column.pii}
    firsts = [failures[line][0] for line in lines]
    reasons = ["; ".join(describe(*f, personal) for f in failures[line]) for line in lines]
    return pl.DataFrame(
        {
            "row_number": lines,
            "rule": [first[0] for first in firsts],
            "column_name": [first[1] for first in firsts],
            "value": [first[2] for first in firsts],
            "reason": reasons,
            "raw_row": json_objects(failing, columns),
        },
        schema=QUARANTINE_SCHEMA,
    )


def prepare(path: Path, config: SourceConfig, contract: Contract, refs: References) -> Batch:
    """Read a file and split its rows; raises FileRejected when the file is rejected whole."""
    frame = read_source_file(path, config)
    header = resolve_header(frame, config, str(path))
    if refs.rejection is not None:
        raise refs.rejection

    data_columns = [name for name in frame.columns if name != LINE]
    drift = header_drift(data_columns, config.columns, header, config.ignored_columns)
    frame = drop_totals(frame, config)
    # rows sharing a key are few: the key's source columns screen for duplicates, when mapped
    key_sources = [header[name] for name in contract.key if name in header]
    screen = key_sources if len(key_sources) == len(contract.key) else None
    frame, rows_read = distinct_rows(frame, data_columns, screen)
    rows_duplicate = rows_read - frame.height

    canonical, type_failures = to_canonical(frame, config, contract, header, refs.tables)
    failures: dict[int, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for failure in type_failures:
        failures[failure.line].append((failure.rule_name, failure.column, failure.value))
    if refs.index is not None:
        canonical = resolve_communities(canonical, refs.index, config.communities.fuzzy_threshold)
        unknown = canonical.filter(
            pl.col("community").is_not_null() & pl.col("community_id").is_null()
        )
        for line, name in unknown.select(LINE, "community").iter_rows():
            failures[line].append(("unknown_community", "community", name))
    for row_failure in validate_rows(canonical, contract):
        failures[row_failure.line].append((row_failure.rule, row_failure.column, row_failure.value))

    if not failures:
        return Batch(
            rows_read, rows_duplicate, canonical, pl.DataFrame(schema=QUARANTINE_SCHEMA), drift
        )
    lines = pl.Series(list(failures), dtype=pl.Int64).implode()
    held = frame.select(pl.col(LINE).is_in(lines)).to_series()
    quarantined = quarantine_frame(frame.filter(held), data_columns, failures, contract)
    canonical = canonical.filter(~held)  # canonical holds frame's rows in frame's order
    return Batch(rows_read, rows_duplicate, canonical, quarantined, drift)
