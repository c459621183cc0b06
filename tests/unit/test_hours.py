"""Service hours: parsed from the stack's ServiceHours parameter, kept by the desk and the publisher."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from activecare.clock import JST
from activecare.hours import DEFAULT_HOURS, ServiceHours, in_service_hours
from activecare.settings import Settings


def jst(h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, 25, h, m, tzinfo=JST)


def test_default_is_nine_to_eight_with_the_closing_minute_outside() -> None:
    assert str(DEFAULT_HOURS) == "09:00-20:00"
    assert not in_service_hours(jst(8, 59)) and in_service_hours(jst(9)) and in_service_hours(jst(19, 59))
    assert not in_service_hours(jst(20))
    # 00:30 UTC is 09:30 in Tokyo: instants are compared in JST, whatever zone they carry.
    assert in_service_hours(datetime(2026, 11, 25, 0, 30, tzinfo=UTC))


def test_parse_round_trips_and_allows_midnight_close() -> None:
    late = ServiceHours.parse("10:30-24:00")
    assert str(late) == "10:30-24:00"
    assert in_service_hours(jst(23, 59), late) and not in_service_hours(jst(10, 29), late)


@pytest.mark.parametrize("text", ["9-20", "09:00", "20:00-09:00", "09:00-09:00", "09:60-20:00", "25:00-26:00",
                                  "09:00-24:30", "０９:００-２０:００"])
def test_bad_hours_are_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="service hours"):
        ServiceHours.parse(text)


def test_settings_read_service_hours_from_the_environment() -> None:
    assert Settings.from_env({}).service_hours == DEFAULT_HOURS
    assert str(Settings.from_env({"SERVICE_HOURS": "08:00-22:00"}).service_hours) == "08:00-22:00"
    with pytest.raises(ValueError, match="service hours"):
        Settings.from_env({"SERVICE_HOURS": "whenever"})
