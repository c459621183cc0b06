"""Plain domain types of the desk, independent of pynamodb."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Status = Literal["new", "replied", "resolved"]
STATUSES: tuple[str, ...] = ("new", "replied", "resolved")
OUTCOMES: tuple[str, ...] = ("answered", "email_form", "no_reply_needed")


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
    direct: bool = False
    department: str = ""
    sentiment: str = "neutral"
    keywords: list[str] = field(default_factory=list)
    pii_kinds: list[str] = field(default_factory=list)
    status: str = "new"
    outcome: str | None = None
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
    status: str  # pending | prepared | posted
    inquiry_id: str
    text_hash: str
    text: str
    agent: str
    account: str
    in_reply_to: str
    mode: str  # api | manual
    reserved_at: datetime
    intent_url: str | None = None
    tweet_id: str | None = None
    posted_at: datetime | None = None


@dataclass(frozen=True)
class ListQuery:
    status: str = "new"
    topic: str | None = None
    account: str | None = None
    older_than: datetime | None = None  # only inquiries created before this instant
    limit: int = 20
    cursor: str | None = None
