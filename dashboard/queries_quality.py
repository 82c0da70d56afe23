"""Data-quality queries: per source and department, the last file, freshness, rows and reasons."""

from __future__ import annotations

import polars as pl

from dashboard.queries import WarehouseVersion, has, run
from warehouse.masks import free_text

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

MART_SQL = """
    select * exclude (is_reference, last_file_path)
        replace (coalesce(department, '—') as department),
        regexp_extract(last_file_path, '[^/]+$') as last_file
    from data_quality
    where not is_reference and ($department::varchar is null or department = $department)
    order by department nulls first, source
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
