"""Response-time targets (SLA) counted in service hours only (Asia/Tokyo): a direct mention is answered within 15
minutes of service time, an active-support find (a keyword search hit) within 60. Time outside service hours does
not count: a mention at 19:55 with 09:00-20:00 hours is due at 09:10 the next morning."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from activecare.clock import JST, to_jst
from activecare.hours import DEFAULT_HOURS, ServiceHours

MAX_DAYS = 400  # a bound on the walk (an inquiry older than this is long past any target)


@dataclass(frozen=True)
class SlaTargets:
    direct: int = 15  # minutes of service time
    search: int = 60

    def minutes(self, direct: bool) -> int:
        return self.direct if direct else self.search


DEFAULT_TARGETS = SlaTargets()


def kind(direct: bool) -> str:
    return "direct" if direct else "search"


def _windows(start: datetime, hours: ServiceHours) -> Iterator[tuple[datetime, datetime]]:
    """The service-hour windows from `start`'s JST day on, one per day (lazily: most walks end on the first)."""
    local = to_jst(start)
    day = datetime(local.year, local.month, local.day, tzinfo=JST)
    for n in range(MAX_DAYS):
        base = day + timedelta(days=n)
        yield base + timedelta(minutes=hours.opens), base + timedelta(minutes=hours.closes)


def service_minutes(start: datetime, end: datetime, hours: ServiceHours = DEFAULT_HOURS) -> float:
    """Minutes of service time between two instants (0 if end is before start)."""
    if end <= start:
        return 0.0
    total = 0.0
    for opens, closes in _windows(start, hours):
        if opens >= end:
            break
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            total += (hi - lo).total_seconds() / 60
    return total


def due_at(start: datetime, minutes: float, hours: ServiceHours = DEFAULT_HOURS) -> datetime:
    """The instant `minutes` of service time after `start`."""
    left = minutes
    for opens, closes in _windows(start, hours):
        lo = max(opens, start)
        if closes <= lo:
            continue
        span = (closes - lo).total_seconds() / 60
        if span >= left:
            return lo + timedelta(minutes=left)
        left -= span
    return start + timedelta(days=MAX_DAYS)


@dataclass(frozen=True)
class SlaState:
    kind: str
    target_minutes: int
    due_at: datetime
    elapsed_minutes: float  # service time until the first response, or until now while unanswered
    breached: bool
    answered: bool


def sla_state(created_at: datetime, direct: bool, first_response_at: datetime | None, now: datetime,
              hours: ServiceHours = DEFAULT_HOURS, targets: SlaTargets = DEFAULT_TARGETS) -> SlaState:
    target = targets.minutes(direct)
    until = first_response_at or now
    elapsed = service_minutes(created_at, until, hours)
    return SlaState(kind(direct), target, due_at(created_at, target, hours), round(elapsed, 1), elapsed > target,
                    first_response_at is not None)
