-- Each complaint's repeat link: the earlier complaint it repeats and its chain's original; one row per complaint
with

complaints as (
    select * from int_complaints_located
),

settings as (
    select * from build_settings
),

-- only the columns the windows need: sorting wide rows is what makes windows slow. Each chain (a
-- location and problem type) is numbered once by a hash aggregate, and the windows partition by
-- that integer and sort by time alone: sorting on the two strings of the chain's key, for every
-- ticket and in both windows, was most of the windows' time. The numbers are arbitrary; only
-- which tickets share one matters, so the result does not depend on them
keys as (
    select complaint_id, location_key, problem_type, received_at
    from complaints
    where location_key is not null
),

chains as (
    select location_key, problem_type, row_number() over () as chain_id
    from keys
    group by location_key, problem_type
),

chain_keys as (
    select keys.complaint_id, chains.chain_id, keys.received_at
    from keys
    join chains
        on chains.location_key = keys.location_key
        and chains.problem_type is not distinct from keys.problem_type
),

stepped as (
    select
        complaint_id,
        chain_id,
        received_at,
        lag(complaint_id) over chain_order as previous_complaint_id,
        lag(received_at) over chain_order as previous_received_at
    from chain_keys
    window chain_order as (partition by chain_id order by received_at, complaint_id)
),

flagged as (
    select
        stepped.*,
        coalesce(
            epoch_us(received_at) - epoch_us(previous_received_at)
                <= settings.repeat_complaint_hours * 3600 * 1000000::bigint,
            false
        ) as is_repeat
    from stepped
    cross join settings
),

chained as (
    select
        complaint_id,
        is_repeat,
        case when is_repeat then previous_complaint_id end as previous_complaint_id,
        last_value(case when not is_repeat then complaint_id end ignore nulls) over (
            partition by chain_id
            order by received_at, complaint_id
            rows between unbounded preceding and current row
        ) as original_complaint_id
    from flagged
),

unlocated as (
    select
        complaint_id,
        false as is_repeat,
        null::varchar as previous_complaint_id,
        null::varchar as original_complaint_id
    from complaints
    where location_key is null
),

linked as (
    select * from chained
    union all
    select * from unlocated
)

select * from linked
