"""DynamoDB adapters: a window's inquiries through the by_status index, and the report ledger.

Access pattern for a window: one Query of the by_status GSI (status, created_at) per status with
`created_at BETWEEN start AND end`. Every inquiry has exactly one status, so the three queries
return the window's inquiries and nothing else: cost follows the window's size, not the table's
(a Scan would read every inquiry ever stored to report on five hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Unpack

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from activecare.literals import parse_literal
from activecare.reporting.models import REPORT_STATES, LedgerUpdate, ReportRecord, ReportState, Row
from activecare.storage.conditions import condition_failed
from activecare.storage.models import Inquiry, expires_at, register_shared, retention

STATUSES: tuple[str, ...] = ("new", "replied", "resolved")  # as desk.models.STATUSES
_EPSILON = timedelta(microseconds=1)


class ReportItem(Model):
    """The ledger record of one report e-mail ("report#<window>#<department>"), in the state table."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    window_id = UnicodeAttribute()
    department = UnicodeAttribute()
    report_status = UnicodeAttribute()
    report_id = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    recipients = NumberAttribute(default=0)
    reserved_at = UTCDateTimeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # TTL: REPORT_RETENTION_DAYS after the window's reservation


register_shared("state_table", ReportItem)

_FIELDS = frozenset(LedgerUpdate.__annotations__)


def _row(i: Inquiry) -> Row:
    return Row(inquiry_id=i.inquiry_id, created_at=i.created_at, department=i.department, topic=i.topic,
               sentiment=i.sentiment, text=i.text, keywords=tuple(str(k) for k in i.keywords or ()), status=i.status,
               outcome=i.outcome, first_response_at=i.first_response_at,
               sla_breached=i.sla_breached_at is not None,
               mail_events=tuple((e.kind, e.at) for e in i.desk_events or () if e.kind in MAIL_EVENTS))


MAIL_EVENTS = frozenset({"mail_form", "mail_answer", "mail_in"})  # the e-mail form's desk events (issue #19)


class DynamoReportInquiries:
    def created_between(self, start: datetime, end: datetime) -> list[Row]:
        rows: list[Row] = []
        for status in STATUSES:
            # BETWEEN is inclusive: start + 1 µs makes the window (start, end].
            rows += [_row(i) for i in Inquiry.by_status.query(status, Inquiry.created_at.between(start + _EPSILON,
                                                                                                  end))]
        return rows


def _record(item: ReportItem) -> ReportRecord:
    return ReportRecord(key=item.pk, window_id=item.window_id, department=item.department,
                        status=parse_literal(item.report_status, REPORT_STATES),
                        report_id=item.report_id, attempts=int(item.attempts or 0), reserved_at=item.reserved_at,
                        started_at=item.started_at, sent_at=item.sent_at, message_id=item.message_id,
                        recipients=int(item.recipients or 0), last_error=item.last_error)


class DynamoReportLedger:
    def get_many(self, keys: list[str]) -> dict[str, ReportRecord]:
        return {item.pk: _record(item) for item in ReportItem.batch_get(keys, consistent_read=True)}

    def reserve(self, record: ReportRecord) -> bool:
        item = ReportItem(record.key, window_id=record.window_id, department=record.department,
                          report_status=record.status, report_id=record.report_id, attempts=record.attempts,
                          recipients=record.recipients, reserved_at=record.reserved_at,
                          expires_at=expires_at(record.reserved_at or datetime.now(UTC),
                                                retention().report_retention_days))
        try:
            item.save(condition=ReportItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def transition(self, key: str, expect: tuple[ReportState, ...], status: ReportState,
                   **fields: Unpack[LedgerUpdate]) -> bool:
        unknown = set(fields) - _FIELDS
        if unknown:
            raise ValueError(f"unknown ledger fields {sorted(unknown)}")
        actions: list[Action] = [ReportItem.report_status.set(status)]
        actions += [getattr(ReportItem, name).set(value) for name, value in fields.items()]
        try:
            ReportItem(key).update(actions=actions, condition=ReportItem.report_status.is_in(*expect))
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def recent(self, keys: list[str]) -> list[ReportRecord]:
        return sorted(self.get_many(keys).values(), key=lambda r: r.key)
