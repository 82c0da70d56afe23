-- Complaints with response and handling times, handling in Chinese working days; one row per complaint
with

located as (
    select * from int_complaints_located
),

links as (
    select * from int_complaints_repeat_linked
),

versions as (
    select * from stg_hotline__complaint_versions
),

-- the located ticket's own version brings the columns the narrow located table does not keep; its
-- community is the resolved one. A (load, row) names one loaded row, so the two integers are the
-- whole join key: no ticket id to hash and compare per row
complaints as (
    select
        versions.* exclude (complaint_id, community_id, caller_name, caller_phone),
        located.* exclude (load_id, source_row, received_at, received_on, problem_type),
        links.* exclude (complaint_id)
    from located
    join versions
        on versions.load_id = located.load_id
        and versions.source_row = located.source_row
    join links on links.complaint_id = located.complaint_id
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
