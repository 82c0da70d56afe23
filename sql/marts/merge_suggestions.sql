-- One inspection, claimed by many: departments visiting the same community on the same subject, and the visits a joint inspection would save; one row per month, community and subject
with

visits as (
    select * from inspection_visits
),

grouped as (
    select
        inspected_month as month_on,
        community_id,
        min(community) as community,  -- one of the spellings, the same in every build
        subject,
        count(*) as count_visits,
        count(*) filter (where is_duplicate) as count_visits_saved,
        count(distinct department) as count_departments,
        list_sort(list_distinct(list(department))) as departments
    from visits
    group by inspected_month, community_id, subject
),

suggested as (
    select *
    from grouped
    where count_visits_saved > 0
)

select * from suggested
