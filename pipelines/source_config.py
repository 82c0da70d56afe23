"""Source configs: one YAML per source under pipelines/sources/: find, decode and map its files."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from pipelines.errors import ConfigError
from warehouse.contracts import Contract, load_contracts
from warehouse.paths import SOURCES_DIR

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when libyaml is there
FORMATS = {"csv", "xlsx", "jsonl", "json", "geojson"}
ENCODINGS = {"auto", "utf-8", "utf-8-sig", "gb18030", "gbk"}
CADENCES = {"monthly", "once"}
DEFAULT_FUZZY_THRESHOLD = 90.0
KEYS = {
    "source", "dataset", "description", "files", "format", "encoding", "header_line",
    "sheet", "totals_row", "period_pattern", "columns", "datetime_formats", "values",
    "lookups", "constants", "communities", "reference", "cadence", "department",
    "optional_columns", "ignored_columns",
}  # fmt: skip


@dataclass(frozen=True)
class Lookup:
    """Map a column's values through a reference table already in the warehouse."""

    table: str
    match: str
    take: str
    where: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CommunityMatching:
    """How community names resolve to ids: alias table first, then fuzzy above a threshold."""

    resolve: bool = True
    fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD


@dataclass(frozen=True)
class SourceConfig:
    """How one source's files become rows of one canonical dataset."""

    name: str
    dataset: str
    files: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    optional_columns: tuple[str, ...] = ()  # mapped columns a file may lack (null then)
    ignored_columns: tuple[str, ...] = ()  # columns the files carry that are not read (not drift)
    format: str = "csv"
    encoding: str = "auto"
    description: str = ""
    header_line: int = 1
    sheet: str | int = 0
    totals_row: tuple[str, ...] = ()
    period_pattern: str = r"(\d{4}-\d{2})"
    datetime_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    lookups: dict[str, Lookup] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    communities: CommunityMatching = field(default_factory=CommunityMatching)
    reference: bool = False
    cadence: str = "monthly"
    department: str | None = None
    origin: str = ""

    def matches(self, relative_path: str) -> bool:
        """Whether a file (path relative to the folder given to ingest) belongs to this source."""
        path = PurePosixPath(relative_path)
        return any(
            fnmatch.fnmatch(str(path), pattern) or fnmatch.fnmatch(path.name, pattern)
            for pattern in self.files
        )

    def period_of(self, file_name: str) -> str | None:
        """The period (YYYY-MM) a file covers, read from its name; None for reference files."""
        if self.cadence == "once":
            return None
        match = re.search(self.period_pattern, file_name)
        return match.group(1) if match else None

    def source_columns(self) -> list[str]:
        """Every source column name a mapping may use (first choice and alternatives)."""
        return list(dict.fromkeys(name for names in self.columns.values() for name in names))

    def resolves_communities(self, contract: Contract) -> bool:
        """Whether community names are resolved to ids for this source's rows."""
        names = set(contract.column_names)
        return (
            self.communities.resolve
            and {"community", "community_id"} <= names
            and "community" in self.columns
            and "community_id" not in self.columns
            and "community_id" not in self.constants
        )


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        if not value:
            raise TypeError("an empty list of column names")
        return tuple(str(v) for v in value)
    return (str(value),)


def _lookup(name: str, spec: Any) -> Lookup:
    if not isinstance(spec, dict) or not {"table", "match", "take"} <= set(spec):
        raise TypeError(f"lookups.{name} needs table, match and take")
    where = {str(k): str(v) for k, v in (spec.get("where") or {}).items()}
    return Lookup(str(spec["table"]), str(spec["match"]), str(spec["take"]), where)


def parse_source(raw: dict[str, Any], origin: str, contracts: dict[str, Contract]) -> SourceConfig:
    """A source config from its YAML, checked against the dataset's contract."""

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{origin}: {message}")

    if not isinstance(raw, dict):
        raise fail("a source config is a YAML mapping (source:, dataset:, files:, columns: ...)")
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise fail(f"unknown keys {unknown}; the keys are {sorted(KEYS)}")
    try:
        matching = raw.get("communities") or {}
        totals = raw.get("totals_row") or []
        config = SourceConfig(
            name=str(raw["source"]),
            dataset=str(raw["dataset"]),
            files=tuple(str(p) for p in raw["files"]),
            columns={str(k): _names(v) for k, v in raw["columns"].items()},
            optional_columns=tuple(str(c) for c in raw.get("optional_columns") or []),
            ignored_columns=tuple(str(c) for c in raw.get("ignored_columns") or []),
            format=str(raw.get("format", "csv")),
            encoding=str(raw.get("encoding", "auto")),
            description=str(raw.get("description", "")),
            header_line=int(raw.get("header_line", 1)),
            sheet=raw.get("sheet", 0),
            totals_row=tuple(str(t) for t in ([totals] if isinstance(totals, str) else totals)),
            period_pattern=str(raw.get("period_pattern", r"(\d{4}-\d{2})")),
            datetime_formats={
                str(k): tuple(str(f) for f in v)
                for k, v in (raw.get("datetime_formats") or {}).items()
            },
            values={
                str(k): {str(a): str(b) for a, b in v.items()}
                for k, v in (raw.get("values") or {}).items()
            },
            lookups={str(k): _lookup(str(k), v) for k, v in (raw.get("lookups") or {}).items()},
            constants={str(k): str(v) for k, v in (raw.get("constants") or {}).items()},
            communities=CommunityMatching(
                resolve=bool(matching.get("resolve", True)),
                fuzzy_threshold=float(matching.get("fuzzy_threshold", DEFAULT_FUZZY_THRESHOLD)),
            ),
            reference=bool(raw.get("reference", False)),
            cadence=str(raw.get("cadence", "once" if raw.get("reference") else "monthly")),
            department=(
                str(raw["department"])
                if raw.get("department")
                else (raw.get("constants") or {}).get("department")
            ),
            origin=origin,
        )
    except KeyError as error:
        raise fail(
            f"missing key {error}; every source needs source, dataset, files, columns"
        ) from None
    except (AttributeError, TypeError, ValueError) as error:
        raise fail(f"malformed value ({error})") from None
    if config.format not in FORMATS:
        raise fail(f"format {config.format!r} is not one of {sorted(FORMATS)}")
    if config.encoding not in ENCODINGS:
        raise fail(f"encoding {config.encoding!r} is not one of {sorted(ENCODINGS)}")
    if config.cadence not in CADENCES:
        raise fail(f"cadence {config.cadence!r} is not one of {sorted(CADENCES)}")
    if config.header_line < 1:
        raise fail(
            f"header_line is the line or sheet row of the header (1 or more), "
            f"got {config.header_line}"
        )
    if not 0 < config.communities.fuzzy_threshold <= 100:
        raise fail("communities.fuzzy_threshold is a similarity from 1 to 100")
    try:
        re.compile(config.period_pattern)
    except re.error as error:
        raise fail(f"period_pattern is not a regular expression ({error})") from None
    contract = contracts.get(config.dataset)
    if contract is None:
        raise fail(f"dataset {config.dataset!r} has no contract in data_contracts/")
    canonical = set(contract.column_names)
    mapped = set(config.columns) | set(config.constants)
    for name in mapped | set(config.datetime_formats) | set(config.values) | set(config.lookups):
        if name not in canonical:
            raise fail(f"{name!r} is not a column of dataset {config.dataset}")
    for name, lookup in config.lookups.items():
        table = contracts.get(lookup.table)
        if table is None:
            raise fail(f"lookups.{name}: {lookup.table!r} is not a dataset")
        for needed in (lookup.match, lookup.take, *lookup.where):
            if needed not in table.column_names:
                raise fail(f"lookups.{name}: {needed!r} is not a column of {lookup.table}")
    for name in config.optional_columns:
        if name not in config.columns:
            raise fail(f"optional_columns: {name!r} is not mapped under columns")
        if contract.column(name).required:
            raise fail(f"optional_columns: {name!r} is required by the {config.dataset} contract")
    for name in config.ignored_columns:
        if name in config.source_columns():
            raise fail(f"ignored_columns: {name!r} is read (it is a name under columns)")
    missing = [c.name for c in contract.columns if c.required and c.name not in mapped]
    if missing:
        raise fail(f"required columns of {config.dataset} are not mapped: {', '.join(missing)}")
    for column in contract.columns:
        dated = column.type in {"timestamp", "date"} and column.name in config.columns
        if dated and column.name not in config.datetime_formats:
            raise fail(
                f"{column.name} is a {column.type}: give its datetime_formats "
                "(strftime patterns, or excel for Excel serial days)"
            )
    return config


def load_sources(*directories: Path) -> list[SourceConfig]:
    """Every source config in the built-in folder and any extra folders, with unique names."""
    contracts = load_contracts()
    sources: dict[str, SourceConfig] = {}
    for directory in (SOURCES_DIR, *directories):
        if not directory.is_dir():
            raise ConfigError(f"source config folder {directory} does not exist")
        for path in sorted(directory.glob("*.yaml")):
            with path.open(encoding="utf-8") as handle:
                try:
                    raw = yaml.load(handle, Loader=SAFE_LOADER)
                except yaml.YAMLError as error:
                    raise ConfigError(f"{path}: not valid YAML ({error})") from None
            config = parse_source(raw, str(path), contracts)
            if config.name in sources:
                raise ConfigError(
                    f"{path}: source {config.name!r} is already defined in "
                    f"{sources[config.name].origin}; give it another name"
                )
            sources[config.name] = config
    return list(sources.values())
