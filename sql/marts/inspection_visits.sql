-- Inspection visits with their duplicate links and departments involved, for drill-down and KPIs; one row per visit
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
        community_id,
        community,
        subject,
        source_subject,
        is_failed,
        problem,
        problem_type,
        is_duplicate,
        previous_visit_id,
        previous_department,
        departments_involved,
        len(departments_involved) as count_departments,
        len(departments_involved) > 1 as is_joint,
        source,
        load_id,
        source_row
    from visits
)

select * from final
