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
        extra_columns,
        missing_columns,
        renamed_columns,
        outcome = 'loaded' as is_current,
        outcome = 'rejected' as is_rejected,
        -- schema drift, of two kinds: a file rejected because a mapped column is missing, and
        -- a file that loaded although its header changed (columns nobody reads, a column found
        -- under a later name of its config); column order alone is not drift
        coalesce(reject_kind = 'schema_drift', false) as is_rejected_for_drift,
        outcome in ('loaded', 'superseded')
        and (coalesce(len(extra_columns), 0) > 0 or coalesce(len(renamed_columns), 0) > 0)
            as is_loaded_with_drift
    from ledger
),

flagged as (
    select
        *,
        is_rejected_for_drift or is_loaded_with_drift as is_schema_drift,
        -- what changed, in column names: +extra, expected→found, -missing
        list_concat(
            list_transform(coalesce(extra_columns, []), lambda x: '+' || x),
            list_transform(
                coalesce(renamed_columns, []), lambda x: x.expected_name || '→' || x.found_name
            ),
            list_transform(coalesce(missing_columns, []), lambda x: '-' || x)
        ) as header_changes
    from loads
)

select * from flagged
