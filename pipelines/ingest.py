"""`duban ingest`: find each file's source; read, map, validate; load or quarantine; record it."""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from tqdm import tqdm

from pipelines.errors import ConfigError, DubanError, FileRejected
from pipelines.loader import (
    FileOutcome,
    QuarantinedRow,
    already_ingested,
    insert_quarantine,
    insert_rows,
    next_load_id,
    record,
)
from pipelines.readers import LINE, read_source_file
from pipelines.source_config import SourceConfig, load_sources
from pipelines.transform import check_header, to_canonical
from pipelines.validation import validate
from warehouse.clock import now_local
from warehouse.connection import writer
from warehouse.contracts import Contract, load_contracts
from warehouse.schema import ensure_raw_schema

IGNORED_NAMES = {"manifest.json", "README.md"}
IGNORED_FOLDERS = {"truth"}


@dataclass(frozen=True)
class FoundFile:
    """A file to ingest and the source it belongs to."""

    path: Path
    relative: str
    source: SourceConfig


@dataclass
class IngestReport:
    """Every file's outcome, and the files no source claimed."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileOutcome]:
        """The files rejected whole."""
        return [o for o in self.outcomes if o.outcome == "rejected"]


def _match(relative: str, sources: list[SourceConfig]) -> SourceConfig | None:
    matches = [source for source in sources if source.matches(relative)]
    if len(matches) > 1:
        names = ", ".join(source.name for source in matches)
        raise ConfigError(
            f"{relative} matches several sources ({names}); make their `files:` patterns distinct"
        )
    return matches[0] if matches else None


def find_files(
    inputs: Iterable[Path], sources: list[SourceConfig]
) -> tuple[list[FoundFile], list[str]]:
    """The files under the inputs with their sources, and those in folders that no source claims."""
    found: list[FoundFile] = []
    unmatched: list[str] = []
    for given in inputs:
        if given.is_file():
            source = _match(given.name, sources)
            if source is None:
                raise DubanError(
                    f"{given}: no source config matches this file name; add one under "
                    "pipelines/sources/ or pass --sources DIR"
                )
            found.append(FoundFile(given, given.name, source))
        elif given.is_dir():
            for path in sorted(p for p in given.rglob("*") if p.is_file()):
                relative = path.relative_to(given).as_posix()
                parts = set(path.relative_to(given).parts[:-1])
                if path.name.startswith(".") or path.name in IGNORED_NAMES:
                    continue
                if parts & IGNORED_FOLDERS:
                    continue
                source = _match(relative, sources)
                if source is None:
                    unmatched.append(str(path))
                else:
                    found.append(FoundFile(path, relative, source))
        else:
            raise DubanError(f"{given}: no such file or folder")
    return found, unmatched


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(rule: str, column: str | None, value: str | None) -> str:
    shown = "empty" if value is None else repr(value)
    return f"{rule} ({column}={shown})" if column else rule


def process_file(
    con: duckdb.DuckDBPyConnection, found: FoundFile, contract: Contract
) -> FileOutcome:
    """Ingest one file inside the open write connection; return its outcome."""
    path, config = found.path, found.source
    outcome = FileOutcome(
        source=config.name,
        dataset=config.dataset,
        file_path=str(path),
        sha256=sha256_of(path),
        size_bytes=path.stat().st_size,
        period=config.period_of(path.name),
        started_at=now_local(),
    )
    earlier = already_ingested(con, outcome.sha256)
    if earlier is not None:
        outcome.outcome = "unchanged"
        outcome.message = f"identical to a file already ingested ({earlier}); nothing to do"
        outcome.finished_at = now_local()
        return outcome
    load_id = next_load_id(con)
    try:
        frame = read_source_file(path, config)
        check_header(frame, config, str(path))
    except FileRejected as rejection:
        outcome.outcome = "rejected"
        outcome.message = str(rejection)
        outcome.finished_at = now_local()
        record(con, outcome, load_id)
        return outcome

    source_columns = list(config.columns.values())
    frame = frame.filter(~pl.all_horizontal(pl.col(source_columns).is_null()))
    outcome.rows_read = frame.height
    first_seen = frame.unique(subset=source_columns, keep="first", maintain_order=True)
    outcome.rows_duplicate = frame.height - first_seen.height
    frame = first_seen

    canonical, type_failures = to_canonical(frame, config, contract)
    failures: dict[int, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for failure in type_failures:
        failures[failure.line].append((f"type:{failure.column}", failure.column, failure.value))
    for row_failure in validate(canonical, contract):
        failures[row_failure.line].append((row_failure.rule, row_failure.column, row_failure.value))

    quarantined: list[QuarantinedRow] = []
    if failures:
        raw_rows = frame.filter(pl.col(LINE).is_in(list(failures)))
        for raw in raw_rows.iter_rows(named=True):
            line = int(raw.pop(LINE))
            problems = failures[line]
            rule, column, value = problems[0]
            reason = "; ".join(_describe(*problem) for problem in problems)
            quarantined.append(QuarantinedRow(line, rule, column, value, reason, raw))
    good = canonical.filter(~pl.col(LINE).is_in(list(failures)))
    insert_rows(con, contract, good, load_id, outcome)
    insert_quarantine(con, quarantined, load_id, outcome)
    outcome.rows_loaded = good.height
    outcome.rows_quarantined = len(quarantined)
    outcome.outcome = "loaded"
    outcome.finished_at = now_local()
    record(con, outcome, load_id)
    return outcome


def ingest(
    inputs: list[Path],
    warehouse: Path,
    extra_sources: list[Path] | None = None,
    progress: bool | None = None,
) -> IngestReport:
    """Ingest every file under the inputs; publish the warehouse once all are recorded."""
    sources = load_sources(*(extra_sources or []))
    contracts = load_contracts()
    files, unmatched = find_files(inputs, sources)
    report = IngestReport(unmatched=unmatched)
    show = sys.stderr.isatty() if progress is None else progress
    with writer(warehouse) as con:
        ensure_raw_schema(con)
        for found in tqdm(files, desc="ingest", unit="file", disable=not show):
            con.execute("begin transaction")
            try:
                report.outcomes.append(process_file(con, found, contracts[found.source.dataset]))
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
    return report
