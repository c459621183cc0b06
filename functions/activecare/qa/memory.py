"""In-memory fakes of the QA ports (unit tests, the simulated day's quick paths)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from activecare.qa.models import Case, ConversationPost, ReplyRecord, Review, StoredStandards, Thread


class MemoryStandards:
    def __init__(self) -> None:
        self.stored: StoredStandards | None = None

    def load(self) -> StoredStandards | None:
        return self.stored

    def save(self, rows: list[dict[str, str]], at: datetime) -> None:
        self.stored = StoredStandards([dict(r) for r in rows], at)


class MemoryReplyLog:
    def __init__(self) -> None:
        self.items: dict[str, ReplyRecord] = {}

    def add(self, record: ReplyRecord) -> None:
        self.items.setdefault(record.tweet_id, record)

    def get(self, tweet_id: str) -> ReplyRecord | None:
        return self.items.get(tweet_id)

    def day(self, day: str) -> list[ReplyRecord]:
        return sorted((r for r in self.items.values() if r.day == day), key=lambda r: (r.posted_at, r.tweet_id))


class MemoryReviews:
    def __init__(self) -> None:
        self.items: dict[str, Review] = {}
        self._lock = threading.Lock()

    def get(self, tweet_id: str) -> Review | None:
        return self.items.get(tweet_id)

    def get_many(self, tweet_ids: list[str]) -> dict[str, Review]:
        return {t: self.items[t] for t in tweet_ids if t in self.items}

    def save(self, review: Review, expect_version: int) -> bool:
        with self._lock:
            current = self.items.get(review.tweet_id)
            if (current.version if current else 0) != expect_version:
                return False
            self.items[review.tweet_id] = review
            return True

    def by_agent(self, agent: str) -> list[Review]:
        return sorted((r for r in self.items.values() if r.agent == agent), key=lambda r: r.current.at, reverse=True)

    def acknowledge(self, tweet_id: str, version: int, at: datetime) -> bool:
        with self._lock:
            current = self.items.get(tweet_id)
            if current is None or current.version != version:
                return False
            self.items[tweet_id] = replace(current, acknowledged_version=version, acknowledged_at=at)
            return True


class MemoryConversations:
    def __init__(self) -> None:
        self.items: dict[str, list[ConversationPost]] = {}

    def get_many(self, inquiry_ids: list[str]) -> dict[str, list[ConversationPost]]:
        return {i: list(self.items[i]) for i in inquiry_ids if i in self.items}

    def thread(self, inquiry_id: str) -> Thread | None:
        return None  # the unit tests' conversations carry no thread


class MemoryCases:
    def __init__(self) -> None:
        self.items: dict[str, Case] = {}

    def put(self, case: Case) -> None:
        self.items[case.inquiry_id] = case

    def all(self) -> list[Case]:
        return sorted(self.items.values(), key=lambda c: c.marked_at, reverse=True)
