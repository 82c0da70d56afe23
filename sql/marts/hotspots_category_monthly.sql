-- Problems by category and problem type per area: complaints, repeats and failed inspection items, the hotspots' mix; one row per month, level (community, grid), area, category and problem type
-- An address's mix is not kept here: an address holds about one ticket a month, so this grain would
-- copy the tickets; warehouse/hotspots.py counts one address's (or one grid's addresses') problems
-- from complaint_tickets and inspection_visits when asked.
with

tickets as (
    select * from complaint_tickets
),

visits as (
    select * from inspection_visits
),

checks as (
    select * from stg_supervisors__inspections
),

grids as (
    select * from stg_reference__grids
),

problem_types as (
    select level3, min(level1) as level1
    from stg_reference__problem_types
    group by level3
),

-- one event per ticket: counting them per place and type first would not shrink them (a grid has
-- about one ticket of a type a month), so each level below groups the tickets directly
complaint_events as (
    select
        received_month as month_on,
        community_id,
        grid_id,
        category_l1,
        problem_type,
        1 as count_complaints,
        case when is_repeat then 1 else 0 end as count_repeats,
        0 as count_failed_items
    from tickets
),

failed_visit_events as (
    select
        visits.inspected_month as month_on,
        visits.community_id,
        visits.grid_id,
        problem_types.level1 as category_l1,
        visits.problem_type,
        0 as count_complaints,
        0 as count_repeats,
        1 as count_failed_items
    from visits
    left join problem_types on problem_types.level3 = visits.problem_type
    where visits.is_failed
),

abnormal_checks as (
    select * from checks
    where is_abnormal
),

-- a check names its grid by id, or by name within its community (any community when it has
-- none); every grid matching either way counts, as a join on the two conditions joined by `or`
-- would give, but as two hash joins: that `or` made a nested loop of checks x grids (~20 s at 10m)
check_grids as (
    select checks.check_id, grids.grid_id, grids.community_id
    from abnormal_checks as checks
    join grids on grids.grid_id = checks.grid
    union all
    select checks.check_id, grids.grid_id, grids.community_id
    from abnormal_checks as checks
    join grids
        on grids.grid_name = checks.grid
        and grids.community_id is not distinct from coalesce(checks.community_id, grids.community_id)
    where (grids.grid_id = checks.grid) is not true
),

abnormal_check_events as (
    select
        date_trunc('month', checks.checked_on)::date as month_on,
        coalesce(checks.community_id, check_grids.community_id) as community_id,
        check_grids.grid_id,
        problem_types.level1 as category_l1,
        problem_types.level3 as problem_type,
        0 as count_complaints,
        0 as count_repeats,
        1 as count_failed_items
    from abnormal_checks as checks
    -- one row per check (the staging view keeps each check_id's latest version)
    left join check_grids on check_grids.check_id is not distinct from checks.check_id
    left join problem_types on problem_types.level3 = checks.problem
),

events as (
    select * from complaint_events
    union all
    select * from failed_visit_events
    union all
    select * from abnormal_check_events
),

-- each level grouped on its own and appended in turn: smaller hash tables than one over all
-- levels, and the rows come out level by level, so a query of one level skips the others' blocks
by_category as (
    select
        month_on,
        'community' as level,
        community_id as area_id,
        category_l1,
        problem_type,
        sum(count_complaints)::bigint as count_complaints,
        sum(count_repeats)::bigint as count_repeats,
        sum(count_failed_items)::bigint as count_failed_items
    from events
    where community_id is not null
    group by month_on, community_id, category_l1, problem_type
    union all
    select
        month_on,
        'grid',
        grid_id,
        category_l1,
        problem_type,
        sum(count_complaints)::bigint,
        sum(count_repeats)::bigint,
        sum(count_failed_items)::bigint
    from events
    where grid_id is not null
    group by month_on, grid_id, category_l1, problem_type
)

select * from by_category
