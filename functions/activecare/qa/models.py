"""The QA feature's types: plain records (independent of pynamodb) and the typed results the desk API serialises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class ReplyRecord:
    """One of our replies as the desk recorded it (the QA feature's copy: what can be sampled and reviewed)."""

    tweet_id: str
    inquiry_id: str
    agent: str
    text: str  # "" as stored: read back from the inquiry's conversation (it may name the customer)
    posted_at: datetime
    day: str  # JST date
    trainee: bool = False  # it went through a supervisor's approval
    topic: str = ""
    first_response: bool = False  # the inquiry's first reply
    sla_kind: str = ""  # first responses: direct | search
    sla_breached: bool = False  # first responses: later than the target (service time)
    department: str = ""
    template: str = ""  # the saved reply it was made from ("" if none)
    first_response_s: float | None = None


@dataclass(frozen=True)
class ConversationPost:
    """A post of an inquiry's conversation as the listening spine stored it (customer: "in", ours: "out")."""

    tweet_id: str
    direction: str
    text: str


@dataclass(frozen=True)
class Thread:
    """An inquiry's conversation with what masking it needs (the customer's username)."""

    inquiry_id: str
    topic: str
    author_username: str
    posts: tuple[tuple[str, str, datetime, str], ...]  # (direction, text, created_at, agent)


@dataclass(frozen=True)
class Case:
    """A conversation a supervisor put in the case library, masked when it was marked (it outlives the inquiry)."""

    inquiry_id: str
    kind: str  # good | bad
    note: str
    topic: str
    marked_by: str
    marked_at: datetime
    posts: tuple[tuple[str, str, str], ...]  # (direction: お客様 | agent name, masked text, JST time)


@dataclass(frozen=True)
class ReviewVersion:
    version: int
    reviewer: str
    at: datetime
    scores: dict[str, int]
    comment: str


@dataclass(frozen=True)
class Review:
    """A supervisor's review of one reply; a revision keeps every earlier version in `history`."""

    tweet_id: str
    inquiry_id: str
    agent: str
    day: str
    current: ReviewVersion
    history: tuple[ReviewVersion, ...] = ()
    acknowledged_version: int = 0
    acknowledged_at: datetime | None = None

    @property
    def version(self) -> int:
        return self.current.version

    @property
    def unread(self) -> bool:
        return self.acknowledged_version < self.current.version


@dataclass(frozen=True)
class StoredStandards:
    rows: list[dict[str, str]]
    imported_at: datetime
    source: str = field(default="")


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class CriterionView(_Result):
    key: str
    name: str
    description: str
    low: int
    high: int


class StandardsView(_Result):
    criteria: list[CriterionView]
    share: float
    trainee_share: float
    source: str  # "imported" (activecare qa import) | "default" (the packaged file, nothing imported yet)
    imported_at: datetime | None = None


class VersionView(_Result):
    version: int
    reviewer: str
    at: datetime
    scores: dict[str, int]
    comment: str


class ReviewView(_Result):
    tweet_id: str
    inquiry_id: str
    agent: str
    day: str
    version: int
    reviewer: str
    at: datetime
    scores: dict[str, int]
    comment: str
    unread: bool
    acknowledged_version: int
    history: list[VersionView]
    reply_text: str = ""


class QueueItem(_Result):
    tweet_id: str
    inquiry_id: str
    agent: str
    text: str
    posted_at: datetime
    trainee: bool
    topic: str
    review: ReviewView | None = None


class ReviewQueue(_Result):
    day: str
    replies: int
    sampled: int
    reviewed: int
    items: list[QueueItem]


class FeedbackList(_Result):
    agent: str
    unread: int
    items: list[ReviewView]


class AgentQa(_Result):
    replies: int
    sampled: int
    reviewed: int
    first_responses: int = 0
    sla_breaches: int = 0  # first responses later than their target (service time)
    reactions: dict[str, int] = {}  # the customer's next post after each reply: thanks | unhappy | none | no_reply
    satisfaction: float | None = None  # thanks / (thanks + unhappy): asks the customer nothing
    averages: dict[str, float]  # criterion -> mean score of the day's reviews
    overall: float | None  # mean of the criteria's means, on a 0-1 scale (scales may differ)


class TopicSla(_Result):
    first_responses: int
    sla_breaches: int


class QaFigures(_Result):
    day: str
    agents: dict[str, AgentQa]
    topics: dict[str, TopicSla] = {}  # SLA of the day's first responses per topic
    templates: dict[str, dict[str, int]] = {}  # reactions per saved reply ("" key: replies made from none)


class CaseView(_Result):
    inquiry_id: str
    kind: str
    note: str
    topic: str
    marked_by: str
    marked_at: datetime
    posts: list[tuple[str, str, str]]


class CaseList(_Result):
    items: list[CaseView]


class WeekRow(_Result):
    """One agent's week."""

    replies: int = 0
    reviewed: int = 0
    scores: dict[str, float] = {}  # criterion -> mean
    overall: float | None = None  # 0-1
    first_responses: int = 0
    first_response_p50_min: float | None = None
    first_response_p90_min: float | None = None
    sla_breaches: int = 0
    satisfaction: float | None = None  # thanks / (thanks + unhappy)
    email_form_rate: float | None = None  # replies made from the e-mail form reply / replies


class WeeklyReport(_Result):
    weeks: list[str]  # the weeks' first days (Mondays, JST), oldest first
    criteria: dict[str, str]  # key -> name
    agents: dict[str, list[WeekRow]]  # one row per week, in `weeks` order
