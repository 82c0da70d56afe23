-- Who duplicates whom: duplicate visits by the department of the earlier visit and of the duplicate; one row per month, community, subject and department pair
with

visits as (
    select * from inspection_visits
),

pairs as (
    select
        inspected_month as month_on,
        community_id,
        subject,
        previous_department as earlier_department,
        department as later_department,
        count(*) as count_duplicates
    from visits
    where is_duplicate
    group by all
)

select * from pairs
