-- Complaints with response and handling times, handling in Chinese working days; one row per complaint
with

located as (
    select * from int_complaints_located
),

links as (
    select * from int_complaints_repeat_linked
),

complaints as (
    select located.*, links.* exclude (complaint_id)
    from located
    join links using (complaint_id)
),

calendar as (
    select * from ref_calendar
),

settings as (
    select * from build_settings
),

timed as (
    select
        complaints.*,
        cast(closed_at as date) as closed_on,
        first_response_at is not null
            and epoch(first_response_at) - epoch(received_at) <= settings.response_hours * 3600
            as is_responded_within_24h,
        closed_at is not null as is_closed,
        closed_cal.working_day_number - received_cal.working_day_number as handling_working_days,
        coalesce(received_cal.is_covered and coalesce(closed_cal.is_covered, true), false)
            as is_calendar_covered,
        satisfaction is not null as is_rated,
        satisfaction in ('满意', '基本满意') as is_satisfied
    from complaints
    cross join settings
    left join calendar as received_cal on received_cal.day_on = complaints.received_on
    left join calendar as closed_cal on closed_cal.day_on = cast(complaints.closed_at as date)
)

select * from timed
