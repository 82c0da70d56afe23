-- Each complaint's repeat link: the earlier complaint it repeats and its chain's original; one row per complaint
with

complaints as (
    select * from int_complaints_located
),

settings as (
    select * from build_settings
),

-- only the columns the windows need: sorting wide rows is what makes windows slow. The windows
-- partition by a hash of the chain's key (an integer partitions much faster than two strings);
-- should two chains share a hash, the order keeps each chain's rows together and a step from one
-- chain to the next is never a repeat, so the result is exact either way. The second window
-- orders by the first one's step number (the same order), an integer sort instead of the strings
keys as (
    select complaint_id, location_key, problem_type, received_at,
        hash(location_key, problem_type) as chain_hash
    from complaints
    where location_key is not null
),

stepped as (
    select
        complaint_id,
        chain_hash,
        location_key,
        problem_type,
        received_at,
        lag(complaint_id) over chain_order as previous_complaint_id,
        lag(location_key) over chain_order is not distinct from location_key
            and lag(problem_type) over chain_order is not distinct from problem_type
            as is_same_chain,
        lag(received_at) over chain_order as previous_received_at,
        row_number() over chain_order as chain_step
    from keys
    window chain_order as (
        partition by chain_hash
        order by location_key, problem_type, received_at, complaint_id
    )
),

flagged as (
    select
        stepped.*,
        is_same_chain and coalesce(
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
            partition by chain_hash
            order by chain_step
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
