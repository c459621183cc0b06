"""What the reporter needs from the world: a window's inquiries, a ledger, a mailer."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, Unpack

from activecare.reporting.models import IncidentLine, LedgerUpdate, ReportRecord, ReportState, Row
from activecare.ses import MailInDoubt as MailInDoubt  # the mailer's outcomes: part of this port
from activecare.ses import MailRejected as MailRejected


class InquirySource(Protocol):
    def created_between(self, start: datetime, end: datetime) -> list[Row]:
        """Inquiries with start < created_at <= end."""
        ...


class IncidentSource(Protocol):
    def between(self, start: datetime, end: datetime) -> list[IncidentLine]:
        """Outage incidents active in start < t <= end (opened before the end, not closed before the start)."""
        ...


class Ledger(Protocol):
    def get_many(self, keys: list[str]) -> dict[str, ReportRecord]: ...

    def reserve(self, record: ReportRecord) -> bool:
        """Create the record (status pending) unless it exists."""
        ...

    def transition(self, key: str, expect: tuple[ReportState, ...], status: ReportState,
                   **fields: Unpack[LedgerUpdate]) -> bool:
        """Set status (and fields) only if the current status is one of `expect`."""
        ...


class Mailer(Protocol):
    def send(self, sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        """Send a raw MIME message; return the service's message id. Raises MailRejected / MailInDoubt."""
        ...
