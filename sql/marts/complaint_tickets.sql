-- Complaint tickets with location, repeat links and handling times, for drill-down and KPIs; one row per ticket
with

complaints as (
    select * from int_complaints_timed
),

reference_types as (
    select * from stg_reference__problem_types
),

problem_types as (
    select level3, bool_or(is_environment) as is_environment
    from reference_types
    group by level3
),

department_names as (
    select * from int_department_names
),

tickets as (
    select
        complaints.complaint_id,
        complaints.received_at,
        complaints.received_on,
        date_trunc('month', complaints.received_on)::date as received_month,
        complaints.channel,
        complaints.community_id,
        complaints.community,
        complaints.grid_id,
        complaints.address_id,
        complaints.address,
        complaints.location_key,
        complaints.is_address_resolved,
        complaints.category_l1,
        complaints.category_l2,
        complaints.problem_type,
        coalesce(problem_types.is_environment, complaints.category_l1 = '社区环境')
            as is_environment,
        complaints.description,
        complaints.department,
        coalesce(department_names.department, complaints.department) as handling_department,
        complaints.status,
        complaints.first_response_at,
        complaints.is_responded_within_24h,
        complaints.closed_at,
        complaints.closed_on,
        date_trunc('month', complaints.closed_on)::date as closed_month,
        complaints.is_closed,
        complaints.handling_working_days,
        complaints.is_calendar_covered,
        complaints.satisfaction,
        complaints.is_rated,
        complaints.is_satisfied,
        complaints.is_repeat,
        complaints.previous_complaint_id,
        complaints.original_complaint_id,
        complaints.source,
        complaints.load_id,
        complaints.source_row
    from complaints
    left join problem_types on problem_types.level3 = complaints.problem_type
    left join department_names on department_names.name = complaints.department
)

select * from tickets
