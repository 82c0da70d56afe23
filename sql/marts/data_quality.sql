-- Data quality per source (department): last file, freshness against its cadence as of build time, rows received, loaded, quarantined and duplicate, rejected files, top quarantine reasons, schema drift (files rejected for it, files loaded with it, the latest and what changed); one row per source
with

sources as (
    select * from stg_ingest__sources
),

loads as (
    select * from stg_ingest__loads
),

reasons as (
    select * from int_data_quality_reasons_ranked
),

seen as (
    select
        source,
        count(*) filter (where outcome <> 'unchanged') as count_files,
        count(*) filter (where is_current) as count_files_loaded,
        count(*) filter (where is_rejected) as count_files_rejected,
        count(*) filter (where outcome = 'superseded') as count_files_superseded,
        count(*) filter (where is_schema_drift) as count_schema_drift_events,
        count(*) filter (where is_rejected_for_drift) as count_files_rejected_for_drift,
        count(*) filter (where is_loaded_with_drift) as count_files_loaded_with_drift,
        coalesce(sum(count_rows_read) filter (where is_current), 0) as count_rows_received,
        coalesce(sum(count_rows_loaded) filter (where is_current), 0) as count_rows_loaded,
        coalesce(sum(count_rows_quarantined) filter (where is_current), 0)
            as count_rows_quarantined,
        coalesce(sum(count_rows_duplicate) filter (where is_current), 0) as count_rows_duplicate,
        max(period) filter (where is_current) as last_period,
        arg_max(file_path, finished_at) filter (where outcome <> 'unchanged') as last_file_path,
        arg_max(outcome, finished_at) filter (where outcome <> 'unchanged') as last_file_outcome,
        max(finished_at) filter (where outcome <> 'unchanged') as last_file_at,
        max(finished_at) filter (where is_current) as last_loaded_at,
        arg_max(file_path, (finished_at, load_id)) filter (where is_schema_drift)
            as last_schema_drift_file,
        max(finished_at) filter (where is_schema_drift) as last_schema_drift_at,
        arg_max(
            case when is_rejected_for_drift then 'rejected' else 'loaded' end,
            (finished_at, load_id)
        ) filter (where is_schema_drift) as last_schema_drift_outcome,
        arg_max(header_changes, (finished_at, load_id)) filter (where is_schema_drift)
            as last_schema_drift_changes
    from loads
    group by source
),

top_reasons as (
    select
        source,
        string_agg(rule || ' (' || count_rows || ')', '; ' order by reason_rank)
            as top_quarantine_reasons
    from reasons
    where reason_rank <= 3
    group by source
),

expected as (
    select strftime(date_trunc('month', current_date) - interval 1 month, '%Y-%m')
        as expected_period
),

joined as (
    select
        sources.source,
        sources.dataset,
        sources.department,
        sources.cadence,
        sources.is_reference,
        seen.last_file_path,
        seen.last_file_outcome,
        seen.last_file_at,
        seen.last_loaded_at,
        seen.last_period,
        case when sources.cadence = 'monthly' then expected.expected_period end
            as expected_period,
        coalesce(seen.count_files, 0) as count_files,
        coalesce(seen.count_files_loaded, 0) as count_files_loaded,
        coalesce(seen.count_files_rejected, 0) as count_files_rejected,
        coalesce(seen.count_files_superseded, 0) as count_files_superseded,
        coalesce(seen.count_rows_received, 0)::bigint as count_rows_received,
        coalesce(seen.count_rows_loaded, 0)::bigint as count_rows_loaded,
        coalesce(seen.count_rows_quarantined, 0)::bigint as count_rows_quarantined,
        coalesce(seen.count_rows_duplicate, 0)::bigint as count_rows_duplicate,
        top_reasons.top_quarantine_reasons,
        coalesce(seen.count_schema_drift_events, 0) as count_schema_drift_events,
        coalesce(seen.count_files_rejected_for_drift, 0) as count_files_rejected_for_drift,
        coalesce(seen.count_files_loaded_with_drift, 0) as count_files_loaded_with_drift,
        seen.last_schema_drift_file,
        seen.last_schema_drift_at,
        seen.last_schema_drift_outcome,
        seen.last_schema_drift_changes
    from sources
    cross join expected
    left join seen on sources.source = seen.source
    left join top_reasons on sources.source = top_reasons.source
),

rated as (
    select
        *,
        case
            when count_files_loaded = 0 then null
            when cadence <> 'monthly' then 0
            when last_period >= expected_period then 0
            else
                (
                    date_diff(
                        'month',
                        try_strptime(last_period || '-01', '%Y-%m-%d'),
                        try_strptime(expected_period || '-01', '%Y-%m-%d')
                    )
                )
        end as count_periods_behind,
        case
            when count_files_loaded = 0 then 'missing'
            when cadence <> 'monthly' then 'loaded'
            when last_period >= expected_period then 'fresh'
            else 'late'
        end as freshness,
        count_rows_quarantined / nullif(count_rows_received, 0) as quarantine_rate,
        count_rows_loaded / nullif(count_rows_received, 0) as loaded_rate
    from joined
)

select * from rated
