-- Inspection visits with their duplicate links and departments involved, for drill-down and KPIs; one row per visit
with

visits as (
    select * from int_inspections_duplicate_linked
),

resolved_texts as (
    select * from int_address_texts_resolved
),

addresses as (
    select * from stg_reference__addresses
),

-- the place inspected, where the department records one, resolved as complaints' addresses are;
-- an address in another community than the one the visit was filed under is not used
trusted as (
    select
        visits.*,
        resolved_texts.address_text,
        case
            when resolved_texts.place_community_id = visits.community_id
                or visits.community_id is null
                then resolved_texts.address_id
        end as address_id
    from visits
    left join resolved_texts
        on resolved_texts.address = visits.address
),

located as (
    select trusted.*, addresses.grid_id
    from trusted
    left join addresses on addresses.address_id = trusted.address_id
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
        address_text as address,
        address_id,
        grid_id,
        address_id is not null as is_address_resolved,
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
    from located
)

select * from final
