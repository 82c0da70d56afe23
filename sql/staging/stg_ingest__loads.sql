-- Every file the ingest saw, with its outcome and row counts (the load ledger); one row per file load
with

ledger as (
    select * from raw.load_ledger
),

loads as (
    select
        load_id,
        source,
        dataset,
        file_path,
        sha256,
        size_bytes,
        period,
        rows_read as count_rows_read,
        rows_loaded as count_rows_loaded,
        rows_quarantined as count_rows_quarantined,
        rows_duplicate as count_rows_duplicate,
        started_at,
        finished_at,
        outcome,
        message,
        reject_kind,
        superseded_by,
        outcome = 'loaded' as is_current,
        outcome = 'rejected' as is_rejected,
        coalesce(reject_kind = 'schema_drift', false) as is_schema_drift
    from ledger
)

select * from loads
