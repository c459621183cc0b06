"""Ports of the listening flow: small interfaces with DynamoDB/SQS adapters in
production and in-memory fakes (activecare.listening.memory) in unit tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from activecare.listening.usage import MonthUsage


@dataclass(frozen=True)
class Checkpoint:
    key: str
    since_id: int | None = None
    polled_at: datetime | None = None
    matched_last: int = 0
    # A burst read over several runs (more pages than one run's share): the oldest id read so far (the next run
    # reads `since_id < id < backlog_until`) and the first page's newest id, the checkpoint once it is done.
    backlog_until: int | None = None
    backlog_newest: int | None = None


class CheckpointStore(Protocol):
    def load_all(self, keys: list[str], endpoints: list[str]) -> tuple[dict[str, Checkpoint],
                                                                        dict[str, datetime | None]]:
        """The checkpoints of `keys` (empty ones for new sources) and each endpoint's rate-limit reset time
        (None when not limited), in one read."""
        ...

    def advance(self, key: str, since_id: int, *, query: str, polled_at: datetime, matched: int) -> bool:
        """Move the checkpoint forward (never backwards) and end any backlog. False if it was already ahead."""
        ...

    def save_progress(self, key: str, *, since_id: int, read_from: int | None, until_id: int, newest_id: int,
                      query: str, polled_at: datetime, matched: int) -> bool:
        """Record a burst read part-way: everything above `until_id` (the oldest id read) is queued, `newest_id`
        becomes the checkpoint when the rest is read. Only if the checkpoint is still `read_from` (the since_id the
        read started from) and the backlog moves down (never back up); `since_id` may be later than `read_from`
        (a checkpoint beyond the search window, moved to its edge). False if the condition did not hold."""
        ...

    def touch(self, key: str, *, query: str, polled_at: datetime, matched: int) -> None:
        """Record a poll that found nothing new."""
        ...

    def set_rate_limited(self, endpoint: str, until: datetime) -> None: ...


class EnqueueFailed(Exception):
    """Some messages could not be queued: the caller must not advance its checkpoint."""


class MessageQueue(Protocol):
    def send(self, bodies: list[str]) -> int:
        """Queue every body or raise EnqueueFailed. Returns the number of API calls."""
        ...


class TweetEraser(Protocol):
    def erase_tweet(self, tweet_id: str, author_id: str) -> int:
        """Erase what is stored of a tweet its author deleted on X; the number of records removed (0: nothing
        stored, or removed already)."""
        ...


class DoNotContactRecorder(Protocol):
    def record_do_not_contact(self, author_id: str, tweet_id: str, at: datetime, reason: str) -> bool: ...


class UsageStore(Protocol):
    def get(self, month: str) -> MonthUsage: ...

    def add(self, month: str, day: str, counts: Mapping[str, int], reads: Mapping[str, int],
            matched: Mapping[str, int]) -> None:
        """Add one run's counts (atomic counters: a retried run may count twice, never loses a count)."""
        ...

    def add_outcome(self, month: str, key: str, answered: bool) -> None:
        """The desk's verdict on one inquiry the search `key` found, counted once, at its first resolve."""
        ...
