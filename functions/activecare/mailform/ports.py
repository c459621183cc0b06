"""What the mail form needs from the world: its records, a cipher (KMS), a mailer (SES), the bucket of inbound
mail (S3), and the inquiry the case belongs to (the desk's)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from activecare.mailform.models import Case, Entry, FormLink, Sealed, TriageItem
from activecare.ses import MailInDoubt as MailInDoubt  # the mailer's outcomes: part of this port
from activecare.ses import MailRejected as MailRejected

TALLY_FIELDS = ("forms_received", "email_answers", "first_answers", "first_answer_s", "resolved_by_email",
                "inbound_emails", "triaged")


class MailStore(Protocol):
    def put_link(self, link: FormLink, keep_until: datetime) -> None: ...

    def get_link(self, token_hash: str) -> FormLink | None: ...

    def get_case(self, inquiry_id: str) -> Case | None: ...

    def put_case(self, case: Case, keep_until: datetime) -> bool:
        """Conditional: False if the inquiry has a case already (its reference is kept)."""
        ...

    def case_by_reference(self, reference: str) -> str | None:
        """The inquiry id of a reference."""
        ...

    def update_case(self, inquiry_id: str, **changes: object) -> bool:
        """Set fields that are not set yet (first_form_at, first_answer_at, resolved_by_email_at...); False if
        every one of them was set already."""
        ...

    def submit(self, entry: Entry, token_hash: str, at: datetime, keep_until: datetime) -> bool:
        """In one transaction: store the submission (and its pending-link marker) and mark the link used. False
        (nothing written) if the link was used meanwhile."""
        ...

    def pending_links(self) -> list[tuple[str, str]]:
        """(inquiry_id, sk) of submissions stored but not yet joined to their inquiry."""
        ...

    def mark_linked(self, inquiry_id: str, sk: str) -> bool:
        """Drop the pending-link marker; False if it was gone already."""
        ...

    def put_entry(self, entry: Entry, keep_until: datetime) -> bool:
        """Conditional: False if the case has this entry already."""
        ...

    def update_entry(self, inquiry_id: str, sk: str, **changes: object) -> None: ...

    def get_entry(self, inquiry_id: str, sk: str) -> Entry | None: ...

    def entries(self, inquiry_id: str) -> list[Entry]:
        """The case's entries, oldest first."""
        ...

    def put_triage(self, item: TriageItem, keep_until: datetime) -> bool: ...

    def triage(self, limit: int = 100) -> list[TriageItem]: ...

    def count(self, day: str, department: str, counts: dict[str, int | float]) -> None:
        """Add to the day's counters (the whole desk and the department)."""
        ...

    def counts(self, day: str) -> dict[str, dict[str, float]]:
        """The day's counters by department ("" = all)."""
        ...


class Cipher(Protocol):
    """Field-level encryption: every field its own ciphertext, bound to its record and field name."""

    def seal(self, record: str, values: dict[str, str]) -> Sealed: ...

    def open(self, record: str, sealed: Sealed) -> dict[str, str]: ...


class Mailer(Protocol):
    def send(self, sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        """Send a raw MIME message; the service's message id. Raises MailRejected / MailInDoubt."""
        ...


class Bucket(Protocol):
    """The encrypted bucket SES receiving writes to (and where attachments are kept)."""

    def get(self, key: str) -> bytes: ...

    def put(self, key: str, body: bytes, content_type: str) -> None: ...


class Inquiries(Protocol):
    """The inquiry a case belongs to (the desk's records)."""

    def department(self, inquiry_id: str) -> str | None:
        """The inquiry's department; None if there is no such inquiry."""
        ...

    def note(self, inquiry_id: str, kind: str, at: datetime, detail: str, agent: str = "customer") -> None:
        """Put a desk event on the inquiry (idempotent on kind + detail) and bring it back to the queue."""
        ...
