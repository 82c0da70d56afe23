"""Macros for picking a record's latest loaded version, created with the raw schema.

The staging models of the fact datasets keep one version of each record: the one with a period,
the latest period, then the latest load and row. They pick it with a hash aggregate over keys only
(a window partitioned by the record's id sorts every row and is several times slower), of one
128-bit number ordered as that rule orders versions:

- `version_key(period_rank, load_id, row_number)`: the period's rank (0 for no period) in bits
  96-127, the load id in bits 48-95, the row number in bits 0-47. A load id or row number outside
  0 .. 2^48 - 1 would not fit, and is an error rather than a wrong pick;
- `version_load_id(key)` and `version_row(key)`: the (load, row) of the version a key names, to
  join the picked row back by its (load, row), which names one loaded row.

A `max` of the key is much faster than an `arg_max` over a struct of the three.
"""

from __future__ import annotations

import duckdb

# 2^48 - 1: the largest load id or row number a key holds
KEY_PART_MAX = (1 << 48) - 1

MACROS_SQL = f"""
create or replace macro version_key(period_rank, load_id, row_number) as (
    coalesce(case
        when load_id not between 0 and {KEY_PART_MAX} or row_number not between 0 and {KEY_PART_MAX}
        then error('a load id or row number is outside 0 .. 2^48 - 1: a version key cannot hold it')
    end, 0)::uhugeint
    | (coalesce(period_rank, 0)::uhugeint << 96)
    | (load_id::uhugeint << 48)
    | row_number::uhugeint
);
create or replace macro version_load_id(key) as (((key >> 48) & {KEY_PART_MAX}::uhugeint)::bigint);
create or replace macro version_row(key) as ((key & {KEY_PART_MAX}::uhugeint)::bigint);
"""


def create_version_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) the version-key macros in the connection's database."""
    con.execute(MACROS_SQL)
