"""Incremental builds of the closed loop's cases and indicator compliance: only the changed months.

`rectification_cases` is rebuilt whole (a new problem can mark any earlier round as recurred), but
the rows that came out different from the last build's are remembered: the months they counted in
are the only months of `indicator_compliance` whose figures can change, besides those of changed
tickets, visits and resident evaluations. `indicator_compliance` then recomputes just those months
on shadows of its inputs holding the rows that count in them, and keeps every other month's rows.

It falls back to a full rebuild of the mart where a shortcut would not be exact: a community id
that is not in the reference (its rows exist only where it was observed), or a month the recomputed
rows do not cover whole (a month with no event of the shadows at either end of the range).
"""

from __future__ import annotations

import duckdb

from warehouse.connection import fetch_one
from warehouse.models import Model

# the months a rectification case round counts in, one expression per observation of
# sql/marts/indicator_compliance.sql (cases_due, cases_found, cases_evaluated, cases_watched)
CASE_MONTHS = (
    "date_trunc('month', rectification_deadline_on)::date",
    "found_month",
    "date_trunc('month', evaluated_on)::date",
    "date_trunc('month', completed_on + (select recurrence_days from build_settings))::date",
)

# the columns of rectification_cases that sql/marts/indicator_compliance.sql reads: a round whose
# values of these came out as before counts in the same months with the same figures
# (tests/test_indicator_compliance.py checks the SQL reads no other column of the cases)
CASE_COLUMNS = (
    "community_id", "problem_type", "round", "found_month", "rectification_deadline_on",
    "completed_on", "evaluated_on", "is_noticed_within_24h", "is_completed",
    "is_completed_on_time", "is_below_satisfaction", "is_satisfied", "is_recurred",
)  # fmt: skip

# input of indicator_compliance -> the condition on its rows that count in `indicator_months`
COMPLIANCE_INPUTS: dict[str, str] = {
    "inspection_visits": "inspected_month in (select month_on from indicator_months)",
    "complaint_tickets": "received_month in (select month_on from indicator_months) "
    "or closed_month in (select month_on from indicator_months)",
    "rectification_cases": " or ".join(
        f"{months} in (select month_on from indicator_months)"  # noqa: S608
        for months in CASE_MONTHS
    ),
    "stg_evaluations__resident_evaluations": "date_trunc('month', evaluated_on)::date "
    "in (select month_on from indicator_months)",
}


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The single number a query returns."""
    row = fetch_one(con, sql)
    return int(row[0]) if row else 0  # type: ignore[call-overload]


def update_cases(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Rebuild `rectification_cases` whole; remember the months its changed rows count in (rows
    compared on the columns indicator_compliance reads)."""
    con.execute("alter table main.rectification_cases rename to rectification_cases_before")
    con.execute(f"create table main.rectification_cases as\n{model.sql}")
    months = " union ".join(
        f"select {expression} as month_on from changed_cases"  # noqa: S608
        for expression in CASE_MONTHS
    )
    columns = ", ".join(CASE_COLUMNS)
    # the columns come from CASE_COLUMNS only
    con.execute(
        "create or replace temp table changed_cases as "  # noqa: S608
        f"(select {columns} from main.rectification_cases "
        f"except all select {columns} from main.rectification_cases_before) "
        "union all "
        f"(select {columns} from main.rectification_cases_before "
        f"except all select {columns} from main.rectification_cases)"
    )
    con.execute("drop table main.rectification_cases_before")
    # the expressions come from CASE_MONTHS only
    con.execute(f"create or replace temp table changed_case_months as {months}")
    con.execute("drop table changed_cases")


def update_compliance(con: duckdb.DuckDBPyConnection, model: Model) -> str | None:
    """Recompute only the months whose figures can have changed; else rebuild the mart whole
    (and say so: "table", as a full build would)."""
    # the range of months a full build's grid spans (sql/marts/indicator_compliance.sql, months)
    con.execute(
        "create or replace temp table compliance_range as "
        "select min(month_on) as first_on, max(month_on) as last_on from ("
        "select min(inspected_month) as month_on from main.inspection_visits "
        "union all select min(received_month) from main.complaint_tickets "
        "union all select min(found_month) from main.rectification_cases "
        "union all select min(date_trunc('month', evaluated_on)::date) "
        "from main.rectification_cases "
        "union all select min(date_trunc('month', evaluated_on)::date) "
        "from main.stg_evaluations__resident_evaluations "
        "union all select max(inspected_month) from main.inspection_visits "
        "union all select max(received_month) from main.complaint_tickets "
        "union all select max(found_month) from main.rectification_cases "
        "union all select max(date_trunc('month', evaluated_on)::date) "
        "from main.rectification_cases "
        "union all select max(date_trunc('month', evaluated_on)::date) "
        "from main.stg_evaluations__resident_evaluations)"
    )
    # the changed months, and every month of the range the mart does not hold yet
    con.execute(
        "create or replace temp table indicator_months as "
        "select month_on from affected_months "
        "union select month_on from changed_case_months where month_on is not null "
        "union select month_on from changed_evaluation_months where month_on is not null "
        "union (select unnest(generate_series(first_on, last_on, interval 1 month))::date "
        "from compliance_range "
        "except select distinct month_on from main.indicator_compliance)"
    )
    strays = count(
        con,
        "select count(*) from (select distinct community_id from main.indicator_compliance) "
        "anti join main.stg_reference__communities using (community_id)",
    )
    if strays:
        return rebuild(con, model)
    # a view (the columns read, not copies of whole rows) named by catalog too: DuckDB takes a
    # view over `main.<its own name>` for a recursion
    row = fetch_one(con, "select current_database()")
    catalog = '"' + str(row[0] if row else "main").replace('"', '""') + '"'
    try:
        for table, condition in COMPLIANCE_INPUTS.items():
            # table names and conditions come from COMPLIANCE_INPUTS only, the catalog is quoted
            con.execute(
                f"create or replace temp view {table} as "  # noqa: S608
                f"select * from {catalog}.main.{table} where {condition}"
            )
        con.execute(
            f"create or replace temp table new_compliance as select * from (\n{model.sql}\n) "  # noqa: S608
            "where month_on in (select month_on from indicator_months) "
            "and month_on between (select first_on from compliance_range) "
            "and (select last_on from compliance_range)"
        )
    finally:
        for table in COMPLIANCE_INPUTS:
            con.execute(f"drop view if exists temp.{table}")
    whole = (
        count(
            con,
            "select count(*) from indicator_months, compliance_range "
            "where month_on between first_on and last_on",
        )
        * count(con, "select count(*) from main.stg_reference__indicators")
        * count(con, "select count(distinct community_id) from main.stg_reference__communities")
    )
    stray_rows = count(
        con,
        "select count(*) from new_compliance "
        "anti join main.stg_reference__communities using (community_id)",
    )
    if stray_rows or count(con, "select count(*) from new_compliance") != whole:
        con.execute("drop table new_compliance")
        return rebuild(con, model)
    con.execute(
        "delete from main.indicator_compliance "
        "where month_on in (select month_on from indicator_months) "
        "or month_on not between (select first_on from compliance_range) "
        "and (select last_on from compliance_range)"
    )
    con.execute("insert into main.indicator_compliance by name select * from new_compliance")
    con.execute("drop table new_compliance")
    return None


def rebuild(con: duckdb.DuckDBPyConnection, model: Model) -> str:
    """The mart built whole, as a full build does."""
    con.execute(f"create or replace table main.{model.name} as\n{model.sql}")
    return "table"
