"""Service hours: 09:00-20:00 in Japan (Asia/Tokyo, no daylight saving), for the desk, the publisher and
the poller's health metric."""

from __future__ import annotations

from datetime import datetime, time

from activecare.clock import to_jst

OPENS = time(9, 0)
CLOSES = time(20, 0)


def in_service_hours(at: datetime) -> bool:
    """True from 09:00 (inclusive) to 20:00 (exclusive) JST."""
    local = to_jst(at).time()
    return OPENS <= local < CLOSES


def jst_date(at: datetime) -> str:
    """The desk day an instant belongs to, as YYYY-MM-DD in Japan."""
    return to_jst(at).strftime("%Y-%m-%d")
