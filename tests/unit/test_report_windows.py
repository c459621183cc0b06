"""Report windows: each report covers the time since the previous report time, in JST."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from activecare.clock import JST
from activecare.reporting.routing import Routing, RoutingError, load_routing
from activecare.reporting.windows import Schedule, parse_times


def test_windows_cover_since_the_previous_report_time() -> None:
    s = Schedule.from_spec("20:00, 14:00")
    w = s.window_at(datetime(2026, 11, 25, 14, 0, tzinfo=JST))
    assert (w.start, w.end) == (datetime(2026, 11, 24, 20, 0, tzinfo=JST), datetime(2026, 11, 25, 14, 0, tzinfo=JST))
    assert w.id == "20261125-1400"
    evening = s.window_at(datetime(2026, 11, 25, 20, 0, 3, tzinfo=JST))
    assert (evening.start, evening.id) == (w.end, "20261125-2000")
    # a retry an hour late keeps its window; just before 14:00 is still the night's window
    assert s.window_at(datetime(2026, 11, 25, 15, 10, tzinfo=JST)) == w
    assert s.window_at(datetime(2026, 11, 25, 13, 59, 59, tzinfo=JST)).id == "20261124-2000"
    assert s.previous(w).id == "20261124-2000"
    assert [x.id for x in s.recent(evening, 3)] == ["20261124-2000", "20261125-1400", "20261125-2000"]
    assert w.label == "2026-11-24 20:00〜2026-11-25 14:00 JST"
    assert evening.label == "2026-11-25 14:00〜20:00 JST"


def test_times_are_validated() -> None:
    assert parse_times("9:30,14:00") == (time(9, 30), time(14, 0))
    for bad in ("", "14", "25:00", "14:00,x"):
        with pytest.raises(ValueError):
            parse_times(bad)
    with pytest.raises(ValueError, match="not a report time"):
        Schedule.from_spec("14:00,20:00").window_ending(datetime(2026, 11, 25, 15, 0, tzinfo=JST))


def test_packaged_routing_covers_every_department_of_the_catalogue() -> None:
    from activecare.keywords.catalogue import default_catalogue

    routing = load_routing()
    departments = {t.department for t in default_catalogue().topics}
    assert departments <= set(routing.departments)
    assert routing.route("nobody") == routing.fallback == "customer_care"
    assert all(d.recipients for d in routing.departments.values())
    assert {t.name for t in default_catalogue().topics} <= set(routing.topic_labels)


@pytest.mark.parametrize(("text", "reason"), [
    ('{"departments": {}}', "non-empty"),
    ('{"departments": {"a": {"name": "A", "recipients": ["not-an-address"]}}, "fallback_department": "a"}',
     "not an e-mail"),
    ('{"departments": {"a": {"name": "A", "recipients": ["a@x.jp"]}}, "fallback_department": "b"}', "fallback"),
    ("{", "not JSON"),
])
def test_routing_errors_name_the_problem(text: str, reason: str) -> None:
    with pytest.raises(RoutingError, match=reason):
        Routing.parse(text)
