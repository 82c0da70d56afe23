-- Complaints linked to the earlier complaint they repeat and to their chain's original; one row per complaint
with

complaints as (
    select * from int_complaints_located
),

settings as (
    select * from build_settings
),

located as (
    select
        complaints.*,
        lag(complaint_id) over chain_order as previous_complaint_id,
        lag(received_at) over chain_order as previous_received_at
    from complaints
    where location_key is not null
    window chain_order as (
        partition by location_key, problem_type
        order by received_at, complaint_id
    )
),

flagged as (
    select
        located.*,
        coalesce(
            epoch_us(received_at) - epoch_us(previous_received_at)
                <= settings.repeat_complaint_hours * 3600 * 1000000::bigint,
            false
        ) as is_repeat
    from located
    cross join settings
),

chained as (
    select
        *,
        sum(case when is_repeat then 0 else 1 end) over (
            partition by location_key, problem_type
            order by received_at, complaint_id
            rows unbounded preceding
        ) as chain_number
    from flagged
),

with_original as (
    select
        * exclude (chain_number),
        first_value(complaint_id) over (
            partition by location_key, problem_type, chain_number
            order by received_at, complaint_id
        ) as original_complaint_id
    from chained
),

unlocated as (
    select
        complaints.*,
        null::varchar as previous_complaint_id,
        null::timestamp as previous_received_at,
        false as is_repeat,
        null::varchar as original_complaint_id
    from complaints
    where location_key is null
),

linked as (
    select * from with_original
    union all by name
    select * from unlocated
)

select * from linked
