-- Inspection visits with their duplicate links, for drill-down and period KPIs; one row per visit
with

visits as (
    select * from int_inspections_duplicate_linked
),

final as (
    select
        visit_id,
        inspection_id,
        department,
        inspected_on,
        date_trunc('month', inspected_on)::date as inspected_month,
        community,
        subject,
        is_failed,
        is_duplicate,
        previous_visit_id,
        joint_departments,
        source,
        load_id,
        source_row
    from visits
)

select * from final
