"""The reporter's ports: a window's inquiries (InquirySource) and the report ledger (Ledger)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from activecare.reporting.models import ReportRecord, Row
from activecare.reporting.ports import Ledger
from tests.contract.support import Era, Fresh, ReportInquiries

# ---- InquirySource ----


def _row(fresh: Fresh, era: Era, minute: float, **changes: Any) -> Row:
    return replace(Row(inquiry_id=fresh.id(), created_at=era.at(minute), department="network", topic="signal",
                       sentiment="complaint", text="圏外が続いています", keywords=("圏外",)), **changes)


def _by_id(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: r.inquiry_id)  # the port promises no order


def test_a_window_is_open_at_its_start_and_closed_at_its_end(report_inquiries: ReportInquiries, fresh: Fresh,
                                                             era: Era) -> None:
    at_start, inside, at_end, after = (_row(fresh, era, m) for m in (60, 90, 120, 121))
    for r in (at_start, inside, at_end, after):
        report_inquiries.seed(r)
    start, end = era.at(60), era.at(120)
    assert _by_id(report_inquiries.source.created_between(start, end)) == [inside, at_end]
    assert report_inquiries.source.created_between(start - timedelta(minutes=30), start - timedelta(minutes=1)) == []


def test_a_window_holds_every_status_with_its_desk_fields(report_inquiries: ReportInquiries, fresh: Fresh,
                                                          era: Era) -> None:
    rows = [
        _row(fresh, era, 1),
        _row(fresh, era, 2, status="replied", first_response_at=era.at(9), sentiment="neutral", keywords=()),
        _row(fresh, era, 3, status="resolved", outcome="email_form", first_response_at=era.at(4),
             department="billing", topic="billing", text="請求について", keywords=("請求", "料金")),
    ]
    for r in rows:
        report_inquiries.seed(r)
    assert _by_id(report_inquiries.source.created_between(era.start, era.end)) == _by_id(rows)


# ---- Ledger ----


def _record(fresh: Fresh, era: Era, **changes: Any) -> ReportRecord:
    window, department = fresh.name("20261125-1400"), "network"
    return replace(ReportRecord(key=f"report#{window}#{department}", window_id=window, department=department,
                                status="pending", report_id=f"{window}#{department}", recipients=2,
                                reserved_at=era.at(0)), **changes)


def test_a_record_is_reserved_once(ledger: Ledger, fresh: Fresh, era: Era) -> None:
    record = _record(fresh, era)
    assert ledger.get_many([record.key]) == {}
    assert ledger.reserve(record) is True
    assert ledger.reserve(replace(record, recipients=5, reserved_at=era.at(1))) is False
    assert ledger.get_many([record.key]) == {record.key: record}


def test_get_many_returns_the_records_that_exist(ledger: Ledger, fresh: Fresh, era: Era) -> None:
    a, b = _record(fresh, era), _record(fresh, era)
    ledger.reserve(a)
    ledger.reserve(b)
    assert ledger.get_many([a.key, _record(fresh, era).key, b.key]) == {a.key: a, b.key: b}
    assert ledger.get_many([]) == {}


def test_a_transition_happens_only_from_an_expected_status(ledger: Ledger, fresh: Fresh, era: Era) -> None:
    record = _record(fresh, era)
    ledger.reserve(record)
    assert ledger.transition(record.key, ("pending", "failed"), "sending", started_at=era.at(1), attempts=1) is True
    assert ledger.transition(record.key, ("pending", "failed"), "sending", started_at=era.at(2), attempts=2) is False
    assert ledger.transition(record.key, ("sending",), "sent", message_id="ses-1", sent_at=era.at(3)) is True
    assert ledger.get_many([record.key])[record.key] == replace(
        record, status="sent", attempts=1, started_at=era.at(1), message_id="ses-1", sent_at=era.at(3))
    assert ledger.transition(_record(fresh, era).key, ("pending",), "sending") is False  # no such record


def test_a_transition_sets_the_error_of_a_failed_send(ledger: Ledger, fresh: Fresh, era: Era) -> None:
    record = _record(fresh, era, status="sending", attempts=1)
    ledger.reserve(record)
    assert ledger.transition(record.key, ("sending",), "failed", last_error="MessageRejected") is True
    assert ledger.transition(record.key, ("failed",), "sending", started_at=era.at(5), attempts=2,
                             last_error=None) is True
    assert ledger.get_many([record.key])[record.key] == replace(record, status="sending", attempts=2,
                                                                started_at=era.at(5))


def test_a_transition_sets_only_the_send_fields(ledger: Ledger, fresh: Fresh, era: Era) -> None:
    record = _record(fresh, era)
    ledger.reserve(record)
    with pytest.raises(ValueError, match="unknown ledger fields"):
        ledger.transition(record.key, ("pending",), "sending", recipients=9)
    assert ledger.get_many([record.key]) == {record.key: record}
