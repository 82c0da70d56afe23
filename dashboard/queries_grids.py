"""Grid-level complaint KPIs of one community over the period, from complaints_monthly_grid."""

from __future__ import annotations

import polars as pl

from dashboard.queries import WarehouseVersion, run

# whole months, as the overview's trends: the months the period touches; the mart has no
# department or problem type, so those filters do not narrow it (the page says so)
GRID_KPIS_SQL = """
    with filtered as (
        select * from complaints_monthly_grid
        where month_on between date_trunc('month', $date_from::date) and $date_to
            and community_id = $community
    ),
    sums as (
        select
            grid_id,
            sum(count_complaints)::bigint as count_complaints,
            sum(count_repeats)::bigint as count_repeats,
            sum(count_responded_24h)::bigint as count_responded_24h,
            sum(count_closed)::bigint as count_closed,
            sum(sum_handling_working_days)::bigint as sum_handling_working_days,
            sum(count_rated)::bigint as count_rated,
            sum(count_satisfied)::bigint as count_satisfied
        from filtered
        group by grid_id
    )
    select
        coalesce(grids.grid_name, sums.grid_id, $unresolved) as grid,
        sums.grid_id,
        sums.count_complaints,
        sums.count_repeats / nullif(sums.count_complaints, 0) as repeat_complaint_rate,
        sums.count_responded_24h / nullif(sums.count_complaints, 0) as response_within_24h_rate,
        sums.count_closed,
        sums.sum_handling_working_days / nullif(sums.count_closed, 0) as avg_handling_working_days,
        sums.count_satisfied / nullif(sums.count_rated, 0) as complaint_satisfaction_rate
    from sums
    left join stg_reference__grids as grids on grids.grid_id = sums.grid_id
    order by sums.grid_id nulls last
"""


def grid_kpis(
    version: WarehouseVersion, params: dict[str, object], unresolved: str
) -> pl.DataFrame:
    """Per grid of the chosen community (and a row for its tickets with no grid, named
    `unresolved`): complaints, repeat and 24-hour response rates, closed tickets, mean handling
    working days and satisfaction, over the whole months of the period."""
    return run(version, GRID_KPIS_SQL, {**params, "unresolved": unresolved})
