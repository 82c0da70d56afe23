-- The closed loop: rectification case rounds with every stage's deadline, on-time flag and recurrence; one row per case round
with

cases as (
    select * from int_rectification_recurrence
),

department_names as (
    select * from int_department_names
),

final as (
    select
        case_round_id,
        case_id,
        round,
        round > 1 as is_second_round,
        found_by,
        source_ref,
        community_id,
        community,
        grid,
        address,
        problem_type,
        description,
        responsible_unit,
        responsible_unit_type,
        department_names.department as responsible_department,
        found_at,
        date_trunc('month', found_at)::date as found_month,
        noticed_at,
        noticed_on,
        deadline_on as notice_deadline_on,
        rectification_deadline_on,
        reported_at,
        completed_at,
        completed_on,
        evaluation_deadline_on,
        evaluated_at,
        evaluated_on,
        satisfaction_pct,
        status,
        remark,
        is_noticed_within_24h,
        is_completed,
        is_completed_on_time,
        is_evaluated,
        is_evaluated_on_time,
        is_below_satisfaction,
        is_satisfied,
        next_problem_at,
        is_recurred,
        is_calendar_covered,
        source,
        load_id,
        source_row
    from cases
    left join department_names on department_names.name = cases.responsible_unit
)

select * from final
