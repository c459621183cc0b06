"""In-memory PublishStore for unit tests (a lock stands in for DynamoDB's conditions). As the adapter, a cap
is the set of post ids counted against it: giving a post's slot back twice, or one never taken, changes nothing."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from activecare.publishing.models import PENDING, POSTED, PostRecord, PostStatus, StoredCalendar
from activecare.publishing.ports import Reserve, cap_key


class InMemoryPublishStore:
    def __init__(self) -> None:
        self.calendar: StoredCalendar | None = None
        self.items: dict[str, PostRecord] = {}
        self.slots: dict[str, set[str]] = {}  # cap key -> the post ids counted against it
        self.lock = threading.Lock()

    def get_calendar(self) -> StoredCalendar | None:
        return self.calendar

    def put_calendar(self, calendar: StoredCalendar) -> None:
        self.calendar = calendar

    def records(self, account: str, day: str, post_ids: list[str]) -> dict[str, PostRecord]:
        found = (self.items.get(f"post#{account}#{day}#{p}") for p in post_ids)
        return {r.post_id: r for r in found if r is not None}

    def get(self, key: str) -> PostRecord | None:
        return self.items.get(key)

    def reserve(self, record: PostRecord, cap: int) -> Reserve:
        with self.lock:
            if record.key in self.items:
                return "exists"
            slots = self.slots.setdefault(cap_key(record.account, record.day, record.category), set())
            if record.post_id not in slots:
                if len(slots) >= cap:
                    return "capped"
                slots.add(record.post_id)
            self.items[record.key] = replace(record, cap_taken=True)
            return "reserved"

    def mark(self, record: PostRecord) -> bool:
        with self.lock:
            if record.key in self.items:
                return False
            self.items[record.key] = record
            return True

    def take_lease(self, key: str, expected_until: datetime, until: datetime) -> bool:
        with self.lock:
            rec = self.items.get(key)
            if rec is None or rec.status != PENDING or rec.lease_until != expected_until:
                return False
            self.items[key] = replace(rec, lease_until=until)
            return True

    def finish(self, key: str, tweet_id: str, posted_at: datetime) -> bool:
        with self.lock:
            rec = self.items.get(key)
            if rec is None or rec.status != PENDING:
                return False
            self.items[key] = replace(rec, status=POSTED, tweet_id=tweet_id, posted_at=posted_at)
            return True

    def release(self, key: str, status: PostStatus, detail: str, cap_key: str) -> bool:
        with self.lock:
            rec = self.items.get(key)
            if rec is None or rec.status != PENDING:
                return False
            self.items[key] = replace(rec, status=status, detail=detail, cap_taken=False)
            self.slots.get(cap_key, set()).discard(rec.post_id)
            return True

    def counts(self, account: str, day: str, categories: list[str]) -> dict[str, int]:
        return {c: len(self.slots.get(cap_key(account, day, c), ())) for c in categories}
