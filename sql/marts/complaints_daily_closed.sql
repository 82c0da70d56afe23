-- Street-wide complaints closed per day by handling time in working days (a histogram, so that the median needs no tickets), for `duban kpi` without filters; one row per day closed and handling working days
with

tickets as (
    select * from complaint_tickets
),

daily as (
    select
        closed_month as month_on,
        closed_on as day_on,
        handling_working_days,
        count(*) as count_closed,
        count(*) filter (where is_rated) as count_rated,
        count(*) filter (where is_satisfied) as count_satisfied,
        max(greatest(received_at, first_response_at, closed_at)) as latest_event_at
    from tickets
    where is_closed
    group by closed_month, closed_on, handling_working_days
)

select * from daily
