-- Inspection visits linked to the earlier visit they duplicate (same community and subject within the window); one row per visit
with

visits as (
    select * from stg_departments__inspections
),

settings as (
    select * from build_settings
),

ordered as (
    select
        visits.*,
        lag(visit_id) over visit_order as previous_visit_id,
        lag(inspected_on) over visit_order as previous_inspected_on
    from visits
    window visit_order as (
        partition by community, subject
        order by inspected_on, visit_id
    )
),

flagged as (
    select
        ordered.*,
        coalesce(
            inspected_on - previous_inspected_on <= settings.duplicate_inspection_days, false
        ) as is_duplicate
    from ordered
    cross join settings
)

select * from flagged
