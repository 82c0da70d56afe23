"""High-frequency problem areas: problems per area for a period, against the period before; the mix.

Communities and grids come from the marts `hotspots_monthly` (stored sorted by level and
community) and `hotspots_category_monthly` (the mix). Addresses are counted when
asked from `complaint_tickets` and `inspection_visits` (an address holds about one ticket a month:
a mart at that grain would copy the tickets), with names and households from `hotspot_addresses`.
Either way a period counts in whole calendar months: every month the period touches. The previous
period is the same number of months just before.

Rising (`is_rising`) is a one-sided test that the area's problem rate went up. Given the two counts
n1 (this period) and n2 (the previous, equally long period), under "no change" n1 is binomial with
n = n1 + n2 trials and p = 1/2 (the conditional test for two Poisson counts); its normal
approximation is z = (n1 - n2) / sqrt(n1 + n2). An area is rising when z > 1.645 (one-sided,
5%) and n1 >= 5.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from warehouse.connection import fetch_frame
from warehouse.metrics import Period, add_months

LEVELS = ("community", "grid", "address")
RISING_Z = 1.645
RISING_MIN_COUNT = 5


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"hotspot level must be one of {', '.join(LEVELS)}, got {level!r}")


def months(period: Period) -> tuple[date, date, date, date]:
    """First and last month of the period, and of the equally long period just before."""
    first = period.date_from.replace(day=1)
    last = period.date_to.replace(day=1)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    previous_first = add_months(first, -count)
    return first, last, previous_first, first - timedelta(days=1)


# the areas' monthly counts -> the period's and the previous period's sums, the change and the
# rising flag: the part every hotspots query shares, after a `monthly` CTE of area-months (columns
# month_on, area_id, area_name, community_id, grid_id, households, count_complaints,
# count_repeats, count_failed_items, count_problems)
PERIODS_SQL = """
current_period as (
    select
        area_id,
        any_value(area_name) as area_name,
        any_value(community_id) as community_id,
        any_value(grid_id) as grid_id,
        any_value(households) as households,
        sum(count_complaints) as count_complaints,
        sum(count_repeats) as count_repeats,
        sum(count_failed_items) as count_failed_items,
        sum(count_problems) as count_problems
    from monthly
    where month_on between $first and $last
    group by area_id
),

previous_period as (
    select
        area_id,
        any_value(area_name) as area_name,
        any_value(community_id) as community_id,
        any_value(grid_id) as grid_id,
        any_value(households) as households,
        sum(count_problems) as count_problems
    from monthly
    where month_on between $previous_first and $previous_last
    group by area_id
),

joined as (
    select
        coalesce(c.area_id, p.area_id) as area_id,
        coalesce(c.area_name, p.area_name) as area_name,
        coalesce(c.community_id, p.community_id) as community_id,
        coalesce(c.grid_id, p.grid_id) as grid_id,
        coalesce(c.households, p.households) as households,
        coalesce(c.count_complaints, 0)::bigint as count_complaints,
        coalesce(c.count_repeats, 0)::bigint as count_repeats,
        coalesce(c.count_failed_items, 0)::bigint as count_failed_items,
        coalesce(c.count_problems, 0)::bigint as count_problems,
        coalesce(p.count_problems, 0)::bigint as previous_count_problems
    from current_period as c
    full outer join previous_period as p on p.area_id = c.area_id
),

measured as (
    select
        *,
        count_problems * 1000.0 / nullif(households, 0) as per_1000_households,
        (count_problems - previous_count_problems) / nullif(previous_count_problems, 0)::double
            as change_rate,
        count_repeats / nullif(count_complaints, 0)::double as share_repeats,
        (count_problems - previous_count_problems)
            / sqrt(nullif(count_problems + previous_count_problems, 0)) as z_score
    from joined
),

flagged as (
    select
        *,
        coalesce(count_problems >= $min_count and z_score > $z, false) as is_rising
    from measured
)

select
    area_id, area_name, community_id, grid_id, households, count_complaints, count_repeats,
    count_failed_items, count_problems, per_1000_households, previous_count_problems,
    change_rate, share_repeats, z_score, is_rising
from flagged
order by count_problems desc, area_id
"""

# the monthly counts of communities and grids: the hotspots_monthly mart
MONTHLY_SQL = """
with

monthly as (
    select * from hotspots_monthly
    where level = $level
        and ($parent::varchar is null or community_id = $parent or grid_id = $parent)
        and ($community::varchar is null or community_id = $community)
),
"""
HOTSPOTS_SQL = MONTHLY_SQL + PERIODS_SQL


# an address's months counted from the tickets received and the failed visits there (checks have no
# address), the areas those under the parent; with $ptype, the counts are that type's alone, every
# area-month with any problem kept (as the dashboard's per-type hotspots count them), repeats
# not split by type (null a month, 0 a period)
ADDRESS_MONTHLY = """
with

areas as (
    select * from hotspot_addresses
    where ($parent::varchar is null or community_id = $parent or grid_id = $parent)
        and ($community::varchar is null or community_id = $community)
),

events as (
    select received_month as month_on, address_id, problem_type, true as is_complaint, is_repeat
    from complaint_tickets
    where received_month between $previous_first and $last
        and address_id in (select area_id from areas)
    union all
    select inspected_month, address_id, problem_type, false, false
    from inspection_visits
    where is_failed and inspected_month between $previous_first and $last
        and address_id in (select area_id from areas)
),

counted as (
    select
        events.month_on,
        events.address_id as area_id,
        count(*) filter (where events.is_complaint and ($ptype::varchar is null
            or events.problem_type = $ptype)) as count_complaints,
        case when $ptype::varchar is null
            then count(*) filter (where events.is_complaint and events.is_repeat) end
            as count_repeats,
        count(*) filter (where not events.is_complaint and ($ptype::varchar is null
            or events.problem_type = $ptype)) as count_failed_items
    from events
    group by events.month_on, events.address_id
),

monthly as (
    select
        counted.month_on,
        areas.area_id,
        areas.area_name,
        areas.community_id,
        areas.grid_id,
        areas.households,
        counted.count_complaints,
        counted.count_repeats,
        counted.count_failed_items,
        counted.count_complaints + counted.count_failed_items as count_problems
    from counted
    join areas on areas.area_id = counted.area_id
),
"""
ADDRESS_HOTSPOTS_SQL = ADDRESS_MONTHLY + PERIODS_SQL


def hotspots(
    con: duckdb.DuckDBPyConnection, period: Period, level: str, parent_id: str | None = None
) -> pl.DataFrame:
    """Problems per area at `level` (community, grid or address), optionally under one parent.

    `parent_id` is a community id or a grid id the areas belong to. Columns: area_id, area_name,
    community_id, grid_id, households, count_complaints, count_repeats, count_failed_items,
    count_problems, per_1000_households, previous_count_problems, change_rate, share_repeats,
    z_score, is_rising; most problems first.
    """
    _check_level(level)
    first, last, previous_first, previous_last = months(period)
    params: dict[str, object] = {
        "level": level,
        "parent": parent_id,
        "community": period.community,
        "first": first,
        "last": last,
        "previous_first": previous_first,
        "previous_last": previous_last,
        "min_count": RISING_MIN_COUNT,
        "z": RISING_Z,
    }
    if level == "address":
        return fetch_frame(con, *address_hotspots_query(params, None))
    return fetch_frame(con, HOTSPOTS_SQL, params)


def address_hotspots_query(
    params: dict[str, object], problem_type: str | None
) -> tuple[str, dict[str, object]]:
    """ADDRESS_HOTSPOTS_SQL with its bound values: HOTSPOTS_SQL's (level aside) and the type."""
    bound = {key: value for key, value in params.items() if key != "level"}
    return ADDRESS_HOTSPOTS_SQL, {**bound, "ptype": problem_type}


# one area's mix, or the whole street's (every community summed) when the area is null; the
# community filter is the area's, as hotspots_monthly holds it
CATEGORY_ROWS_SQL = """
with

rows as (
    select *
    from hotspots_category_monthly
    where level = $level and ($area_id::varchar is null or area_id = $area_id)
        and month_on between $first and $last
        and ($community::varchar is null or (month_on, area_id) in (
            select (month_on, area_id) from hotspots_monthly
            where level = $level and ($area_id::varchar is null or area_id = $area_id)
                and month_on between $first and $last and community_id = $community
        ))
),
"""

# a `rows` CTE of (category_l1, problem_type, count_complaints, count_failed_items) -> the mix,
# each category's share of the problems: the part both mix queries share
MIX_SQL = """
mix as (
    select
        category_l1,
        problem_type,
        sum(count_complaints)::bigint as count_complaints,
        sum(count_failed_items)::bigint as count_failed_items,
        sum(count_complaints + count_failed_items)::bigint as count_problems
    from rows
    where $ptype::varchar is null or problem_type = $ptype
    group by all
),

shared as (
    select *, count_problems / sum(count_problems) over () as share_problems
    from mix
)

select * from shared
order by count_problems desc, category_l1 nulls last, problem_type nulls last
"""
CATEGORY_MIX_SQL = CATEGORY_ROWS_SQL + MIX_SQL


# one address's mix, counted from its tickets and failed visits (as hotspots_category_monthly
# counts a community's or grid's), within the community filter when one is set
ADDRESS_MIX_ROWS = """
with

problem_types as (
    select level3, min(level1) as level1
    from stg_reference__problem_types
    group by level3
),

in_scope as (
    select area_id from hotspot_addresses
    where area_id = $area_id and ($community::varchar is null or community_id = $community)
),

address_rows as (
    select category_l1, problem_type, 1 as count_complaints, 0 as count_failed_items
    from complaint_tickets
    where address_id = $area_id and received_month between $first and $last
    union all
    select problem_types.level1, visits.problem_type, 0, 1
    from inspection_visits as visits
    left join problem_types on problem_types.level3 = visits.problem_type
    where visits.is_failed and visits.address_id = $area_id
        and visits.inspected_month between $first and $last
),

rows as (
    select * from address_rows where exists (select 1 from in_scope)
),
"""
ADDRESS_MIX_SQL = ADDRESS_MIX_ROWS + MIX_SQL


def category_mix(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    level: str,
    area_id: str | None,
    problem_type: str | None = None,
) -> pl.DataFrame:
    """One area's problems by category (the street's, its communities summed, when `area_id` is
    None), of one problem type when given: category_l1, problem_type, count_complaints,
    count_failed_items, count_problems, share_problems; most problems first."""
    return fetch_frame(con, *category_mix_query(period, level, area_id, problem_type))


def category_mix_query(
    period: Period, level: str, area_id: str | None, problem_type: str | None
) -> tuple[str, dict[str, object]]:
    """The query of one area's mix and its bound values: an address's counted from the tickets
    and visits, a community's, a grid's or the street's from hotspots_category_monthly."""
    params = category_mix_params(period, level, area_id, problem_type)
    if level == "address" and area_id:
        return ADDRESS_MIX_SQL, {key: value for key, value in params.items() if key != "level"}
    return CATEGORY_MIX_SQL, params


def category_mix_params(
    period: Period, level: str, area_id: str | None, problem_type: str | None
) -> dict[str, object]:
    """The bound values of CATEGORY_MIX_SQL (the street's mix sums its communities)."""
    _check_level(level)
    first, last, _, _ = months(period)
    return {
        "level": level if area_id else "community", "area_id": area_id, "first": first,
        "last": last, "community": period.community, "ptype": problem_type,
    }  # fmt: skip
