-- Rectification case rounds with their working-day deadlines and on-time flags at each stage; one row per case round
with

cases as (
    select * from stg_ledger__rectification_cases
),

calendar as (
    select * from ref_calendar
),

working_days as (
    select working_day_number, day_on from ref_calendar where is_working_day
),

settings as (
    select * from build_settings
),

dated as (
    select
        cases.*,
        coalesce(cases.community_id, cases.community) as community_key,
        cast(noticed_at as date) as noticed_on,
        cast(completed_at as date) as completed_on,
        cast(evaluated_at as date) as evaluated_on
    from cases
),

deadlines as (
    select
        dated.*,
        rectify_by.day_on as rectification_deadline_on,
        evaluate_by.day_on as evaluation_deadline_on,
        coalesce(notice_cal.is_covered, true) and coalesce(completion_cal.is_covered, true)
            as is_calendar_covered
    from dated
    cross join settings
    left join calendar as notice_cal on notice_cal.day_on = dated.noticed_on
    left join calendar as completion_cal on completion_cal.day_on = dated.completed_on
    left join working_days as rectify_by
        on rectify_by.working_day_number
            = notice_cal.working_day_number + settings.rectification_working_days
    left join working_days as evaluate_by
        on evaluate_by.working_day_number
            = completion_cal.working_day_number + settings.evaluation_working_days
),

flagged as (
    select
        deadlines.*,
        noticed_at is not null
            and epoch(noticed_at) - epoch(found_at) <= settings.feedback_hours * 3600
            as is_noticed_within_24h,
        completed_at is not null as is_completed,
        coalesce(completed_on <= rectification_deadline_on, false) as is_completed_on_time,
        coalesce(evaluated_on <= evaluation_deadline_on, false) as is_evaluated_on_time,
        evaluated_at is not null as is_evaluated,
        coalesce(satisfaction_pct < settings.second_round_below_pct, false)
            as is_below_satisfaction,
        -- satisfied: at or above the second-round threshold (an evaluation without a satisfaction
        -- is neither); the one definition of 整改满意率 (the KPI and indicator IND37)
        coalesce(satisfaction_pct >= settings.second_round_below_pct, false) as is_satisfied
    from deadlines
    cross join settings
)

select * from flagged
