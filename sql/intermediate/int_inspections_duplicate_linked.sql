-- Inspection visits linked to the earlier visit they duplicate (same community and subject within the window); one row per visit
with

visits as (
    select * from stg_departments__inspections
),

settings as (
    select * from build_settings
),

problem_types as (
    select level3, any_value(problem_type_id) as problem_type_id
    from stg_reference__problem_types
    group by level3
),

keyed as (
    select
        visits.*,
        coalesce(visits.community_id, visits.community) as community_key,
        problem_types.level3 as problem_type,
        [visits.department] || list_sort(list_distinct(list_filter(
            coalesce(
                string_split(regexp_replace(visits.joint_departments, '[,，;；/ ]', '、', 'g'), '、'),
                []
            ),
            lambda d: d <> '' and d <> visits.department
        ))) as departments_involved
    from visits
    left join problem_types on problem_types.level3 = visits.problem
),

ordered as (
    select
        keyed.*,
        lag(visit_id) over visit_order as previous_visit_id,
        lag(department) over visit_order as previous_department,
        lag(inspected_on) over visit_order as previous_inspected_on
    from keyed
    window visit_order as (
        partition by community_key, subject
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
