-- Rows held back by the ingest, with the rule they failed; one row per quarantined source row
with

quarantine as (
    select * from raw.quarantine
),

renamed as (
    select
        load_id,
        source,
        dataset,
        file_path,
        row_number as source_row,
        rule,
        column_name,
        value,
        reason
    from quarantine
)

select * from renamed
