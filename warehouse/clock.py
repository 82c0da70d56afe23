"""Local time: the warehouse stores naive timestamps in the street's time zone, as sources do."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo


@cache
def local_zone() -> ZoneInfo:
    """The street's time zone (settings' `timezone`, Asia/Shanghai): what every naive time means."""
    from warehouse.settings import load_settings  # here: the CLI imports this module at start

    return ZoneInfo(load_settings().timezone)


def now_local() -> datetime:
    """Now in the street's time zone as a naive local timestamp, to the second."""
    return datetime.now(local_zone()).replace(tzinfo=None, microsecond=0)


def to_local(moment: datetime) -> datetime:
    """`moment` as the warehouse's naive local time, the form every bound `as_of` takes.

    A time-zone-aware moment is converted to the street's zone; a naive one is taken as local
    already. Bound naive, a comparison with a naive TIMESTAMP column keeps its type, so DuckDB can
    skip row groups by their min/max; bound aware, DuckDB casts every row to TIMESTAMPTZ, reading
    the naive values as UTC (wrong by eight hours) and pruning nothing.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment
    return moment.astimezone(local_zone()).replace(tzinfo=None)
