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

FORMATS = {"csv"}
ENCODINGS = {"utf-8", "utf-8-sig", "gb18030", "gbk"}


@dataclass(frozen=True)
class SourceConfig:
    """How one source's files become rows of one canonical dataset."""

    name: str
    dataset: str
    files: tuple[str, ...]
    columns: dict[str, str]
    format: str = "csv"
    encoding: str = "utf-8"
    description: str = ""
    period_pattern: str = r"(\d{4}-\d{2})"
    datetime_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    origin: str = ""

    def matches(self, relative_path: str) -> bool:
        """Whether a file (path relative to the folder given to ingest) belongs to this source."""
        path = PurePosixPath(relative_path)
        return any(
            fnmatch.fnmatch(str(path), pattern) or fnmatch.fnmatch(path.name, pattern)
            for pattern in self.files
        )

    def period_of(self, file_name: str) -> str | None:
        """The period (YYYY-MM) a file covers, read from its name."""
        match = re.search(self.period_pattern, file_name)
        return match.group(1) if match else None


def parse_source(raw: dict[str, Any], origin: str, contracts: dict[str, Contract]) -> SourceConfig:
    """A source config from its YAML, checked against the dataset's contract."""

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{origin}: {message}")

    try:
        config = SourceConfig(
            name=str(raw["source"]),
            dataset=str(raw["dataset"]),
            files=tuple(str(p) for p in raw["files"]),
            columns={str(k): str(v) for k, v in raw["columns"].items()},
            format=str(raw.get("format", "csv")),
            encoding=str(raw.get("encoding", "utf-8")),
            description=str(raw.get("description", "")),
            period_pattern=str(raw.get("period_pattern", r"(\d{4}-\d{2})")),
            datetime_formats={
                str(k): tuple(str(f) for f in v)
                for k, v in (raw.get("datetime_formats") or {}).items()
            },
            values={
                str(k): {str(a): str(b) for a, b in v.items()}
                for k, v in (raw.get("values") or {}).items()
            },
            constants={str(k): str(v) for k, v in (raw.get("constants") or {}).items()},
            origin=origin,
        )
    except (KeyError, AttributeError, TypeError) as error:
        raise fail(f"missing or malformed key {error}") from None
    if config.format not in FORMATS:
        raise fail(f"format {config.format!r} is not one of {sorted(FORMATS)}")
    if config.encoding not in ENCODINGS:
        raise fail(f"encoding {config.encoding!r} is not one of {sorted(ENCODINGS)}")
    contract = contracts.get(config.dataset)
    if contract is None:
        raise fail(f"dataset {config.dataset!r} has no contract in data_contracts/")
    canonical = set(contract.column_names)
    mapped = set(config.columns) | set(config.constants)
    for name in mapped | set(config.datetime_formats) | set(config.values):
        if name not in canonical:
            raise fail(f"{name!r} is not a column of dataset {config.dataset}")
    missing = [c.name for c in contract.columns if c.required and c.name not in mapped]
    if missing:
        raise fail(f"required columns of {config.dataset} are not mapped: {', '.join(missing)}")
    for column in contract.columns:
        dated = column.type in {"timestamp", "date"} and column.name in config.columns
        if dated and column.name not in config.datetime_formats:
            raise fail(f"{column.name} is a {column.type}: give its datetime_formats")
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
                    raw = yaml.safe_load(handle)
                except yaml.YAMLError as error:
                    raise ConfigError(f"{path}: not valid YAML ({error})") from None
            config = parse_source(raw, str(path), contracts)
            if config.name in sources:
                raise ConfigError(f"{path}: source {config.name!r} is already defined")
            sources[config.name] = config
    return list(sources.values())
