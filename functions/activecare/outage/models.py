"""The outage radar's records: one complaint signal per tweet, the detector's state, the hour-of-week baseline,
incidents with their timeline, and the desk's crisis actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

IncidentStatus = Literal["open", "closed"]
GroupAction = Literal["replied", "covered"]


def floor_minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def parse_minute(key: str) -> datetime:
    from datetime import UTC

    return datetime.strptime(key, "%Y%m%d%H%M").replace(tzinfo=UTC)


def hour_of_week(at: datetime) -> int:
    """0..167, Monday 00:00 JST = 0: the baseline's slot."""
    from activecare.clock import to_jst

    j = to_jst(at)
    return j.weekday() * 24 + j.hour


class Signal(BaseModel):
    """A complaint the worker saw: who (a hash of the author id, for unique counts only), what, where."""

    model_config = ConfigDict(frozen=True)

    tweet_id: str
    at: datetime  # the tweet's time
    author: str  # 12 hex digits of sha256(author id): counts unique authors, names nobody
    topic: str
    places: tuple[str, ...] = ()
    direct: bool = False

    def counters(self) -> tuple[str, ...]:
        """The detector's counters this signal adds one author to: its topic and each place."""
        return (f"t:{self.topic}", *(f"p:{p}" for p in self.places))

    def encode(self) -> str:
        return f"{self.tweet_id}|{self.author}|{self.topic}|{','.join(self.places)}|{int(self.direct)}|" \
               f"{int(self.at.timestamp())}"

    @classmethod
    def decode(cls, value: str) -> Signal:
        from datetime import UTC

        tid, author, topic, places, direct, ts = value.split("|")
        return cls(tweet_id=tid, author=author, topic=topic, places=tuple(filter(None, places.split(","))),
                   direct=direct == "1", at=datetime.fromtimestamp(int(ts), UTC))


class Sample(BaseModel):
    """A masked sample tweet for an alert: personal data, handles and links replaced."""

    tweet_id: str
    topic: str
    text: str


class DetectorConfig(BaseModel):
    """The trigger: the short window's unique authors per minute against the expected rate (the larger of the
    hour-of-week baseline and the recent long window), with minimum counts so a quiet key cannot trigger on two
    tweets. Tuned on the simulator (tests/bench/bench_outage.py)."""

    sta_minutes: int = 2
    lta_minutes: int = 60
    ratio: float = 4.0
    min_topic: int = 6  # unique authors in the short window, for a topic counter
    min_place: int = 4  # ... for a place counter
    join_overlap: float = 0.3  # share of a new counter's authors already in an open incident: it grows
    close_quiet_minutes: int = 10
    prior_topic_rate: float = 0.3  # unique complaining authors per minute a new stack expects per topic
    prior_place_rate: float = 0.05  # ... per place
    prior_weight: float = 1.0  # the prior counts as this many observed weeks
    learn_weeks: int = 4  # then the baseline is an EWMA with weight 1/learn_weeks
    settle_minutes: int = 1  # minutes re-read each run: tweets of a minute can arrive a poll later
    samples: int = 3


class Baseline(BaseModel):
    """Per counter key: mean unique authors per minute in this hour of the week, and weeks observed."""

    rates: dict[str, float] = Field(default_factory=dict)
    weeks: dict[str, float] = Field(default_factory=dict)


class DetectorState(BaseModel):
    version: int = 0
    last_minute: str | None = None  # the last minute evaluated (minute_key)
    recent: dict[str, dict[str, int]] = Field(default_factory=dict)  # minute_key -> key -> unique authors
    open: list[str] = Field(default_factory=list)  # open incident ids
    incidents: list[str] = Field(default_factory=list)  # the latest incident ids, newest last (the desk lists them)
    outbox: list[str] = Field(default_factory=list)  # incidents with alerts not yet sent (open or closed)


class MinuteCount(BaseModel):
    minute: datetime
    authors: int  # unique complaining authors matching the incident
    tweets: int = 0  # their complaint tweets (grouped into the incident)


class StatusPost(BaseModel):
    at: datetime
    tweet_id: str
    text: str
    kind: Literal["first", "update", "closed"] = "first"


class GroupAnswer(BaseModel):
    inquiry_id: str
    action: GroupAction
    by: str
    at: datetime
    how: str = ""  # api | intent | covered


class Incident(BaseModel):
    id: str
    rev: int = 0  # the stored revision: every write is conditional on it (the detector and the desk both write)
    status: IncidentStatus = "open"
    onset: datetime  # first minute above the expected rate
    detected_at: datetime  # the run that opened it
    keys: list[str]  # the counters that triggered: t:<topic>, p:<place>
    counts: list[MinuteCount] = Field(default_factory=list)  # unique authors matching it, per minute
    peak: int = 0
    peak_at: datetime | None = None
    closed_at: datetime | None = None
    quiet_minutes: int = 0
    samples: list[Sample] = Field(default_factory=list)
    # alert events: opened, grown:<key>, closed once sent; pending:<event> recorded with the change it tells of,
    # sending:<epoch>:<event> while a run has claimed it, in_doubt:<event> if that run died (Detector._flush)
    alerts: list[str] = Field(default_factory=list)
    declared_by: str | None = None  # a supervisor declared it (no detection)
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    account: str = "signal"  # the owning account of the status posts
    status_posts: list[StatusPost] = Field(default_factory=list)
    answers: list[GroupAnswer] = Field(default_factory=list)
    update_minutes: int = 30

    @property
    def topics(self) -> list[str]:
        return sorted(k[2:] for k in self.keys if k.startswith("t:"))

    @property
    def places(self) -> list[str]:
        return sorted(k[2:] for k in self.keys if k.startswith("p:"))

    @property
    def signals(self) -> int:
        """Complaint tweets grouped into it."""
        return sum(c.tweets for c in self.counts)

    def matches(self, topic: str, places: tuple[str, ...], within: object = None) -> bool:
        """A complaint belongs to the incident: its topic is one of the incident's (any topic when the
        incident has only places) and it names one of the incident's places or none (a nationwide one: any)."""
        topics, own = self.topics, self.places
        if topics and topic not in topics:
            return False
        if not own:
            return True
        if not places:
            return bool(topics)
        return any(p in own for p in places)

    # what the detector writes (the rest is the desk's): merged onto a fresh copy after a desk's write
    DETECTOR_FIELDS: ClassVar[tuple[str, ...]] = (
        "status", "onset", "keys", "counts", "peak", "peak_at", "closed_at", "quiet_minutes", "samples", "alerts")

    def next_update_due(self) -> datetime | None:
        if self.status != "open" or not self.status_posts:
            return None
        return self.status_posts[-1].at + timedelta(minutes=self.update_minutes)


class RunResult(BaseModel):
    """What one detector run did (the scheduled function returns it)."""

    evaluated: list[str] = Field(default_factory=list)
    opened: list[str] = Field(default_factory=list)
    grown: list[str] = Field(default_factory=list)
    closed: list[str] = Field(default_factory=list)
    alerts: int = 0
    alerts_in_doubt: int = 0  # claimed by a run that died: maybe sent, never sent blind (a metric)
    status_posts: int = 0


# --- what the desk API answers (GET/POST /incidents...) ------------------------------------------------------

class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class MinuteView(_View):
    minute: datetime
    authors: int  # unique complaining authors matching the incident


class AnswerCounts(_View):
    replied: int
    covered: int


class IncidentView(_View):
    """An incident as the desk's banner and incident view show it: names, counts per minute, masked samples."""

    id: str
    status: IncidentStatus
    topics: list[str]
    places: list[str]  # display names (大阪府, 梅田駅)
    place_keys: list[str]
    onset: datetime
    detected_at: datetime
    closed_at: datetime | None
    peak: int
    peak_at: datetime | None
    per_minute: list[MinuteView]  # the last 30 minutes
    samples: list[str]  # masked
    signals: int  # complaint tweets grouped into it
    confirmed_by: str | None
    declared_by: str | None
    account: str
    status_posts: list[StatusPost]
    answers: AnswerCounts


class IncidentList(_View):
    items: list[IncidentView]  # newest first


class IncidentResult(_View):
    incident: IncidentView


class GroupedInquiry(_View):
    """A new inquiry the incident groups (the desk's queue row, as much of it as the incident view shows), with
    the prepared answer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    inquiry_id: str
    created_at: datetime
    topic: str
    account: str
    direct: bool
    author_username: str
    text: str
    claimed_by: str | None = None
    prepared_reply: str


class IncidentDetail(_View):
    incident: IncidentView
    inquiries: list[GroupedInquiry]
    answered: dict[str, GroupAction]  # inquiry id -> how it was answered in the incident
