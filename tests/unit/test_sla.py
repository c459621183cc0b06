"""SLA time is service time only (JST): nights and the hours outside 09:00-20:00 do not count."""

from __future__ import annotations

from datetime import datetime

from activecare.clock import JST
from activecare.hours import ServiceHours
from activecare.sla import due_at, service_minutes, sla_state


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


def test_service_minutes_skip_the_night_and_the_early_morning() -> None:
    assert service_minutes(at(25, 10), at(25, 10, 14)) == 14
    assert service_minutes(at(25, 19, 55), at(26, 9, 10)) == 15  # 5 before closing, 10 after opening
    assert service_minutes(at(25, 6), at(25, 9, 30)) == 30  # before opening counts nothing
    assert service_minutes(at(25, 21), at(26, 8)) == 0
    assert service_minutes(at(25, 10), at(27, 10)) == 2 * 11 * 60
    assert service_minutes(at(25, 10), at(25, 9)) == 0


def test_due_at_and_the_state_of_a_late_mention() -> None:
    assert due_at(at(25, 19, 55), 15) == at(26, 9, 10)
    assert due_at(at(25, 23), 60) == at(26, 10)
    assert due_at(at(25, 10), 15, ServiceHours.parse("10:00-18:00")) == at(25, 10, 15)
    late = sla_state(at(25, 10), True, at(25, 10, 16), at(25, 12))
    assert (late.kind, late.target_minutes, late.elapsed_minutes, late.breached) == ("direct", 15, 16, True)
    ok = sla_state(at(25, 19, 30), False, None, at(26, 9, 29))
    assert (ok.kind, ok.target_minutes, ok.breached, ok.elapsed_minutes) == ("search", 60, False, 59)
    assert sla_state(at(25, 19, 30), False, None, at(26, 9, 31)).breached
