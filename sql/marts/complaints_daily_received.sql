-- Street-wide complaints received per day, so that `duban kpi` without filters reads a few hundred rows instead of every ticket; one row per day received
with

tickets as (
    select * from complaint_tickets
),

daily as (
    select
        received_month as month_on,
        received_on as day_on,
        count(*) as count_complaints,
        count(*) filter (where is_repeat) as count_repeats,
        count(*) filter (where is_responded_within_24h) as count_responded_24h,
        -- the latest moment any of these tickets records: figures as of a later moment need
        -- no per-ticket check of what had happened by then
        max(greatest(received_at, first_response_at, closed_at)) as latest_event_at
    from tickets
    group by received_month, received_on
)

select * from daily
