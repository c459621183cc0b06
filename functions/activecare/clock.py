"""Injectable time. Everything that asks "what time is it" takes a Clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    return lambda: at


class ManualClock:
    """A clock the simulation (or a test) moves by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now


def month_of(at: datetime) -> str:
    """The UTC month `at` falls in (YYYY-MM), as X bills: the listening counters' item, the desk's verdicts."""
    return at.astimezone(UTC).strftime("%Y-%m")


def minute_key(at: datetime) -> str:
    """The UTC minute `at` falls in, as stores key it (YYYYmmddHHMM): the outage radar's signals, the post window."""
    return at.astimezone(UTC).strftime("%Y%m%d%H%M")


def to_jst(at: datetime) -> datetime:
    return at.astimezone(JST)


def parse_iso(value: str) -> datetime:
    """Parse the API's / EventBridge's ISO-8601 timestamps (with a trailing Z)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def iso_z(at: datetime) -> str:
    """Format as the X API does: 2026-11-25T01:02:03.000Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
