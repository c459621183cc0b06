"""In-memory fakes of the listening ports, for unit tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypedDict

from activecare.listening.ingest import NewInquiry
from activecare.listening.ports import Checkpoint, EnqueueFailed
from activecare.listening.usage import MonthUsage
from activecare.twitter.models import Tweet


class MemoryCheckpoints:
    def __init__(self) -> None:
        self.items: dict[str, Checkpoint] = {}
        self.limits: dict[str, datetime] = {}

    def load_all(self, keys: list[str], endpoints: list[str]) -> tuple[dict[str, Checkpoint],
                                                                        dict[str, datetime | None]]:
        return {k: self.items.get(k, Checkpoint(k)) for k in keys}, {ep: self.limits.get(ep) for ep in endpoints}

    def advance(self, key: str, since_id: int, *, query: str, polled_at: datetime, matched: int) -> bool:
        old = self.items.get(key, Checkpoint(key))
        if old.since_id is not None and old.since_id >= since_id:
            return False
        self.items[key] = Checkpoint(key, since_id, polled_at, matched)
        return True

    def save_progress(self, key: str, *, since_id: int, read_from: int | None, until_id: int, newest_id: int,
                      query: str, polled_at: datetime, matched: int) -> bool:
        old = self.items.get(key, Checkpoint(key))
        if old.since_id != read_from or (old.backlog_until is not None and old.backlog_until <= until_id):
            return False
        self.items[key] = Checkpoint(key, since_id, polled_at, matched, until_id, newest_id)
        return True

    def touch(self, key: str, *, query: str, polled_at: datetime, matched: int) -> None:
        old = self.items.get(key, Checkpoint(key))
        self.items[key] = Checkpoint(key, old.since_id, polled_at, matched, old.backlog_until, old.backlog_newest)

    def set_rate_limited(self, endpoint: str, until: datetime) -> None:
        self.limits[endpoint] = until


class MemoryQueue:
    def __init__(self, fail_times: int = 0) -> None:
        self.bodies: list[str] = []
        self.fail_times = fail_times

    def send(self, bodies: list[str]) -> int:
        if self.fail_times:
            self.fail_times -= 1
            raise EnqueueFailed("injected failure")
        self.bodies.extend(bodies)
        return (len(bodies) + 9) // 10


class _Message(TypedDict):
    tweet_id: str
    text: str
    direction: str


class _Record(TypedDict):
    inquiry: NewInquiry
    inquiry_id: str
    author_id: str
    conversation_id: str
    created_at: datetime
    topic: str
    status: str
    tweet_ids: set[str]
    messages: list[_Message]
    pii_kinds: tuple[str, ...]
    has_pii: bool


class MemoryInquiryStore:
    """The InquiryStore port in a dict: inquiry id -> record."""

    def __init__(self) -> None:
        self.items: dict[str, _Record] = {}
        self.do_not_contact: dict[str, dict[str, object]] = {}  # author id -> the dnc record

    def exists(self, inquiry_id: str) -> bool:
        return inquiry_id in self.items

    def find_thread(self, conversation_id: str, author_id: str) -> str | None:
        for key, item in self.items.items():
            if item["conversation_id"] == conversation_id and item["author_id"] == author_id:
                return key
        return None

    def append_customer_message(self, inquiry_id: str, tweet: Tweet, at: datetime,
                                pii_kinds: tuple[str, ...] = ()) -> bool:
        item = self.items.get(inquiry_id)
        if item is None or tweet.id in item["tweet_ids"]:  # no such inquiry, or the tweet is there already
            return False
        item["tweet_ids"].add(tweet.id)
        item["messages"].append({"tweet_id": tweet.id, "text": tweet.text, "direction": "in"})
        item["status"] = "new"
        item["pii_kinds"] = tuple(sorted(set(item["pii_kinds"]) | set(pii_kinds)))
        item["has_pii"] = bool(item["pii_kinds"])
        return True

    def create(self, inquiry: NewInquiry) -> bool:
        t = inquiry.tweet
        if t.id in self.items:
            return False
        self.items[t.id] = {
            "inquiry": inquiry, "inquiry_id": t.id, "author_id": t.author_id,
            "conversation_id": t.conversation_id or t.id,
            "created_at": t.created_at, "topic": inquiry.match.topic, "status": "new",
            "tweet_ids": {t.id}, "messages": [{"tweet_id": t.id, "text": t.text, "direction": "in"}],
            "pii_kinds": tuple(sorted(set(inquiry.pii_kinds))), "has_pii": bool(inquiry.pii_kinds),
        }
        return True

    def history(self, author_id: str, before: datetime, limit: int = 20) -> list[dict[str, object]]:
        past = [i for i in self.items.values() if i["author_id"] == author_id and i["created_at"] < before]
        past.sort(key=lambda i: i["created_at"], reverse=True)
        return [{"inquiry_id": i["inquiry_id"], "created_at": i["created_at"],
                 "topic": i["topic"], "status": i["status"], "outcome": None, "replies": 0}
                for i in past[:limit]]

    def erase_author(self, author_id: str) -> int:
        gone = [k for k, i in self.items.items() if i["author_id"] == author_id]
        for k in gone:
            del self.items[k]
        return len(gone)

    def record_do_not_contact(self, author_id: str, tweet_id: str, at: datetime, reason: str) -> bool:
        old = self.do_not_contact.get(author_id)
        if old is not None and (old.get("lifted_at") is None or old["tweet_id"] == tweet_id):
            return False
        self.do_not_contact[author_id] = {"author_id": author_id, "since": at, "reason": reason,
                                          "tweet_id": tweet_id, "lifted_at": None}
        return True


class MemoryTweetEraser:
    """The TweetEraser port over a MemoryInquiryStore: the inquiry the deleted tweet became, if the author matches."""

    def __init__(self, store: MemoryInquiryStore) -> None:
        self.store = store

    def erase_tweet(self, tweet_id: str, author_id: str) -> int:
        item = self.store.items.get(tweet_id)
        if item is None or item["author_id"] != author_id:
            return 0
        del self.store.items[tweet_id]
        return 1


class MemoryUsage:
    """UsageStore in memory."""

    def __init__(self) -> None:
        self.months: dict[str, MonthUsage] = {}

    def get(self, month: str) -> MonthUsage:
        u = self.months.get(month) or MonthUsage(month)
        return MonthUsage(month, {d: dict(c) for d, c in u.days.items()}, dict(u.reads), dict(u.matched),
                          dict(u.resolved), dict(u.answered))

    def add(self, month: str, day: str, counts: Mapping[str, int], reads: Mapping[str, int],
            matched: Mapping[str, int]) -> None:
        u = self.months.setdefault(month, MonthUsage(month))
        d = u.days.setdefault(day, {})
        for c, n in counts.items():
            d[c] = d.get(c, 0) + n
        for k, n in reads.items():
            u.reads[k] = u.reads.get(k, 0) + n
        for k, n in matched.items():
            u.matched[k] = u.matched.get(k, 0) + n

    def add_outcome(self, month: str, key: str, answered: bool) -> None:
        u = self.months.setdefault(month, MonthUsage(month))
        u.resolved[key] = u.resolved.get(key, 0) + 1
        u.answered[key] = u.answered.get(key, 0) + int(answered)
