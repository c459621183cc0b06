"""Checks of the events the schedules send, shared by the scheduled handlers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from activecare.clock import iso_z, parse_iso

# How far ahead of the function's clock a scheduled time may be: the scheduler fires on time, give or take
# its flexible window and clock skew. A later time is an invocation by hand or a forgery: a report run "at
# 20:00" invoked at 15:00 would send the evening reports early and suppress the real run.
FUTURE_SLACK = timedelta(minutes=5)


def scheduled_time(event: object, function: str, now: datetime | None = None) -> datetime | None:
    """EventBridge Scheduler sends {"scheduled_time": "<ISO time>"} (the time is optional).

    Anything else is a clear error, never a silent default; with `now`, so is a time more than FUTURE_SLACK
    ahead of it."""
    if not isinstance(event, dict):
        raise ValueError(f"{function} event must be a JSON object, got {type(event).__name__}")
    scheduled: Any = event.get("scheduled_time")
    if scheduled is None:
        return None
    try:
        at = parse_iso(str(scheduled))
    except ValueError:
        raise ValueError(f"scheduled_time is not an ISO-8601 time: {str(scheduled)[:60]!r}") from None
    if now is not None and at > now + FUTURE_SLACK:
        raise ValueError(f"scheduled_time {iso_z(at)} is in the future (now {iso_z(now)}): {function} runs for the "
                         "present only")
    return at
