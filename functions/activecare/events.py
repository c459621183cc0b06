"""Checks of the events the schedules send, shared by the scheduled handlers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from activecare.clock import parse_iso


def scheduled_time(event: object, function: str) -> datetime | None:
    """EventBridge Scheduler sends {"scheduled_time": "<ISO time>"} (the time is optional).

    Anything else is a clear error, never a silent default."""
    if not isinstance(event, dict):
        raise ValueError(f"{function} event must be a JSON object, got {type(event).__name__}")
    scheduled: Any = event.get("scheduled_time")
    if scheduled is None:
        return None
    try:
        return parse_iso(str(scheduled))
    except ValueError:
        raise ValueError(f"scheduled_time is not an ISO-8601 time: {scheduled!r}") from None
