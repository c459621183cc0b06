"""The mail form's records and results.

Everything a customer typed (name, e-mail, phone, contract number, message) and everything staff wrote about
them (an answer, a call-back memo) is kept only as ciphertext (`Sealed`); the plain values exist in memory
while a request runs and in the staff view the desk decrypts on demand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 192 bits, 32 URL-safe characters
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
REFERENCE_PATTERN = re.compile(r"AC-[0-9A-HJ-NP-Z]{10}")  # Crockford-like: no I, O
CLIENT_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"

# Form limits (characters): generous for Japanese, small enough that nothing is oversize in KMS or DynamoDB.
NAME_MAX = 50
EMAIL_MAX = 254
PHONE_MAX = 20
CONTRACT_MAX = 20
MESSAGE_MAX = 2000
ANSWER_MAX = 4000
MEMO_MAX = 500
INBOUND_TEXT_MAX = 20_000  # the text kept of an inbound e-mail (the raw message stays in the bucket)

PERSONAL_FIELDS = ("name", "email", "phone", "contract", "message")

CallResult = Literal["reached", "no_answer", "voicemail", "callback_requested", "wrong_number"]
CALL_RESULTS: tuple[str, ...] = get_args(CallResult)
CALL_RESULT_LABELS = {"reached": "通話できた", "no_answer": "不在", "voicemail": "留守電に伝言",
                      "callback_requested": "折り返し希望", "wrong_number": "番号違い"}

Sealed = dict[str, str]  # field name -> ciphertext (base64 text)
LinkState = Literal["ok", "unknown", "used", "expired"]


@dataclass(frozen=True)
class FormLink:
    """One inquiry's link to the form: only the SHA-256 of its token is stored."""

    token_hash: str
    inquiry_id: str
    created_at: datetime
    expires: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class Case:
    """An inquiry's e-mail case: its reference (the subject's お問い合わせ番号) and its department."""

    inquiry_id: str
    reference: str
    created_at: datetime
    department: str = ""
    first_form_at: datetime | None = None
    first_answer_at: datetime | None = None
    resolved_by_email_at: datetime | None = None


@dataclass(frozen=True)
class Entry:
    """One thing in a case, oldest first by `sk`: a form submission ("sub#"), our e-mail answer ("ans#"), a
    call-back ("cb#"), the customer's e-mail ("in#") or a staff access to the personal data ("acc#")."""

    inquiry_id: str
    sk: str
    kind: Literal["submission", "answer", "callback", "inbound", "access"]
    at: datetime
    sealed: Sealed = field(default_factory=dict)
    agent: str = ""
    status: str = ""  # answer: pending | sent | in_doubt; submission: linked | pending
    detail: str = ""  # answer: SES message id; callback: result; inbound: S3 key; access: what was read
    attachments: tuple[str, ...] = ()  # inbound: S3 keys of the attachments (in the encrypted bucket)
    attachment_names: tuple[str, ...] = ()
    digest: str = ""  # answer: SHA-256 of its text (a client token reused for another text is refused)


@dataclass(frozen=True)
class TriageItem:
    """An inbound e-mail with no known reference: kept for a person to place, never dropped."""

    sk: str
    at: datetime
    s3_key: str
    sealed: Sealed = field(default_factory=dict)  # from, subject, text
    attachments: tuple[str, ...] = ()


class FormInput(BaseModel):
    """What the customer typed, checked (service.check_form)."""

    model_config = ConfigDict(frozen=True)
    name: str
    email: str
    phone: str = ""
    contract: str = ""
    message: str

    def fields(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


@dataclass(frozen=True)
class Page:
    """A page of the public form: HTTP status and HTML."""

    status: int
    html: str


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class SubmissionView(_Result):
    at: datetime
    name: str
    email: str
    phone: str
    contract: str
    message: str


class MailEntryView(_Result):
    kind: str
    at: datetime
    agent: str = ""
    status: str = ""
    subject: str = ""
    text: str = ""
    sender: str = ""
    call_at: str = ""
    call_result: str = ""
    attachments: list[str] = []


class AccessView(_Result):
    agent: str
    at: datetime


class MailCaseView(_Result):
    inquiry_id: str
    reference: str | None
    department: str
    submissions: list[SubmissionView]
    entries: list[MailEntryView]
    accesses: list[AccessView]
    reply_to: str | None  # where an answer goes: the latest address the customer gave or wrote from


class AnswerResult(_Result):
    inquiry_id: str
    reference: str
    status: Literal["sent", "in_doubt"]
    message_id: str | None
    client_token: str
    replayed: bool


class CallbackResult(_Result):
    inquiry_id: str
    call_at: str
    result: str
    replayed: bool


class InboundResult(_Result):
    s3_key: str
    placed: Literal["case", "triage"]
    inquiry_id: str | None
    attachments: int
    duplicate: bool


class TriageView(_Result):
    at: datetime
    s3_key: str
    sender: str
    subject: str
    text: str
    attachments: list[str]


class TriageList(_Result):
    items: list[TriageView]


class MailFigures(_Result):
    """Counts only: the day's handoffs to the form are the desk's `email_form` figure."""

    day: str
    forms_received: int = 0
    email_answers: int = 0
    first_answers: int = 0
    first_answer_mean_s: float | None = None
    resolved_by_email: int = 0
    inbound_emails: int = 0
    triaged: int = 0
    by_department: dict[str, dict[str, int]] = {}
