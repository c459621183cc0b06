"""In-memory fakes of the listening ports, for unit tests."""

from __future__ import annotations

from datetime import datetime

from activecare.listening.ports import Checkpoint, EnqueueFailed


class MemoryCheckpoints:
    def __init__(self) -> None:
        self.items: dict[str, Checkpoint] = {}
        self.limits: dict[str, datetime] = {}

    def load(self, keys: list[str]) -> dict[str, Checkpoint]:
        return {k: self.items.get(k, Checkpoint(k)) for k in keys}

    def advance(self, key: str, since_id: int, *, query: str, polled_at: datetime, matched: int) -> bool:
        old = self.items.get(key, Checkpoint(key))
        if old.since_id is not None and old.since_id >= since_id:
            return False
        self.items[key] = Checkpoint(key, since_id, polled_at, matched)
        return True

    def touch(self, key: str, *, query: str, polled_at: datetime, matched: int) -> None:
        old = self.items.get(key, Checkpoint(key))
        self.items[key] = Checkpoint(key, old.since_id, polled_at, matched)

    def rate_limited_until(self, endpoint: str) -> datetime | None:
        return self.limits.get(endpoint)

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
