"""The departments' reports count the inquiries whose response-time target was missed, per topic too."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from activecare.clock import JST
from activecare.reporting.build import build_reports
from activecare.reporting.render import render_html, render_text
from activecare.reporting.routing import load_routing
from activecare.reporting.windows import Schedule
from tests.unit.test_report_service import window_rows

AT = datetime(2026, 11, 25, 14, 0, tzinfo=JST)


def test_sla_breaches_are_in_the_report_per_topic() -> None:
    rows = window_rows()
    rows = [replace(r, sla_breached=r.topic == "outage" or r.inquiry_id.endswith("2")) for r in rows]
    window = Schedule.from_spec("14:00,20:00").window_ending(AT)
    reports = {r.department: r for r in build_reports(window, rows, [], [], load_routing(), AT)}
    network = reports["network"]
    assert network.desk.sla_breaches == 2
    assert {t.topic: t.sla_breaches for t in network.topics} == {"signal": 1, "outage": 1}
    text = render_text(network)
    assert "応答目標（SLA）超過 2件" in text and "1件" in text
    assert "応答目標（SLA）超過" in render_html(network) and "SLA超過 1件" in render_html(network)
    assert reports["billing"].desk.sla_breaches == 0
