-- Monthly counts behind the weighted evaluation score (warehouse/scores.py); one row per month and community
-- Each part is counted in the month its period test uses: cases by their rectification deadline
-- (due), the end of their 90-day watch (watched) and when they were found (first rounds); tickets
-- when received; compliance by its month. `latest_at` is the latest moment any of the row's
-- counts looked at: a score read from these counts equals one from the ticket-level tables for
-- any `as_of` at or after it (warehouse/scores.py falls back to those tables otherwise).
with

settings as (
    select * from build_settings
),

cases as (
    select * from rectification_cases
),

tickets as (
    select * from complaint_tickets
),

compliance as (
    select * from indicator_compliance
),

due as (
    select
        date_trunc('month', rectification_deadline_on)::date as month_on,
        community_id,
        count(*) as count_cases_due,
        count(*) filter (where is_completed and completed_at is not null) as count_cases_solved,
        count(*) filter (
            where is_completed_on_time and completed_at is not null
        ) as count_cases_on_time,
        greatest(max(rectification_deadline_on)::timestamp, max(completed_at)) as latest_at
    from cases
    where rectification_deadline_on is not null
    group by all
),

watched as (
    select
        date_trunc(
            'month', cast(cases.completed_at + to_days(settings.recurrence_days) as date)
        )::date as month_on,
        cases.community_id,
        count(*) as count_watched,
        count(*) filter (where cases.is_recurred) as count_recurred,
        max(cases.completed_at + to_days(settings.recurrence_days)) as latest_at
    from cases
    cross join settings
    where cases.is_completed and cases.completed_at is not null
    group by all
),

found as (
    select
        date_trunc('month', found_at)::date as month_on,
        community_id,
        count(*) as count_found,
        count(*) filter (
            where is_noticed_within_24h and noticed_at is not null
        ) as count_noticed_24h,
        greatest(max(found_at), max(noticed_at)) as latest_at
    from cases
    where round = 1 and found_at is not null
    group by all
),

received as (
    select
        date_trunc('month', received_on)::date as month_on,
        community_id,
        count(*) as count_tickets,
        count(*) filter (
            where is_responded_within_24h and first_response_at is not null
        ) as count_responded_24h,
        greatest(max(received_at), max(first_response_at)) as latest_at
    from tickets
    where received_on is not null and received_at is not null
    group by all
),

complied as (
    select
        month_on,
        community_id,
        count(*) as count_compliance_measured,
        count(*) filter (where is_compliant) as count_compliant
    from compliance
    where is_compliant is not null and month_on is not null
    group by all
),

parts as (
    select * from due
    union all by name select * from watched
    union all by name select * from found
    union all by name select * from received
    union all by name select * from complied
),

monthly as (
    select
        month_on,
        community_id,
        coalesce(sum(count_cases_due), 0)::bigint as count_cases_due,
        coalesce(sum(count_cases_solved), 0)::bigint as count_cases_solved,
        coalesce(sum(count_cases_on_time), 0)::bigint as count_cases_on_time,
        coalesce(sum(count_watched), 0)::bigint as count_watched,
        coalesce(sum(count_recurred), 0)::bigint as count_recurred,
        coalesce(sum(count_found), 0)::bigint as count_found,
        coalesce(sum(count_noticed_24h), 0)::bigint as count_noticed_24h,
        coalesce(sum(count_tickets), 0)::bigint as count_tickets,
        coalesce(sum(count_responded_24h), 0)::bigint as count_responded_24h,
        coalesce(sum(count_compliance_measured), 0)::bigint as count_compliance_measured,
        coalesce(sum(count_compliant), 0)::bigint as count_compliant,
        max(latest_at) as latest_at
    from parts
    where month_on is not null
    group by month_on, community_id
)

select * from monthly
