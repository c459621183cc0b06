"""The desk's types: the domain's plain dataclasses (independent of pynamodb), and what its operations return -
typed, JSON-ready results (pydantic) that the desk API serialises and documents in its OpenAPI, and the CLI
renders. Result field names are the API's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from activecare.roles import in_training, supervises

# The desk's literals, declared once: the service checks them, the API's models and the CLI's choices use them.
Status = Literal["new", "replied", "resolved"]
STATUSES: tuple[str, ...] = get_args(Status)
Outcome = Literal["answered", "email_form", "no_reply_needed"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
ANSWERED_OUTCOMES = frozenset({"answered", "email_form"})  # the desk replied (返信不要 did not): a query's yield
Order = Literal["age", "priority"]
ORDERS: tuple[str, ...] = get_args(Order)
ReplyMode = Literal["api", "manual"]  # the API posts it, or an agent sends it by hand through an intent link
# held: a trainee's reply waiting for a supervisor (then pending, or rejected); see DeskService.approve
ReservationStatus = Literal["held", "rejected", "pending", "prepared", "posted"]
CLIENT_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"  # a reply's idempotency key, chosen by the caller
AGENT_PATTERN = r"^[A-Za-z0-9_+=,.@-]{1,64}$"  # a staff username


@dataclass(frozen=True)
class Actor:
    """Who is acting, as a verified identity says (the API: the token's username and groups). Supervisors
    can do what agents can, admins what supervisors can."""

    name: str
    roles: frozenset[str] = frozenset({"agents"})

    @property
    def supervises(self) -> bool:
        return supervises(self.roles)

    @property
    def trainee(self) -> bool:
        return in_training(self.roles)


@dataclass(frozen=True)
class Msg:
    tweet_id: str
    author_id: str
    text: str
    created_at: datetime
    direction: str  # "in" | "out"
    agent: str | None = None
    account: str | None = None
    in_reply_to: str | None = None
    mode: str | None = None


@dataclass(frozen=True)
class Event:
    kind: str
    agent: str
    at: datetime
    detail: str = ""
    tweet_id: str | None = None


@dataclass(frozen=True)
class DoNotContact:
    """An author's do-not-contact record (state item ``dnc#<author_id>``); lifted by a supervisor."""

    author_id: str
    since: datetime
    reason: str  # "opt_out" | "blocked"
    tweet_id: str = ""
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None


@dataclass(frozen=True)
class ContextPost:
    id: str
    text: str
    created_at: datetime


@dataclass
class DeskInquiry:
    inquiry_id: str
    tweet_id: str
    author_id: str
    text: str
    created_at: datetime
    account: str
    topic: str
    author_username: str = ""
    conversation_id: str = ""
    source: str = "search"
    source_key: str = ""  # the packed query's key (search): the desk's verdict feeds its yield
    direct: bool = False
    department: str = ""
    sentiment: str = "neutral"
    keywords: list[str] = field(default_factory=list)
    pii_kinds: list[str] = field(default_factory=list)
    status: Status = "new"
    outcome: Outcome | None = None
    context_before: list[ContextPost] = field(default_factory=list)
    context_after: list[ContextPost] = field(default_factory=list)
    context_status: str = "ok"
    messages: list[Msg] = field(default_factory=list)
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None
    first_response_at: datetime | None = None
    first_response_by: str | None = None
    last_reply_at: datetime | None = None
    replied_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    events: list[Event] = field(default_factory=list)
    past_inquiries: int = 0  # earlier inquiries of this author, counted when it was stored
    sla_breached_at: datetime | None = None  # its response-time target was missed (marked once: activecare.sla)

    @property
    def returning(self) -> bool:
        return self.past_inquiries > 0

    def holder(self, now: datetime) -> str | None:
        """The agent holding a live claim, if any."""
        if self.claimed_by and self.claim_expires_at and self.claim_expires_at > now:
            return self.claimed_by
        return None

    @property
    def latest_customer_message(self) -> Msg:
        ins = [m for m in self.messages if m.direction == "in"]
        if not ins:
            return Msg(self.tweet_id, self.author_id, self.text, self.created_at, "in")
        return max(ins, key=lambda m: int(m.tweet_id))

    @property
    def our_replies(self) -> list[Msg]:
        return [m for m in self.messages if m.direction == "out"]

    def answers_us(self, account_user_id: str) -> bool:
        """The customer's latest post came after one of our replies from this account in the thread."""
        latest = self.latest_customer_message
        return latest.tweet_id != self.tweet_id and any(
            m.author_id == account_user_id and int(m.tweet_id) < int(latest.tweet_id) for m in self.our_replies)


@dataclass(frozen=True)
class Reservation:
    token: str
    status: ReservationStatus
    inquiry_id: str
    text_hash: str
    text: str
    agent: str
    account: str
    in_reply_to: str
    mode: ReplyMode
    reserved_at: datetime
    intent_url: str | None = None
    tweet_id: str | None = None
    posted_at: datetime | None = None
    reviewed_by: str | None = None  # the supervisor who approved or rejected a trainee's reply
    review_note: str | None = None  # why it was rejected
    original_text: str | None = None  # the trainee's text, when the supervisor edited it before approving


@dataclass(frozen=True)
class PostedReply:
    """A reply the desk recorded, as it tells others (DeskService.on_reply)."""

    tweet_id: str
    inquiry_id: str
    agent: str
    text: str
    posted_at: datetime
    trainee: bool = False  # it went through a supervisor's approval
    topic: str = ""
    template: str | None = None  # the saved reply it was made from, if its text matches one
    first_response: bool = False  # the inquiry's first reply
    first_response_s: float | None = None  # first responses: seconds from the customer's tweet
    sla_kind: str = ""  # first responses: direct | search
    sla_breached: bool = False  # first responses: later than the kind's target (service time)
    department: str = ""


@dataclass(frozen=True)
class SlaBreach:
    """An inquiry's response-time target missed, told once per inquiry (DeskService.on_sla_breach)."""

    inquiry_id: str
    kind: str  # direct | search
    topic: str
    agent: str | None  # who answered late; None: still unanswered past its due time


@dataclass(frozen=True)
class ListQuery:
    status: str = "new"
    topic: str | None = None
    account: str | None = None
    older_than: datetime | None = None  # only inquiries created before this instant
    limit: int = 20
    cursor: str | None = None


# --- results ---------------------------------------------------------------------------


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class InquirySummary(_Result):
    inquiry_id: str
    status: Status
    created_at: datetime
    age_minutes: int
    topic: str
    account: str
    direct: bool
    returning_customer: bool
    sentiment: str
    has_pii: bool
    author_username: str
    text: str
    claimed_by: str | None
    claim_expires_at: datetime | None
    replies: int
    messages: int
    do_not_contact: bool = False  # the author opted out (返信不要) or blocked us: replies refused unless they engage
    # Response-time target (activecare.sla, service time only): direct mentions 15 minutes, search finds 60.
    sla_kind: str = ""
    sla_target_minutes: int = 0
    sla_due_at: datetime | None = None
    sla_left_minutes: float | None = None  # service minutes left (negative: over by); None once answered
    sla_breached: bool = False


class InquiryPage(_Result):
    items: list[InquirySummary]
    next_cursor: str | None
    order: str


class OurReply(_Result):
    agent: str | None
    text: str
    at: datetime
    tweet_id: str


class PastInquiry(_Result):
    inquiry_id: str
    created_at: datetime
    topic: str
    status: Status
    outcome: Outcome | None
    text: str
    resolved_by: str | None
    our_replies: list[OurReply]


class History(_Result):
    returning_customer: bool
    earlier_inquiries: list[PastInquiry]
    later_inquiries: list[PastInquiry]


class TweetView(_Result):
    id: str
    text: str
    author_id: str
    author_username: str
    created_at: datetime
    url: str


class InquiryDetail(InquirySummary):
    tweet: TweetView
    keywords: list[str]
    department: str
    pii_kinds: list[str]
    source: str
    outcome: Outcome | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    do_not_contact_since: datetime | None = None
    do_not_contact_reason: str | None = None  # "opt_out" | "blocked"


class PostView(_Result):
    id: str
    text: str
    created_at: datetime


class Context(_Result):
    status: str
    before: list[PostView]
    after: list[PostView]


class MessageView(_Result):
    tweet_id: str
    author_id: str
    text: str
    created_at: datetime
    direction: str
    agent: str | None
    account: str | None
    in_reply_to: str | None
    mode: str | None


class EventView(_Result):
    kind: str
    agent: str
    at: datetime
    detail: str
    tweet_id: str | None


class ReplyPlan(_Result):
    account: str
    in_reply_to: str
    mode: ReplyMode
    access_level: str


class TemplateRef(_Result):
    key: str
    title: str


class HeldReply(_Result):
    """A trainee's reply waiting for a supervisor's approval (nothing is posted before)."""

    inquiry_id: str
    client_token: str
    agent: str
    text: str
    held_at: datetime
    account: str
    in_reply_to: str
    mode: ReplyMode
    topic: str = ""
    customer_text: str = ""
    author_username: str = ""


class HeldList(_Result):
    items: list[HeldReply]


class InquiryView(_Result):
    """One inquiry, history first."""

    history: History
    inquiry: InquiryDetail
    context: Context
    conversation: list[MessageView]
    desk_events: list[EventView]
    reply: ReplyPlan
    suggested_templates: list[TemplateRef]
    held_replies: list[HeldReply] = []  # trainees' replies to it waiting for a supervisor


class TemplateView(_Result):
    key: str
    title: str
    text: str
    topics: list[str]
    outcome: str
    rendered: str | None = None
    weighted_length: int | None = None
    link: str = ""  # optional page: a reply holding a URL costs $0.20 on X instead of $0.015


class TemplateList(_Result):
    form_url: str
    templates: list[TemplateView]


class Claim(_Result):
    inquiry_id: str
    claimed_by: str
    claim_expires_at: datetime


class NextClaim(Claim):
    inquiry: InquirySummary


class Released(_Result):
    inquiry_id: str
    released: bool


class ReplyResult(_Result):
    """A reply posted through the API or by hand (status posted), or prepared as an intent link for an agent
    to send by hand and then confirm (status prepared)."""

    status: str  # posted | prepared | held (a trainee's, waiting for a supervisor) | rejected
    mode: ReplyMode
    inquiry_id: str
    client_token: str
    account: str
    in_reply_to: str
    replayed: bool
    tweet_id: str | None = None
    posted_at: datetime | None = None
    agent: str | None = None
    intent_url: str | None = None
    next: str | None = None
    reviewed_by: str | None = None
    review_note: str | None = None


class Resolved(_Result):
    inquiry_id: str
    status: Status
    outcome: Outcome
    resolved_by: str


class Reopened(_Result):
    inquiry_id: str
    status: Status


class DoNotContactLifted(_Result):
    inquiry_id: str
    author_id: str
    lifted_by: str
    lifted_at: datetime


class Reassigned(_Result):
    inquiry_id: str
    claimed_by: str
    claim_expires_at: datetime
    previous: str | None


class Refusals(_Result):
    personal_data: int
    out_of_service_hours: int
    too_long: int
    duplicate_content: int
    do_not_contact: int = 0


class FigureRow(_Result):
    replies: int
    api_posts: int
    manual_posts: int
    email_form_guidance: int
    resolved: int
    reopened: int
    first_responses: int
    median_first_response_s: float | None
    refusals: Refusals


class ApiCost(_Result):
    posts: int
    posts_with_url: int
    usd: float


class Figures(_Result):
    day: str
    desk: FigureRow
    agents: dict[str, FigureRow]
    api_cost: ApiCost


class Me(_Result):
    username: str
    roles: list[str]
    supervisor: bool
