-- Monthly inspection visits, duplicates and failures; one row per month, community, subject and department
with

visits as (
    select * from inspection_visits
),

monthly as (
    select
        inspected_month as month_on,
        community_id,
        subject,
        department,
        count(*) as count_visits,
        count(*) filter (where is_duplicate) as count_duplicates,
        count(*) filter (where is_failed) as count_failed,
        count(*) filter (where is_joint) as count_joint
    from visits
    group by all
),

rated as (
    select
        *,
        count_duplicates / count_visits as duplicate_inspection_rate
    from monthly
)

select * from rated
