-- Complaint tickets with their repeat links, for drill-down and period KPIs; one row per ticket
with

complaints as (
    select * from int_complaints_repeat_linked
),

tickets as (
    select
        complaint_id,
        received_at,
        received_on,
        date_trunc('month', received_on)::date as received_month,
        community,
        address,
        location_key,
        category_l1,
        problem_type,
        department,
        status,
        first_response_at,
        closed_at,
        satisfaction,
        is_repeat,
        previous_complaint_id,
        original_complaint_id,
        source,
        load_id,
        source_row
    from complaints
)

select * from tickets
