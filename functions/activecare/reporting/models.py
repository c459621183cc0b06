"""What a report is made of: inquiry rows in, per-department reports out, ledger records, and what a run of
the reporter answers (the JSON of the reporter function)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypedDict, get_args

from pydantic import BaseModel, ConfigDict

SENTIMENTS: tuple[str, ...] = ("complaint", "praise", "neutral")
# A report e-mail's ledger state (see ReportRecord).
ReportState = Literal["pending", "sending", "sent", "failed", "in_doubt"]
REPORT_STATES: tuple[ReportState, ...] = get_args(ReportState)
SENTIMENT_LABELS = {"complaint": "不満", "praise": "称賛", "neutral": "中立"}


@dataclass(frozen=True)
class Row:
    """The fields of an inquiry a report reads."""

    inquiry_id: str
    created_at: datetime
    department: str
    topic: str
    sentiment: str
    text: str
    keywords: tuple[str, ...] = ()
    status: str = "new"
    outcome: str | None = None
    first_response_at: datetime | None = None
    # The e-mail form's desk events on it (issue #19), (kind, at): mail_form, mail_answer, mail_in. Counts only.
    mail_events: tuple[tuple[str, datetime], ...] = ()
    sla_breached: bool = False  # the desk marked its response-time target missed (activecare.sla)


@dataclass(frozen=True)
class Sample:
    """A representative tweet, personal data and usernames masked."""

    sentiment: str
    text: str
    created_at: datetime


@dataclass
class TopicSection:
    topic: str
    label: str
    counts: dict[str, int]
    previous: int
    week_ago: int
    keywords: list[tuple[str, int]]
    samples: list[Sample]
    sla_breaches: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class DeskFigures:
    inquiries: int = 0
    answered: int = 0
    email_form: int = 0
    open: int = 0
    median_first_response_s: float | None = None
    # The e-mail form (issue #19): forms received, inquiries answered by e-mail, resolved by e-mail, and the
    # median time from the form to the first e-mail answer.
    forms_received: int = 0
    email_answered: int = 0
    resolved_by_email: int = 0
    median_first_email_answer_s: float | None = None
    sla_breaches: int = 0  # inquiries whose response-time target was missed (service time)


@dataclass(frozen=True)
class IncidentLine:
    """An outage incident of the window as the report shows it: the timeline, places, volumes and how the desk
    answered (from the outage radar, through the IncidentSource port; no personal data)."""

    incident_id: str
    topics: tuple[str, ...]
    places: tuple[str, ...]  # names
    onset: datetime
    detected_at: datetime
    first_status_post: datetime | None
    peak: int  # unique complaining authors per minute
    peak_at: datetime | None
    closed_at: datetime | None
    tweets: int  # complaint tweets grouped into it
    replied: int
    covered: int
    status_posts: int


@dataclass
class DepartmentReport:
    report_id: str  # "<window id>#<department>"
    department: str
    department_name: str
    window_label: str
    window_id: str
    counts: dict[str, int]
    previous: dict[str, int]
    week_ago: dict[str, int]
    topics: list[TopicSection]
    keywords: list[tuple[str, int]]
    desk: DeskFigures
    generated_at: datetime
    previous_label: str = ""
    week_ago_label: str = ""
    notes: list[str] = field(default_factory=list)
    incidents: list[IncidentLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ReportRecord:
    """The ledger entry of one (window, department) e-mail: the exactly-once state machine.

    pending -> sending -> sent; sending -> failed (SES refused: retried by a later run) |
    in_doubt (the outcome of a send is unknown: never re-sent automatically, alarmed)."""

    key: str
    window_id: str
    department: str
    status: ReportState
    report_id: str
    attempts: int = 0
    reserved_at: datetime | None = None
    started_at: datetime | None = None
    sent_at: datetime | None = None
    message_id: str | None = None
    recipients: int = 0
    last_error: str | None = None


class LedgerUpdate(TypedDict, total=False):
    """The fields a ledger transition may set besides the state."""

    attempts: int
    started_at: datetime
    sent_at: datetime
    message_id: str
    last_error: str


class RunResult(BaseModel):
    """One run of the reporter: report ids ("<window id>#<department>") by what happened to them."""

    model_config = ConfigDict(extra="forbid")

    window: str  # the id of the run's (current) window
    sent: list[str] = []  # sent by this run
    already_sent: list[str] = []
    failed: list[str] = []
    in_doubt: list[str] = []
    busy: list[str] = []  # another run is sending it right now
    recipients: int = 0
