"""The QA feature's ports: the stored skill standards, the log of our replies, the reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from activecare.qa.models import Case, ConversationPost, ReplyRecord, Review, StoredStandards, Thread


class Who(Protocol):
    """A verified caller (the desk's Actor fits): a name and the pool's groups."""

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> frozenset[str]: ...


class StandardsStore(Protocol):
    def load(self) -> StoredStandards | None: ...

    def save(self, rows: list[dict[str, str]], at: datetime) -> None: ...


class ReplyLog(Protocol):
    def add(self, record: ReplyRecord) -> None:
        """Idempotent on the tweet id (the desk calls it on every record of a reply, replays included)."""
        ...

    def get(self, tweet_id: str) -> ReplyRecord | None: ...

    def day(self, day: str) -> list[ReplyRecord]:
        """The day's replies (JST), oldest first."""
        ...


class ReviewStore(Protocol):
    def get(self, tweet_id: str) -> Review | None: ...

    def get_many(self, tweet_ids: list[str]) -> dict[str, Review]: ...

    def save(self, review: Review, expect_version: int) -> bool:
        """Conditional: only if the stored review is at `expect_version` (0: none yet) - a revision made from a
        stale copy is refused, never silently overwrites another supervisor's."""
        ...

    def by_agent(self, agent: str) -> list[Review]:
        """The agent's reviews, newest first."""
        ...

    def acknowledge(self, tweet_id: str, version: int, at: datetime) -> bool:
        """Mark `version` read, only while it is the current one (False: revised since, or unknown)."""
        ...


class Conversations(Protocol):
    def get_many(self, inquiry_ids: list[str]) -> dict[str, list[ConversationPost]]:
        """The inquiries' conversations (customer posts and ours), as stored; unknown ids are left out."""
        ...

    def thread(self, inquiry_id: str) -> Thread | None: ...


class CaseStore(Protocol):
    def put(self, case: Case) -> None:
        """One case per inquiry: marking it again replaces the kind and the note."""
        ...

    def all(self) -> list[Case]:
        """Every case, newest first."""
        ...
