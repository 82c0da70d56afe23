"""The raw layer: a table per contract, the load ledger, the quarantine, the version-key macros."""

from __future__ import annotations

import duckdb

from warehouse.contracts import Contract, load_contracts
from warehouse.versions import create_version_macros

RAW_SCHEMA = "raw"
LINEAGE_COLUMNS = (
    ("_load_id", "bigint not null"),
    ("_source", "varchar not null"),
    ("_period", "varchar"),
    ("_row", "bigint not null"),
)

LEDGER_DDL = f"""
create table if not exists {RAW_SCHEMA}.load_ledger (
    load_id bigint primary key,
    source varchar not null,
    dataset varchar not null,
    file_path varchar not null,
    sha256 varchar not null,
    size_bytes bigint not null,
    period varchar,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    rows_duplicate bigint not null,
    started_at timestamp not null,
    finished_at timestamp not null,
    outcome varchar not null,
    message varchar
)
"""

QUARANTINE_DDL = f"""
create table if not exists {RAW_SCHEMA}.quarantine (
    load_id bigint not null,
    source varchar not null,
    dataset varchar not null,
    file_path varchar not null,
    row_number bigint not null,
    rule varchar not null,
    column_name varchar,
    value varchar,
    reason varchar not null,
    raw_row json not null
)
"""


SOURCES_DDL = f"""
create table if not exists {RAW_SCHEMA}.sources (
    source varchar primary key,
    dataset varchar not null,
    department varchar,
    cadence varchar not null,
    is_reference boolean not null,
    description varchar,
    origin varchar
)
"""
# a column found under a later name of its config (schema drift of a file that loads)
RENAMED_TYPE = "struct(column_name varchar, expected_name varchar, found_name varchar)[]"
# columns added to the ledger after its first release (older warehouses get them on open): the
# header's drift is kept as data, null for files loaded before it was recorded
LEDGER_ADDED = (
    ("reject_kind", "varchar"),
    ("superseded_by", "bigint"),
    ("extra_columns", "varchar[]"),
    ("missing_columns", "varchar[]"),
    ("renamed_columns", RENAMED_TYPE),
)


def raw_table_ddl(contract: Contract) -> str:
    """The DDL of a dataset's raw table: the contract's columns plus lineage columns."""
    columns = [f"{column.name} {column.sql_type}" for column in contract.columns]
    columns += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    body = ",\n    ".join(columns)
    return f"create table if not exists {RAW_SCHEMA}.{contract.dataset} (\n    {body}\n)"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, each dataset's raw table, the ledger and the quarantine if missing,
    and (re)create the macros the staging models pick each record's latest version with."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for contract in load_contracts().values():
        con.execute(raw_table_ddl(contract))
        # a column a contract gained after a warehouse was made (e.g. inspections.address)
        for column in contract.columns:
            con.execute(
                f"alter table {RAW_SCHEMA}.{contract.dataset} "
                f"add column if not exists {column.name} {column.sql_type}"
            )
    con.execute(LEDGER_DDL)
    for name, sql_type in LEDGER_ADDED:
        con.execute(
            f"alter table {RAW_SCHEMA}.load_ledger add column if not exists {name} {sql_type}"
        )
    con.execute(QUARANTINE_DDL)
    con.execute(SOURCES_DDL)
    create_version_macros(con)
