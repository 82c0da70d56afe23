"""Data-quality queries: per source and department, the last file, freshness, rows and reasons;
the complaints' address resolution and quick closes in the period."""

from __future__ import annotations

import polars as pl

from dashboard.queries import WarehouseVersion, has, run
from warehouse.masks import address, free_text
from warehouse.metrics import COMMUNITY, COMPLAINT_DEPARTMENT
from warehouse.settings import load_settings

DEPARTMENT = "($department::varchar is null or sources.department = $department)"

# never raw.quarantine.raw_row; the reason may quote a failing value, so it is masked unless the
# viewer may see personal information (analysts)
REASONS_SQL = """
    select quarantine.source, coalesce(sources.department, '—') as department, rule, column_name,
        count(*) as count_rows, any_value({reason}) as example_reason
    from raw.quarantine as quarantine
    left join raw.sources as sources using (source)
    where ($department::varchar is null or sources.department = $department)
    group by all
    order by count_rows desc
"""
RAW_REASONS_SQL = REASONS_SQL.format(reason="quarantine.reason")
MASKED_REASONS_SQL = REASONS_SQL.format(reason=free_text("quarantine.reason"))

REJECTED_SQL = f"""
    select ledger.source, coalesce(sources.department, '—') as department,
        regexp_extract(file_path, '[^/]+$') as file_name, reject_kind, finished_at, message
    from raw.load_ledger as ledger
    left join raw.sources as sources using (source)
    where outcome = 'rejected' and superseded_by is null and {DEPARTMENT}
    order by finished_at desc
"""  # noqa: S608

# the latest drift's details are shown in their own table (DRIFT_SQL)
MART_SQL = """
    select * exclude (is_reference, last_file_path, last_schema_drift_file, last_schema_drift_at,
            last_schema_drift_outcome, last_schema_drift_changes)
        replace (coalesce(department, '—') as department),
        regexp_extract(last_file_path, '[^/]+$') as last_file
    from data_quality
    where not is_reference and ($department::varchar is null or department = $department)
    order by department nulls first, source
"""


# per source with any: the files rejected for schema drift, those loaded with it, and the latest
# (its file, time, outcome and the column changes: +extra, expected→found, -missing)
DRIFT_SQL = """
    select source, coalesce(department, '—') as department, count_files_rejected_for_drift,
        count_files_loaded_with_drift,
        regexp_extract(last_schema_drift_file, '[^/]+$') as last_schema_drift_file,
        last_schema_drift_at, last_schema_drift_outcome, last_schema_drift_changes
    from data_quality
    where count_schema_drift_events > 0
        and ($department::varchar is null or department = $department)
    order by last_schema_drift_at desc, source
"""


def per_source(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame | None:
    """One row per source (the data_quality mart); None until the mart is built."""
    if not has(version, "data_quality"):
        return None
    return run(version, MART_SQL, params)


def reasons(
    version: WarehouseVersion, params: dict[str, object], unmasked: bool = False
) -> pl.DataFrame:
    """Quarantined rows by source, rule and column; the example reason masked unless `unmasked`."""
    return run(version, RAW_REASONS_SQL if unmasked else MASKED_REASONS_SQL, params)


def rejected(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """Files rejected whole (unreadable or schema drift) and not replaced since."""
    return run(version, REJECTED_SQL, params)


RECEIVED = (
    "received_on between $date_from and $date_to and received_at <= $as_of "
    f"and {COMMUNITY} and {COMPLAINT_DEPARTMENT}"
)

# per handling department, the period's complaints: how many gave an address, how many of those
# resolved to a known address (docs/metrics.md), and how many were closed (by as_of) within
# settings' quick_close_minutes of being received, a sign of a ticket closed without handling
TICKETS_SQL = f"""
    select
        coalesce(handling_department, '—') as department,
        count(*) as count_complaints,
        count(*) filter (where address is not null) as count_with_address,
        count(*) filter (where is_address_resolved) as count_address_resolved,
        count(*) filter (where address is not null and not is_address_resolved)
            as count_address_unresolved,
        count(*) filter (where is_address_resolved)
            / nullif(count(*) filter (where address is not null), 0) as address_resolution_rate,
        count(*) filter (
            where closed_at <= $as_of
                and closed_at < received_at + to_minutes($quick_close_minutes::bigint)
        ) as count_closed_within_minutes
    from complaint_tickets
    where {RECEIVED}
    group by all
    order by count_complaints desc, department
"""  # noqa: S608

# the addresses that did not resolve, as their normalised text (the tickets' location key), most
# complaints first; masked to the building for everyone (a flat's address names a person; an
# analyst reveals one ticket through the access layer, with a reason)
UNRESOLVED_SQL = f"""
    select {address("location_key")} as address, count(*) as count_complaints
    from complaint_tickets
    where {RECEIVED} and address is not null and not is_address_resolved
    group by all
    order by count_complaints desc, address
    limit 50
"""  # noqa: S608


def tickets(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """The period's complaints by handling department: address resolution and quick closes."""
    minutes = load_settings().quick_close_minutes
    return run(version, TICKETS_SQL, {**params, "quick_close_minutes": minutes})


def unresolved(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame:
    """The period's unresolved complaint addresses (to the building) with their counts."""
    return run(version, UNRESOLVED_SQL, params)


def drift(version: WarehouseVersion, params: dict[str, object]) -> pl.DataFrame | None:
    """Sources whose files' headers changed, with the latest change; None until the mart is
    built."""
    if not has(version, "data_quality"):
        return None
    return run(version, DRIFT_SQL, params)
