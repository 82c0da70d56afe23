"""Mapping a source frame to its canonical dataset: headers, text clean-up, vocabularies, types."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import polars as pl

from pipelines.drift import HeaderDrift
from pipelines.errors import FileRejected
from pipelines.readers import LINE
from pipelines.source_config import SourceConfig
from warehouse.contracts import POLARS_TYPES, Contract

EXCEL_EPOCH = pl.datetime(1899, 12, 30)
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


@dataclass(frozen=True)
class TypeFailure:
    """A value that could not be read as its column's type (or found in its vocabulary)."""

    line: int
    column: str
    value: str
    expected: str
    rule: str = ""

    @property
    def rule_name(self) -> str:
        """The quarantine rule: `type:<column>` unless a more specific one was given."""
        return self.rule or f"type:{self.column}"


def resolve_header(frame: pl.DataFrame, config: SourceConfig, file: str) -> dict[str, str]:
    """The source column each mapped canonical column reads; reject the file naming the diff."""
    found = [name for name in frame.columns if name != LINE]
    present = set(found)
    chosen: dict[str, str] = {}
    missing: list[str] = []
    for canonical, names in config.columns.items():
        hit = next((name for name in names if name in present), None)
        if hit is None and canonical in config.optional_columns:
            continue  # an older file without the column: its values are null
        if hit is None:
            missing.append(names[0] if len(names) == 1 else " or ".join(names))
        else:
            chosen[canonical] = hit
    if missing:
        expected = set(config.source_columns()) | set(config.ignored_columns)
        unexpected = [name for name in found if name not in expected]
        raise FileRejected(
            file,
            f"columns do not match source {config.name}: "
            f"missing {missing}, unexpected {unexpected} (expected {config.source_columns()}, "
            f"found {found})",
            f"if the department renamed a column, add the new name to {config.origin} "
            "(columns: <canonical>: [old name, new name]) and ingest the file again",
            "schema_drift",
            HeaderDrift(extra=tuple(unexpected), missing=tuple(missing)),
        )
    return chosen


def check_header(frame: pl.DataFrame, config: SourceConfig, file: str) -> None:
    """Reject the file when a mapped source column is missing, naming the column diff."""
    resolve_header(frame, config, file)


def drop_totals(frame: pl.DataFrame, config: SourceConfig) -> pl.DataFrame:
    """Drop totals rows (the first column starts with a marker such as 合计)."""
    if not config.totals_row:
        return frame
    first = next(name for name in frame.columns if name != LINE)
    cell = pl.col(first).str.strip_chars()
    is_total = pl.any_horizontal(cell.str.starts_with(marker) for marker in config.totals_row)
    return frame.filter(~is_total.fill_null(False))


# characters NFKC leaves alone: printable ASCII and the CJK unified ideographs; a value made only
# of these skips the (costly) normalisation, which gives the same result
NFKC_STABLE = r"[^\x20-\x7e\u4e00-\u9fff]"
UNTIDY_SPACE = r"\s\s|^\s|\s$|[^\S ]"
# full-width ASCII forms and the ideographic space, which NFKC maps one by one to plain ASCII
FULL_WIDTH = [chr(code) for code in range(0xFF01, 0xFF5F)] + ["\u3000"]
HALF_WIDTH = [unicodedata.normalize("NFKC", char) for char in FULL_WIDTH]
HALF_OF = dict(zip(FULL_WIDTH, HALF_WIDTH, strict=True))


def clean_text(column: str) -> pl.Expr:
    """NFKC (full-width to half-width), trimmed, inner whitespace collapsed; empty becomes null."""
    source = pl.col(column)
    normal = (
        pl.when(source.str.contains(NFKC_STABLE))
        .then(source.str.normalize("NFKC"))
        .otherwise(source)
    )
    tidy = (
        pl.when(normal.str.contains(UNTIDY_SPACE))
        .then(normal.str.strip_chars().str.replace_all(r"\s+", " "))
        .otherwise(normal)
    )
    return pl.when(tidy == "").then(None).otherwise(tidy).alias(column)


def _fix(series: pl.Series, pattern: str, fix: pl.Expr) -> pl.Series:
    """Apply `fix` (an expression on the column itself) only to the values matching `pattern`."""
    mask = series.str.contains(pattern).fill_null(False)
    if not mask.any():
        return series
    where = mask.arg_true()
    fixed = series.gather(where).to_frame().select(fix).to_series()
    return series.scatter(where, fixed)


def _untidy(series: pl.Series) -> pl.Series:
    name = series.name
    # full-width forms replaced by their NFKC images first (a value's NFKC is unchanged by it:
    # NFKC decomposes them into the same characters anyway), in every value: one without them is
    # left as it is; NFKC then only where that leaves a character it may change
    series = series.str.replace_many(FULL_WIDTH, HALF_WIDTH)
    series = _fix(series, NFKC_STABLE, pl.col(name).str.normalize("NFKC"))
    return _fix(series, UNTIDY_SPACE, pl.col(name).str.strip_chars().str.replace_all(r"\s+", " "))


NEEDS_CLEANING = f"{NFKC_STABLE}|{UNTIDY_SPACE}"
SAMPLE_ROWS = 1_000  # the head of a column that tells how much of it needs cleaning
MOSTLY = 0.5  # above this share, the full-width forms are replaced in the whole column first
FEW_DISTINCT = 1_000  # at most this many distinct values: each is cleaned once, not every row


def _clean_each(series: pl.Series) -> pl.Series:
    """`clean_text` computed value by value, only where a value needs it."""
    head = series.head(SAMPLE_ROWS)
    needing = head.str.contains(NEEDS_CLEANING).fill_null(False)
    if needing.len() and needing.mean() > MOSTLY:  # type: ignore[operator]
        # only the forms the head holds (one pattern costs ~0.4 of all 95): values holding
        # others are still found below and cleaned whole
        seen = set("".join(head.drop_nulls().to_list()))
        present = [form for form in FULL_WIDTH if form in seen]
        if present:
            series = series.str.replace_many(present, [HALF_OF[form] for form in present])
    needs = series.str.contains(NEEDS_CLEANING).fill_null(False)
    if needs.any():
        where = needs.arg_true()
        series = series.scatter(where, _untidy(series.gather(where)))
    return series.set(series == "", None)


def clean_series(series: pl.Series) -> pl.Series:
    """`clean_text` on a Series, computed only where a value needs it (when/then would compute
    NFKC for every value): same result, several times faster on text that is mostly clean.

    A column whose values mostly need it (descriptions written with full-width punctuation)
    has its full-width forms replaced everywhere first, a no-op on values without them, so that
    one pass finds the few values left to fix; the head only picks the faster way to the same
    result. A column of few distinct values (categories, statuses, departments) is cleaned
    once per distinct value: finding them costs a third of checking every row, and a column
    whose distinct values are all clean is returned as it is.
    """
    if series.head(SAMPLE_ROWS).n_unique() <= SAMPLE_ROWS // 10:
        distinct = series.unique()
        if distinct.len() <= FEW_DISTINCT:
            cleaned = _clean_each(distinct.clone())  # a copy: scatter may write in place
            changed = distinct.ne_missing(cleaned)
            if not changed.any():
                return series
            return series.replace(distinct.filter(changed), cleaned.filter(changed))
    return _clean_each(series)


def _excel_serial(source: pl.Expr, kind: str) -> pl.Expr:
    serial = source.cast(pl.Float64, strict=False)
    serial = pl.when((serial >= 1) & (serial <= EXCEL_MAX_SERIAL)).then(serial)
    moment = EXCEL_EPOCH + pl.duration(
        microseconds=(serial * 86_400_000_000).round(0).cast(pl.Int64)
    )
    moment = moment.cast(pl.Datetime("us"))
    return moment.dt.date() if kind == "date" else moment


def parse_expr(column: str, kind: str, formats: tuple[str, ...]) -> pl.Expr:
    """Parse a text column into its contract type, null where no format fits."""
    source = pl.col(column)
    if kind in {"timestamp", "date"}:
        target = POLARS_TYPES[kind]
        attempts = [
            _excel_serial(source, kind)
            if fmt == "excel"
            # no cache of parsed strings: timestamps are nearly all distinct (it halves the time)
            else source.str.strptime(target, fmt, strict=False, cache=False)  # type: ignore[arg-type]
            for fmt in formats
        ]
        return pl.coalesce(attempts).alias(column) if attempts else source.cast(target)
    if kind == "boolean":
        lowered = source.str.to_lowercase()
        return (
            pl.when(lowered.is_in(["true", "1", "是", "yes", "y", "t"]))
            .then(True)
            .when(lowered.is_in(["false", "0", "否", "no", "n", "f"]))
            .then(False)
            .otherwise(None)
            .alias(column)
        )
    if kind == "varchar":
        return source
    return source.cast(POLARS_TYPES[kind], strict=False).alias(column)


def apply_lookups(
    text: pl.DataFrame, config: SourceConfig, tables: dict[str, pl.DataFrame]
) -> tuple[pl.DataFrame, list[TypeFailure]]:
    """Map columns through reference tables; a value with no match fails `lookup:<column>`."""
    failures: list[TypeFailure] = []
    for name, lookup in config.lookups.items():
        table = tables[name]
        pairs = table.select(
            pl.col(lookup.match).alias("__from"), pl.col(lookup.take).alias("__to")
        ).unique(subset="__from", keep="first")
        joined = text.join(
            pairs, left_on=name, right_on="__from", how="left", maintain_order="left"
        )
        bad = joined.filter(pl.col(name).is_not_null() & pl.col("__to").is_null())
        failures += [
            TypeFailure(line, name, value, f"a {lookup.match} of {lookup.table}", f"lookup:{name}")
            for line, value in bad.select(LINE, name).iter_rows()
        ]
        text = joined.with_columns(pl.col("__to").alias(name)).drop("__to")
    return text, failures


def to_canonical(
    frame: pl.DataFrame,
    config: SourceConfig,
    contract: Contract,
    header: dict[str, str] | None = None,
    tables: dict[str, pl.DataFrame] | None = None,
) -> tuple[pl.DataFrame, list[TypeFailure]]:
    """The canonical frame (contract columns + `__line`) and the values that failed their type."""
    header = header or {name: names[0] for name, names in config.columns.items()}
    text = frame.select(
        pl.col(LINE),
        *[pl.col(source).alias(name) for name, source in header.items()],
    )
    text = text.with_columns(clean_series(text.get_column(name)) for name in header)
    for name, mapping in config.values.items():
        if name in header:
            text = text.with_columns(pl.col(name).replace(mapping))
    text, failures = apply_lookups(text, config, tables or {})
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
    for column in contract.columns:
        if column.type == "varchar":
            continue
        bad = text.filter(pl.col(column.name).is_not_null() & typed[column.name].is_null())
        failures += [
            TypeFailure(line, column.name, value, column.type)
            for line, value in bad.select(LINE, column.name).iter_rows()
        ]
    return typed, failures
