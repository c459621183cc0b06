"""Ports of the listening flow: small interfaces with DynamoDB/SQS adapters in
production and in-memory fakes (activecare.listening.memory) in unit tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Checkpoint:
    key: str
    since_id: int | None = None
    polled_at: datetime | None = None
    matched_last: int = 0


class CheckpointStore(Protocol):
    def load_all(self, keys: list[str], endpoints: list[str]) -> tuple[dict[str, Checkpoint],
                                                                        dict[str, datetime | None]]:
        """The checkpoints of `keys` (empty ones for new sources) and each endpoint's rate-limit reset time
        (None when not limited), in one read."""
        ...

    def advance(self, key: str, since_id: int, *, query: str, polled_at: datetime, matched: int) -> bool:
        """Move the checkpoint forward (never backwards). False if it was already ahead."""
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
