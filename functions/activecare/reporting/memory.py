"""In-memory fakes of the reporting ports, for unit tests."""

from __future__ import annotations

import dataclasses
import email
from datetime import datetime
from typing import Unpack

from activecare.reporting.models import LedgerUpdate, ReportRecord, ReportState, Row
from activecare.reporting.ports import MailRejected


class MemoryInquiries:
    def __init__(self, rows: list[Row] | None = None) -> None:
        self.rows = list(rows or [])

    def created_between(self, start: datetime, end: datetime) -> list[Row]:
        return [r for r in self.rows if start < r.created_at <= end]


# What a transition may set besides the status (as activecare.reporting.dynamo's adapter allows).
TRANSITION_FIELDS = frozenset({"attempts", "started_at", "sent_at", "message_id", "last_error"})


class MemoryLedger:
    def __init__(self) -> None:
        self.records: dict[str, ReportRecord] = {}

    def get_many(self, keys: list[str]) -> dict[str, ReportRecord]:
        return {k: self.records[k] for k in keys if k in self.records}

    def reserve(self, record: ReportRecord) -> bool:
        if record.key in self.records:
            return False
        self.records[record.key] = record
        return True

    def transition(self, key: str, expect: tuple[ReportState, ...], status: ReportState,
                   **fields: Unpack[LedgerUpdate]) -> bool:
        unknown = set(fields) - TRANSITION_FIELDS
        if unknown:
            raise ValueError(f"unknown ledger fields {sorted(unknown)}")
        rec = self.records.get(key)
        if rec is None or rec.status not in expect:
            return False
        self.records[key] = dataclasses.replace(rec, status=status, **fields)
        return True


class MemoryMailer:
    def __init__(self, verified: set[str] | None = None) -> None:
        self.sent: list[tuple[str, tuple[str, ...], email.message.Message]] = []
        self.verified = verified

    def send(self, sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        if self.verified is not None and sender not in self.verified:
            raise MailRejected("MessageRejected")
        self.sent.append((sender, recipients, email.message_from_bytes(raw)))
        return f"mem-{len(self.sent)}"
