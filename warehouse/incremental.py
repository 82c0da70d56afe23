"""Incremental builds: after new files only, rebuild just what they touch, and exactly.

`duban build` remembers, in `build_state`, a fingerprint of everything the models depend on
besides the fact rows (every model's SQL, the settings, the calendar, the indicator mapping, the
reference loads, replaced loads) and the last load it saw. When the fingerprint is unchanged and
new loads only added fact rows, the build is incremental:

- `int_address_texts_resolved` (a table) resolves only the address texts of the new or updated
  tickets and visits that it does not hold yet, and drops the texts no row uses any more;
- `int_complaints_located` (a table) resolves only the new or updated tickets;
- `complaint_tickets` recomputes only the (location, problem type) chains those tickets touch:
  the repeat windows are partitioned by exactly those keys, so a chain is either recomputed whole or
  left as it was. The models upstream of the recomputation are shadowed, for this connection only,
  by temporary tables holding just the touched rows, so the same SQL runs on fewer rows;
- the monthly and daily aggregates of tickets (`complaints_monthly`, `complaints_monthly_grid`,
  `complaints_daily_received`, `complaints_daily_closed`), `hotspots_category_monthly` and
  `hotspots_monthly` recompute only the months that changed: those the changed ticket rows
  counted in (before and after), and those of changed visits and checks (`hotspots_monthly`,
  small and read in the order its SQL stores it in, is then written again whole in that order);
- `rectification_cases` is rebuilt whole, and `indicator_compliance` recomputes only the months
  its changed inputs count in (warehouse/incremental_compliance.py);
- every other model is rebuilt in full (views are unchanged; the other marts are small next to the
  ticket chain).

A full rebuild and an incremental one give identical marts (tests/test_incremental_build.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

import duckdb

from warehouse import versions
from warehouse.connection import fetch_one
from warehouse.incremental_compliance import update_cases, update_compliance
from warehouse.models import Model
from warehouse.settings import Settings

FACT_DATASETS = ("complaints", "inspections", "rectification_cases", "supervisor_inspections",
                 "resident_evaluations")  # fmt: skip
STATE_DDL = """
create table if not exists build_state (
    fingerprint varchar not null,
    last_load_id bigint not null,
    built_at timestamp not null
)
"""


@dataclass(frozen=True)
class BuildState:
    """What the last build saw."""

    fingerprint: str
    last_load_id: int


def fingerprint(con: duckdb.DuckDBPyConnection, models: list[Model], settings: Settings) -> str:
    """A hash of everything but the fact rows that the models' results depend on."""
    digest = hashlib.sha256()
    for model in sorted(models, key=lambda m: m.name):
        digest.update(f"{model.name}\0{model.sql}\0".encode())
    # the staging models call these macros: a change to them changes the models' results
    digest.update(versions.MACROS_SQL.encode())
    digest.update(repr(settings).encode())
    rows = con.execute(
        "select dataset, outcome, count(*), max(load_id) from raw.load_ledger "
        "where not list_contains($facts, dataset) or outcome = 'superseded' "
        "group by all order by all",
        {"facts": list(FACT_DATASETS)},
    ).fetchall()
    digest.update(json.dumps(rows, default=str).encode())
    measures = fetch_one(con, "select md5(string_agg(t::varchar, '|' order by indicator_id)) "
                              "from indicator_measures t")  # fmt: skip
    digest.update(str(measures).encode())
    return digest.hexdigest()


def last_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """The largest load id among the fact rows and the ledger (0 when nothing was loaded)."""
    # table names come from FACT_DATASETS only
    parts = " union all ".join(
        f"select max(_load_id) as id from raw.{name}"  # noqa: S608
        for name in FACT_DATASETS
    )
    ledger = "(select max(load_id) from raw.load_ledger)"
    row = fetch_one(con, f"select coalesce(greatest(max(id), {ledger}), 0) from ({parts})")  # noqa: S608
    return int(row[0]) if row else 0  # type: ignore[call-overload]


def read_state(con: duckdb.DuckDBPyConnection) -> BuildState | None:
    """The last build's state, if the warehouse was built before."""
    con.execute(STATE_DDL)
    row = fetch_one(con, "select fingerprint, last_load_id from build_state")
    return None if row is None else BuildState(str(row[0]), int(row[1]))  # type: ignore[call-overload]


def clear_state(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the last build (a build starting): until it ends, the next build is a full one."""
    con.execute(STATE_DDL)
    con.execute("delete from build_state")


def write_state(con: duckdb.DuckDBPyConnection, state: BuildState) -> None:
    """Remember what this build saw."""
    con.execute(STATE_DDL)
    con.execute("delete from build_state")
    con.execute(
        "insert into build_state values ($fingerprint, $last, now()::timestamp)",
        {"fingerprint": state.fingerprint, "last": state.last_load_id},
    )


def prepare(con: duckdb.DuckDBPyConnection, since: int) -> None:
    """Temporary tables of what changed since load `since`: the touched tickets, and the months
    whose visits or supervisors' checks changed (every version's month of a changed record, so
    that a record moved to another month marks both)."""
    con.execute(
        "create or replace temp table changed_complaints as "
        "select distinct complaint_id from raw.complaints where _load_id > $since",
        {"since": since},
    )
    con.execute(
        "create or replace temp table changed_inspections as "
        "select distinct department, inspection_id from raw.inspections where _load_id > $since",
        {"since": since},
    )
    con.execute(
        "create or replace temp table affected_months as "
        "select distinct date_trunc('month', inspected_on)::date as month_on "
        "from raw.inspections where (department, inspection_id) in "
        "(select (department, inspection_id) from raw.inspections where _load_id > $since) "
        "union "
        "select distinct date_trunc('month', checked_at)::date from raw.supervisor_inspections "
        "where check_id in "
        "(select check_id from raw.supervisor_inspections where _load_id > $since)",
        {"since": since},
    )
    con.execute(
        "create or replace temp table changed_evaluation_months as "
        "select distinct date_trunc('month', evaluated_on)::date as month_on "
        "from raw.resident_evaluations where evaluation_id in "
        "(select evaluation_id from raw.resident_evaluations where _load_id > $since)",
        {"since": since},
    )


def update_address_texts(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Resolve the texts of the changed tickets and visits on shadows holding just those rows; drop
    the texts no current row uses (an updated record's old text), then add the new ones. The changed
    tickets' picked versions are kept for `int_complaints_located`, built next from them."""
    con.execute(
        "create or replace temp table changed_ticket_rows as "
        "select * from main.stg_hotline__complaints "
        "where complaint_id in (select complaint_id from changed_complaints)"
    )
    con.execute(
        "create or replace temp table changed_visit_rows as "
        "select * from main.stg_departments__inspections "
        "where (department, inspection_id) in "
        "(select (department, inspection_id) from changed_inspections)"
    )
    con.execute(
        "create or replace temp view stg_hotline__complaints as select * from changed_ticket_rows"
    )
    con.execute(
        "create or replace temp view stg_departments__inspections as "
        "select * from changed_visit_rows"
    )
    try:
        con.execute(f"create or replace temp table new_texts as {model.sql}")
        drop_unused_texts(con)
    finally:
        con.execute("drop view if exists temp.stg_hotline__complaints")
        con.execute("drop view if exists temp.stg_departments__inspections")
        con.execute("drop table if exists changed_visit_rows")
    con.execute(
        "insert into main.int_address_texts_resolved by name "
        "select new_texts.* from new_texts anti join main.int_address_texts_resolved as known "
        "on known.address = new_texts.address"
    )


def drop_unused_texts(con: duckdb.DuckDBPyConnection) -> None:
    """Delete the texts no current ticket or visit uses any more (an updated record's old text).

    Only a text some version of a changed record has can have lost its last user: every other
    text is still used by the unchanged record that used it. Such a candidate is still used by a
    changed record's current version (the shadows) or by an unchanged record's current version:
    a raw row with that text which the last build picked (its load and row in
    `int_complaints_located` / `inspection_visits`, still the last build's here). So the check reads
    the few candidates' raw rows, not every record's latest version.
    """
    con.execute(
        "create or replace temp table candidate_texts as "
        "select address from raw.complaints "
        "where complaint_id in (select complaint_id from changed_complaints) "
        "union select address from raw.inspections "
        "where (department, inspection_id) in "
        "(select (department, inspection_id) from changed_inspections)"
    )
    # every name is qualified: an unqualified one missing from a subquery's table binds to the
    # outer row
    con.execute(
        "create or replace temp table used_texts as "
        "select tickets.address from changed_ticket_rows as tickets "
        "union select visits.address from changed_visit_rows as visits "
        "union select raw_tickets.address from raw.complaints as raw_tickets "
        "semi join candidate_texts on candidate_texts.address = raw_tickets.address "
        "semi join main.int_complaints_located as located "
        "on located.load_id = raw_tickets._load_id and located.source_row = raw_tickets._row "
        "where raw_tickets.complaint_id not in (select complaint_id from changed_complaints) "
        "union select raw_visits.address from raw.inspections as raw_visits "
        "semi join candidate_texts on candidate_texts.address = raw_visits.address "
        "semi join main.inspection_visits as visits "
        "on visits.load_id = raw_visits._load_id and visits.source_row = raw_visits._row "
        "where (raw_visits.department, raw_visits.inspection_id) not in "
        "(select (department, inspection_id) from changed_inspections)"
    )
    try:
        con.execute(
            "delete from main.int_address_texts_resolved where address in "
            "(select candidate_texts.address from candidate_texts "
            "anti join used_texts on used_texts.address = candidate_texts.address)"
        )
    finally:
        con.execute("drop table if exists temp.used_texts")
        con.execute("drop table if exists temp.candidate_texts")


def update_located(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Resolve only the changed tickets: shadow their staging rows (picked once, for the texts
    above), then replace their rows."""
    con.execute(
        "create or replace temp view stg_hotline__complaints as select * from changed_ticket_rows"
    )
    try:
        con.execute(f"create or replace temp table new_located as {model.sql}")
    finally:
        con.execute("drop view if exists temp.stg_hotline__complaints")
        con.execute("drop table if exists changed_ticket_rows")
    con.execute(
        "create or replace temp table touched_chains as "
        "select distinct location_key, problem_type from main.int_complaints_located "
        "where complaint_id in (select complaint_id from changed_complaints) "
        "union select distinct location_key, problem_type from new_located"
    )
    con.execute(
        "delete from main.int_complaints_located "
        "where complaint_id in (select complaint_id from changed_complaints)"
    )
    con.execute("insert into main.int_complaints_located by name select * from new_located")


def update_complaint_tickets(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Recompute only the touched chains, on a shadow of the located tickets holding just them."""
    con.execute(
        "create or replace temp table int_complaints_located as "
        "select located.* from main.int_complaints_located as located "
        "semi join touched_chains as touched "
        "on touched.location_key = located.location_key "
        "and touched.problem_type = located.problem_type "
        "union all by name "
        "select * from main.int_complaints_located "
        "where location_key is null "
        "and complaint_id in (select complaint_id from changed_complaints)"
    )
    try:
        con.execute(
            "create or replace temp table replaced_tickets as "
            "select complaint_id from temp.int_complaints_located "
            "union select complaint_id from changed_complaints"
        )
        con.execute(
            "create or replace temp table old_tickets as select * from main.complaint_tickets "
            "where complaint_id in (select complaint_id from replaced_tickets)"
        )
        con.execute(
            "delete from main.complaint_tickets "
            "where complaint_id in (select complaint_id from replaced_tickets)"
        )
        con.execute(f"insert into main.complaint_tickets by name {model.sql}")
        remember_ticket_months(con)
    finally:
        con.execute("drop table if exists temp.int_complaints_located")
        con.execute("drop table if exists temp.old_tickets")


def remember_ticket_months(con: duckdb.DuckDBPyConnection) -> None:
    """Add to `affected_months` the received and closed months of every ticket row that changed:
    its old row's months and its new row's. A recomputed chain's other rows come out as they were
    and mark nothing, so only the months whose figures can differ are recomputed below."""
    con.execute(
        "create or replace temp table changed_rows as "
        "(select * from main.complaint_tickets "
        "where complaint_id in (select complaint_id from replaced_tickets) "
        "except all select * from old_tickets) "
        "union all "
        "(select * from old_tickets except all select * from main.complaint_tickets "
        "where complaint_id in (select complaint_id from replaced_tickets))"
    )
    con.execute(
        "insert into affected_months "
        "select received_month from changed_rows "
        "union select closed_month from changed_rows where closed_month is not null"
    )
    con.execute("drop table changed_rows")


# monthly mart -> the tables it reads, each with the expression of the months a row counts in:
# a month's rows are recomputed from every row counting in it, so the result is exact
TICKET_EVENT_MONTHS = (
    "received_month in (select month_on from affected_months) "
    "or closed_month in (select month_on from affected_months)"
)
MONTHLY_INPUTS: dict[str, dict[str, str]] = {
    # both read complaint_tickets through the view int_complaint_month_events, which the shadow
    # below reaches: a temporary table's name comes first
    "complaints_monthly": {"complaint_tickets": TICKET_EVENT_MONTHS},
    "complaints_monthly_grid": {"complaint_tickets": TICKET_EVENT_MONTHS},
    "complaints_daily_received": {
        "complaint_tickets": "received_month in (select month_on from affected_months)",
    },
    "complaints_daily_closed": {
        "complaint_tickets": "closed_month in (select month_on from affected_months)",
    },
    "hotspots_category_monthly": {
        "complaint_tickets": "received_month in (select month_on from affected_months)",
        "inspection_visits": "inspected_month in (select month_on from affected_months)",
        "stg_supervisors__inspections": "date_trunc('month', checked_on)::date "
        "in (select month_on from affected_months)",
    },
    "hotspots_monthly": {
        "hotspots_category_monthly": "month_on in (select month_on from affected_months)",
    },
}


# a model stored in an order ends with `stored as (select * from final order by <columns>)
# select * from stored`: an appended month would break that order, so such a mart is written again
# whole, in the order its SQL names (read from the SQL, so the two cannot drift apart)
STORED_ORDER_PATTERN = re.compile(
    r"\bstored as \(\s*select \* from final\s+order by"
    r" ([a-z_][a-z0-9_]*(?:,\s*[a-z_][a-z0-9_]*)*)\s*\)\s*select \* from stored\s*$"
)


def stored_order(model: Model) -> str | None:
    """The columns a model's SQL stores its rows in order of (plain column names), if it does."""
    found = STORED_ORDER_PATTERN.search(model.sql)
    return None if found is None else ", ".join(re.split(r",\s*", found.group(1)))


def update_monthly(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Recompute only the affected months of a monthly mart, on shadows of its inputs holding
    just the rows that count in those months."""
    inputs = MONTHLY_INPUTS[model.name]
    try:
        for table, months in inputs.items():
            # table names and conditions come from MONTHLY_INPUTS only
            con.execute(
                f"create or replace temp table {table} as "  # noqa: S608
                f"select * from main.{table} where {months}"
            )
        order = stored_order(model)
        if order is None:
            con.execute(
                f"delete from main.{model.name} "  # noqa: S608
                "where month_on in (select month_on from affected_months)"
            )
            con.execute(
                f"insert into main.{model.name} by name "  # noqa: S608
                f"select * from (\n{model.sql}\n) "
                "where month_on in (select month_on from affected_months)"
            )
        else:  # the kept months and the recomputed ones, written again in the mart's order
            con.execute(
                f"create or replace table main.{model.name} as "  # noqa: S608
                f"select * from (select * from main.{model.name} "
                "where month_on not in (select month_on from affected_months) "
                f"union all by name select * from (\n{model.sql}\n) "
                "where month_on in (select month_on from affected_months)) "
                f"order by {order}"
            )
    finally:
        for table in inputs:
            con.execute(f"drop table if exists temp.{table}")


HANDLERS = {
    "int_address_texts_resolved": update_address_texts,
    "int_complaints_located": update_located,
    "complaint_tickets": update_complaint_tickets,
    **{name: update_monthly for name in MONTHLY_INPUTS},
    "rectification_cases": update_cases,
    "indicator_compliance": update_compliance,
}
