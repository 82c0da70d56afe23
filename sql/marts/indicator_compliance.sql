-- Each catalogue indicator measured per community and month against its threshold (warehouse/indicators.yaml says which measure stands for it); one row per month, community and indicator
with

indicators as (
    select * from stg_reference__indicators
),

measures as (
    select * from indicator_measures
),

communities as (
    select * from stg_reference__communities
),

visits as (
    select * from inspection_visits
),

tickets as (
    select * from complaint_tickets
),

cases as (
    select * from rectification_cases
),

evaluations as (
    select * from stg_evaluations__resident_evaluations
),

settings as (
    select * from build_settings
),

inspection_passes as (
    select
        measures.indicator_id,
        visits.community_id,
        visits.inspected_month as month_on,
        count(*) filter (
            where not (
                visits.is_failed
                and (measures.problem_types is null
                    or coalesce(list_contains(
                        measures.problem_types, coalesce(visits.problem_type, visits.problem)
                    ), false))
            )
        )::double as numerator,
        count(*)::double as denominator
    from measures
    inner join visits on visits.subject = measures.subject
    where measures.measure = 'inspection_pass_rate'
    group by all
),

complaints_received as (
    select
        measures.indicator_id,
        tickets.community_id,
        tickets.received_month as month_on,
        case measures.measure
            when 'complaint_response_rate' then count(*) filter (where tickets.is_responded_within_24h)
            when 'complaint_closure_rate' then count(*) filter (where tickets.is_closed)
            when 'repeat_complaint_rate' then count(*) filter (where tickets.is_repeat)
            else sum(epoch(tickets.first_response_at) - epoch(tickets.received_at)) / 3600
        end::double as numerator,
        case measures.measure
            when 'complaint_response_hours' then count(tickets.first_response_at)
            else count(*)
        end::double as denominator
    from measures
    inner join tickets
        on measures.problem_types is null
        or list_contains(measures.problem_types, tickets.problem_type)
    where measures.measure in (
        'complaint_response_rate', 'complaint_closure_rate', 'repeat_complaint_rate',
        'complaint_response_hours'
    )
    group by measures.indicator_id, measures.measure, tickets.community_id, tickets.received_month
),

complaints_closed as (
    select
        measures.indicator_id,
        tickets.community_id,
        tickets.closed_month as month_on,
        sum(tickets.handling_working_days)::double as numerator,
        count(tickets.handling_working_days)::double as denominator
    from measures
    inner join tickets
        on measures.problem_types is null
        or list_contains(measures.problem_types, tickets.problem_type)
    where measures.measure = 'complaint_handling_working_days' and tickets.is_closed
    group by all
),

cases_typed as (
    select
        measures.indicator_id,
        measures.measure,
        cases.*
    from measures
    inner join cases
        on measures.problem_types is null
        or list_contains(measures.problem_types, cases.problem_type)
    where measures.measure like 'case\_%' escape '\' or measures.measure = 'second_rectification_rate'
),

cases_due as (
    select
        indicator_id,
        community_id,
        date_trunc('month', rectification_deadline_on)::date as month_on,
        case measure
            when 'case_completion_rate' then count(*) filter (where is_completed)
            else count(*) filter (where is_completed_on_time)
        end::double as numerator,
        count(*)::double as denominator
    from cases_typed
    where measure in ('case_completion_rate', 'case_on_time_rate')
        and rectification_deadline_on is not null
    group by indicator_id, measure, community_id, month_on
),

cases_found as (
    select
        indicator_id,
        community_id,
        found_month as month_on,
        count(*) filter (where is_noticed_within_24h)::double as numerator,
        count(*)::double as denominator
    from cases_typed
    where measure = 'case_feedback_rate' and round = 1
    group by all
),

cases_evaluated as (
    select
        indicator_id,
        community_id,
        date_trunc('month', evaluated_on)::date as month_on,
        -- the KPIs rectification_satisfaction_rate (case_satisfaction_rate) and
        -- second_rectification_rate: over every evaluated case, one without a satisfaction in
        -- the denominator only
        case measure
            when 'case_satisfaction_rate' then count(*) filter (where is_satisfied)
            else count(*) filter (where is_below_satisfaction)
        end::double as numerator,
        count(*)::double as denominator
    from cases_typed
    where measure in ('case_satisfaction_rate', 'second_rectification_rate')
        and evaluated_on is not null
    group by indicator_id, measure, community_id, month_on
),

cases_watched as (
    select
        indicator_id,
        community_id,
        date_trunc('month', completed_on + settings.recurrence_days)::date as month_on,
        count(*) filter (where is_recurred)::double as numerator,
        count(*)::double as denominator
    from cases_typed
    cross join settings
    where measure = 'case_recurrence_rate' and is_completed
    group by all
),

residents as (
    select
        measures.indicator_id,
        evaluations.community_id,
        date_trunc('month', evaluations.evaluated_on)::date as month_on,
        case measures.measure
            when 'resident_participation' then count(*) filter (where evaluations.took_part)
            else count(*) filter (where evaluations.knows_results)
        end::double as numerator,
        case measures.measure
            when 'resident_participation' then count(evaluations.took_part)
            else count(evaluations.knows_results)
        end::double as denominator
    from measures
    inner join evaluations
        on measures.evaluator_types is null
        or list_contains(measures.evaluator_types, evaluations.evaluator_type)
    where measures.measure in ('resident_participation', 'resident_awareness')
    group by measures.indicator_id, measures.measure, evaluations.community_id, month_on
),

observations as (
    select * from inspection_passes
    union all by name
    select * from complaints_received
    union all by name
    select * from complaints_closed
    union all by name
    select * from cases_due
    union all by name
    select * from cases_found
    union all by name
    select * from cases_evaluated
    union all by name
    select * from cases_watched
    union all by name
    select * from residents
),

event_months as (
    select inspected_month as month_on from visits
    union
    select received_month from tickets
    union
    select found_month from cases
    union
    select date_trunc('month', evaluated_on)::date from cases where evaluated_on is not null
    union
    select date_trunc('month', evaluated_on)::date from evaluations
),

months as (
    select unnest(generate_series(min(month_on), max(month_on), interval 1 month))::date as month_on
    from event_months
),

community_ids as (
    select community_id from communities
    union
    select community_id from observations where community_id is not null
),

grid as (
    select
        months.month_on,
        community_ids.community_id,
        communities.community_name,
        indicators.*,
        measures.measure,
        measures.note as measure_note,
        measures.measure is not null as has_measure
    from months
    cross join community_ids
    cross join indicators
    left join communities on communities.community_id = community_ids.community_id
    left join measures on measures.indicator_id = indicators.indicator_id
),

measured as (
    select
        grid.*,
        case when grid.has_measure then coalesce(observations.numerator, 0) end as numerator,
        case when grid.has_measure then coalesce(observations.denominator, 0) end as denominator,
        observations.numerator / nullif(observations.denominator, 0)
            * case when grid.unit = '%' then 100 else 1 end as measured_value
    from grid
    left join observations
        on observations.indicator_id = grid.indicator_id
        and observations.community_id = grid.community_id
        and observations.month_on = grid.month_on
),

compared as (
    select
        month_on,
        community_id,
        community_name,
        indicator_id,
        category,
        indicator_name,
        unit,
        comparator,
        threshold,
        editable,
        measure,
        measure_note,
        has_measure,
        numerator,
        denominator,
        measured_value,
        case comparator
            when '>=' then measured_value >= threshold
            when '>' then measured_value > threshold
            when '<=' then measured_value <= threshold
            when '<' then measured_value < threshold
            when '=' then abs(measured_value - threshold) < 1e-9
        end as is_compliant
    from measured
)

select * from compared
