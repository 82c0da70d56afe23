"""`duban ingest`: find each file's source; read, map, validate; load or quarantine; record it."""

from __future__ import annotations

import hashlib
import os
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
    supersede,
)
from pipelines.readers import LINE, read_source_file
from pipelines.resolution import CommunityIndex, resolve_communities
from pipelines.source_config import SourceConfig, load_sources
from pipelines.transform import drop_totals, resolve_header, to_canonical
from pipelines.validation import RowFailure, validate, validate_fast
from warehouse.clock import now_local
from warehouse.connection import fetch_frame, fetch_one, writer
from warehouse.contracts import Contract, load_contracts
from warehouse.faults import crash_point
from warehouse.schema import RAW_SCHEMA, ensure_raw_schema

COMMIT_EVERY_ROWS = 1_000_000  # inside the private copy; publishing stays all-or-nothing
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


def _describe(rule: str, column: str | None, value: str | None, personal: set[str]) -> str:
    """A failure for the quarantine's reason; personal values are withheld (reasons are shown
    on the data-quality page, to roles that may not see personal information)."""
    if value is None:
        shown = "empty"
    elif column in personal:
        shown = "<personal information withheld>"
    else:
        shown = repr(value)
    return f"{rule} ({column}={shown})" if column else rule


def _reference_frame(
    con: duckdb.DuckDBPyConnection, table: str, where: dict[str, str] | None = None
) -> pl.DataFrame:
    """Rows of a reference dataset already in the warehouse (this run's loads included)."""
    params: dict[str, object] = dict(where or {})
    clauses = " and ".join(f"{column} = ${column}" for column in params) or "true"
    # table and column names come from the contracts, checked when the source config was parsed
    return fetch_frame(con, f"select * from {RAW_SCHEMA}.{table} where {clauses}", params)  # noqa: S608


def _no_reference(file: str, table: str, config: SourceConfig) -> FileRejected:
    return FileRejected(
        file,
        f"source {config.name} maps names through reference {table}, but the warehouse has none",
        f"ingest the reference files (reference/{table}.csv) first or in the same run",
        "no_reference",
    )


def _lookup_tables(
    con: duckdb.DuckDBPyConnection, config: SourceConfig, file: str
) -> dict[str, pl.DataFrame]:
    tables: dict[str, pl.DataFrame] = {}
    for name, lookup in config.lookups.items():
        frame = _reference_frame(con, lookup.table, lookup.where)
        if frame.is_empty():
            raise _no_reference(file, lookup.table, config)
        tables[name] = frame
    return tables


def _community_index(
    con: duckdb.DuckDBPyConnection, config: SourceConfig, file: str
) -> CommunityIndex:
    index = CommunityIndex.from_frame(_reference_frame(con, "communities"))
    if len(index) == 0:
        raise _no_reference(file, "communities", config)
    return index


def rejected_before(con: duckdb.DuckDBPyConnection, outcome: FileOutcome) -> bool:
    """Whether identical bytes of this source and period were already rejected with this message."""
    row = fetch_one(
        con,
        "select count(*) from raw.load_ledger where sha256 = $sha and source = $source "
        "and period is not distinct from $period and outcome = 'rejected' and message = $message",
        {
            "sha": outcome.sha256,
            "source": outcome.source,
            "period": outcome.period,
            "message": outcome.message,
        },
    )
    return bool(row and row[0])


def validate_rows(frame: pl.DataFrame, contract: Contract) -> list[RowFailure]:
    """Row failures of a canonical batch, by the engine DUBAN_VALIDATION names (polars or gx)."""
    engine = os.environ.get("DUBAN_VALIDATION", "polars")
    return validate(frame, contract) if engine == "gx" else validate_fast(frame, contract)


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
    earlier = already_ingested(con, outcome.sha256, outcome.source, outcome.period)
    if earlier is not None:
        outcome.outcome = "unchanged"
        outcome.message = f"identical to a file already ingested ({earlier}); nothing to do"
        outcome.finished_at = now_local()
        return outcome
    load_id = next_load_id(con)
    try:
        frame = read_source_file(path, config)
        header = resolve_header(frame, config, str(path))
        tables = _lookup_tables(con, config, str(path))
        resolving = config.resolves_communities(contract)
        index = _community_index(con, config, str(path)) if resolving else None
    except FileRejected as rejection:
        outcome.outcome = "rejected"
        outcome.reject_kind = rejection.kind
        outcome.message = str(rejection)
        outcome.finished_at = now_local()
        if not rejected_before(con, outcome):  # the same file, rejected the same way: one row
            record(con, outcome, load_id)
        return outcome

    data_columns = [name for name in frame.columns if name != LINE]
    frame = drop_totals(frame, config)
    frame = frame.filter(~pl.all_horizontal(pl.col(data_columns).is_null()))
    outcome.rows_read = frame.height
    first_seen = frame.unique(subset=data_columns, keep="first", maintain_order=True)
    outcome.rows_duplicate = frame.height - first_seen.height
    frame = first_seen

    canonical, type_failures = to_canonical(frame, config, contract, header, tables)
    failures: dict[int, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for failure in type_failures:
        failures[failure.line].append((failure.rule_name, failure.column, failure.value))
    if index is not None:
        canonical = resolve_communities(canonical, index, config.communities.fuzzy_threshold)
        unknown = canonical.filter(
            pl.col("community").is_not_null() & pl.col("community_id").is_null()
        )
        for line, name in unknown.select(LINE, "community").iter_rows():
            failures[line].append(("unknown_community", "community", name))
    for row_failure in validate_rows(canonical, contract):
        failures[row_failure.line].append((row_failure.rule, row_failure.column, row_failure.value))

    quarantined: list[QuarantinedRow] = []
    personal = {column.name for column in contract.columns if column.pii}
    if failures:
        raw_rows = frame.filter(pl.col(LINE).is_in(list(failures)))
        for raw in raw_rows.iter_rows(named=True):
            line = int(raw.pop(LINE))
            problems = failures[line]
            rule, column, value = problems[0]
            reason = "; ".join(_describe(*problem, personal) for problem in problems)
            quarantined.append(QuarantinedRow(line, rule, column, value, reason, raw))
    good = canonical.filter(~pl.col(LINE).is_in(list(failures)))
    insert_rows(con, contract, good, load_id, outcome)
    insert_quarantine(con, quarantined, load_id, outcome)
    outcome.rows_loaded = good.height
    outcome.rows_quarantined = len(quarantined)
    outcome.outcome = "loaded"
    replaced = supersede(con, contract, outcome, load_id)
    if replaced:
        ids = ", ".join(str(old) for old in replaced)
        outcome.message = f"replaces load {ids} of the same source and period"
    outcome.finished_at = now_local()
    record(con, outcome, load_id)
    return outcome


def record_sources(con: duckdb.DuckDBPyConnection, sources: list[SourceConfig]) -> None:
    """Keep each source's dataset, department and cadence in raw.sources (for data quality)."""
    for source in sources:
        con.execute("delete from raw.sources where source = $source", {"source": source.name})
        con.execute(
            "insert into raw.sources values ($source, $dataset, $department, $cadence, "
            "$reference, $description, $origin)",
            {
                "source": source.name,
                "dataset": source.dataset,
                "department": source.department,
                "cadence": source.cadence,
                "reference": source.reference,
                "description": source.description,
                "origin": source.origin,
            },
        )


def load_order(files: list[FoundFile]) -> list[FoundFile]:
    """Reference files first (communities before everything), then the rest in path order."""
    return sorted(files, key=lambda f: (not f.source.reference, f.relative))


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
    files = load_order(files)
    report = IngestReport(unmatched=unmatched)
    show = sys.stderr.isatty() if progress is None else progress
    with writer(warehouse) as con:
        # few, large transactions: the published file changes only as a whole anyway (an error
        # or a kill discards the private copy), and small commits write each batch twice (to the
        # WAL at every commit, then at the checkpoint)
        con.execute("begin transaction")
        ensure_raw_schema(con)
        record_sources(con, sources)
        pending = 0
        for number, found in enumerate(tqdm(files, desc="ingest", unit="file", disable=not show)):
            crash_point(f"ingest:file-{number}")
            outcome = process_file(con, found, contracts[found.source.dataset])
            report.outcomes.append(outcome)
            pending += outcome.rows_read
            if pending >= COMMIT_EVERY_ROWS:  # bound the memory a transaction holds
                con.execute("commit")
                con.execute("begin transaction")
                pending = 0
        con.execute("commit")
        crash_point("ingest:all-files")
    return report
