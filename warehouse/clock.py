"""Local time: the warehouse stores naive Asia/Shanghai timestamps, as the sources do."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Shanghai")


def now_local() -> datetime:
    """Now in Asia/Shanghai as a naive local timestamp, to the second."""
    return datetime.now(TIMEZONE).replace(tzinfo=None, microsecond=0)
