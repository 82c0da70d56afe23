"""`duban ingest`: find each file's source; read, map, validate; load or quarantine; record it."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from tqdm import tqdm

from pipelines.batch import Batch, References, prepare, sha256_of
from pipelines.errors import ConfigError, DubanError, FileRejected
from pipelines.loader import (
    FileOutcome,
    already_ingested,
    insert_quarantine,
    insert_rows,
    next_load_id,
    record,
    supersede,
)
from pipelines.resolution import CommunityIndex
from pipelines.source_config import SourceConfig, load_sources
from warehouse.clock import now_local
from warehouse.connection import fetch_frame, fetch_one, writer
from warehouse.contracts import Contract, load_contracts
from warehouse.faults import crash_point
from warehouse.schema import RAW_SCHEMA, ensure_raw_schema

# files read and checked on worker threads while the one before them is written (each holds a
# file's rows in memory: the bound keeps a 10m-scale ingest well under 4 GB)
PREPARED_AHEAD = 2
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


def _reference_frame(
    con: duckdb.DuckDBPyConnection, table: str, where: dict[str, str] | None = None
) -> pl.DataFrame:
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


class ReferenceCache:
    """Reference rows read from the warehouse once, until a load of their dataset changes them."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.frames: dict[tuple[str, tuple[tuple[str, str], ...]], pl.DataFrame] = {}
        self.indexes: dict[str, CommunityIndex] = {}

    def frame(self, table: str, where: dict[str, str] | None = None) -> pl.DataFrame:
        """Rows of a reference dataset already in the warehouse (this run's loads included)."""
        key = (table, tuple(sorted((where or {}).items())))
        if key not in self.frames:
            self.frames[key] = _reference_frame(self.con, table, where)
        return self.frames[key]

    def community_index(self) -> CommunityIndex:
        """Every known name of every community."""
        if "communities" not in self.indexes:
            self.indexes["communities"] = CommunityIndex.from_frame(self.frame("communities"))
        return self.indexes["communities"]

    def changed(self, dataset: str) -> None:
        """Forget what was read of a dataset a file has just been loaded into."""
        self.frames = {key: frame for key, frame in self.frames.items() if key[0] != dataset}
        if dataset == "communities":
            self.indexes.clear()

    def for_file(self, config: SourceConfig, contract: Contract, file: str) -> References:
        """The lookup tables and community index a file maps through, or why there are none."""
        try:
            tables: dict[str, pl.DataFrame] = {}
            for name, lookup in config.lookups.items():
                frame = self.frame(lookup.table, lookup.where)
                if frame.is_empty():
                    raise _no_reference(file, lookup.table, config)
                tables[name] = frame
            index = None
            if config.resolves_communities(contract):
                index = self.community_index()
                if len(index) == 0:
                    raise _no_reference(file, "communities", config)
        except FileRejected as rejection:
            return References(rejection=rejection)
        return References(tables, index)


def reads_from(config: SourceConfig, contract: Contract) -> set[str]:
    """The datasets a source's files map through (lookups, community names)."""
    tables = {lookup.table for lookup in config.lookups.values()}
    return tables | ({"communities"} if config.resolves_communities(contract) else set())


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


@dataclass(frozen=True)
class Prepared:
    """A file's bytes hashed and, unless identical bytes were loaded before, its batch."""

    sha256: str
    batch: Batch | None = None
    rejection: FileRejected | None = None


@dataclass
class Started:
    """A file whose outcome is begun and whose hashing and preparing runs on the pool."""

    found: FoundFile
    contract: Contract
    outcome: FileOutcome
    prepared: Future[Prepared]


def hash_and_prepare(
    reader: duckdb.DuckDBPyConnection,
    outcome: FileOutcome,
    config: SourceConfig,
    contract: Contract,
    references: References,
) -> Prepared:
    """On a worker: hash the file; prepare its batch unless a committed load has its bytes.

    `reader` is the worker's own cursor: it sees what is committed, so an identical file loaded
    earlier in this run's open transaction is caught by `finish_file`'s second look instead.
    """
    try:
        path = Path(outcome.file_path)
        sha256 = sha256_of(path)
        if already_ingested(reader, sha256, outcome.source, outcome.period) is not None:
            return Prepared(sha256)
        try:
            return Prepared(sha256, prepare(path, config, contract, references))
        except FileRejected as rejection:
            return Prepared(sha256, rejection=rejection)
    finally:
        reader.close()


def start_file(
    con: duckdb.DuckDBPyConnection,
    found: FoundFile,
    contract: Contract,
    refs: ReferenceCache,
    pool: ThreadPoolExecutor,
) -> Started:
    """Begin a file's outcome and hand its hashing and preparing to the pool.

    Hashing on the pool keeps the writing thread writing: a month of the 10m hotline is 160 MB.
    """
    path, config = found.path, found.source
    outcome = FileOutcome(
        source=config.name,
        dataset=config.dataset,
        file_path=str(path),
        sha256="",
        size_bytes=path.stat().st_size,
        period=config.period_of(path.name),
        started_at=now_local(),
    )
    references = refs.for_file(config, contract, str(path))
    prepared = pool.submit(hash_and_prepare, con.cursor(), outcome, config, contract, references)
    return Started(found, contract, outcome, prepared)


def finish_file(con: duckdb.DuckDBPyConnection, started: Started) -> FileOutcome:
    """Load a started file's batch inside the open write connection; return its outcome."""
    outcome, contract = started.outcome, started.contract
    prepared = started.prepared.result()
    outcome.sha256 = prepared.sha256
    # looked up again here: an identical file earlier in this run may have been loaded since
    earlier = already_ingested(con, outcome.sha256, outcome.source, outcome.period)
    if earlier is not None:
        outcome.outcome = "unchanged"
        outcome.message = f"identical to a file already ingested ({earlier}); nothing to do"
        outcome.finished_at = now_local()
        return outcome
    load_id = next_load_id(con)
    if prepared.batch is None:
        assert prepared.rejection is not None  # no batch: loaded before (above) or rejected
        rejection = prepared.rejection
        outcome.outcome = "rejected"
        outcome.reject_kind = rejection.kind
        outcome.drift = rejection.drift
        outcome.message = str(rejection)
        outcome.finished_at = now_local()
        if not rejected_before(con, outcome):  # the same file, rejected the same way: one row
            record(con, outcome, load_id)
        return outcome
    batch = prepared.batch
    outcome.rows_read = batch.rows_read
    outcome.rows_duplicate = batch.rows_duplicate
    outcome.drift = batch.drift
    insert_rows(con, contract, batch.good, load_id, outcome)
    insert_quarantine(con, batch.quarantined, load_id, outcome)
    outcome.rows_loaded = batch.good.height
    outcome.rows_quarantined = batch.quarantined.height
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
    with writer(warehouse) as con, ThreadPoolExecutor(PREPARED_AHEAD) as pool:
        # few, large transactions: the published file changes only as a whole anyway (an error
        # or a kill discards the private copy), and small commits write each batch twice (to the
        # WAL at every commit, then at the checkpoint)
        con.execute("begin transaction")
        ensure_raw_schema(con)
        record_sources(con, sources)
        con.execute("commit")  # the workers' own cursors look up earlier loads in these tables
        con.execute("begin transaction")
        refs = ReferenceCache(con)
        pending = 0
        window: deque[Started] = deque()  # this file, and those prepared ahead of it
        upcoming = 0
        for number, found in enumerate(tqdm(files, desc="ingest", unit="file", disable=not show)):
            crash_point(f"ingest:file-{number}")
            while upcoming < len(files) and len(window) <= PREPARED_AHEAD:
                after = files[upcoming]
                after_contract = contracts[after.source.dataset]
                # a file is prepared while earlier ones are written unless it maps through data
                # they may change
                needs = reads_from(after.source, after_contract)
                if any(earlier.found.source.dataset in needs for earlier in window):
                    break
                window.append(start_file(con, after, after_contract, refs, pool))
                upcoming += 1
            current = window.popleft()
            assert current.found is found  # files are started and finished in order
            outcome = finish_file(con, current)
            if outcome.outcome == "loaded":
                refs.changed(outcome.dataset)
            report.outcomes.append(outcome)
            pending += outcome.rows_read
            if pending >= COMMIT_EVERY_ROWS:  # bound the memory a transaction holds
                con.execute("commit")
                con.execute("begin transaction")
                pending = 0
        con.execute("commit")
        crash_point("ingest:all-files")
    return report
