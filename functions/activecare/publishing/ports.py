"""The publisher's storage port: the calendar, post records (one per account, day and post) and
the daily cap counters. Reserving a post and taking its category's cap is one atomic step."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from activecare.publishing.models import PostRecord, PostStatus, StoredCalendar

Reserve = Literal["reserved", "exists", "capped"]


def cap_key(account: str, day: str, category: str) -> str:
    return f"cap#{account}#{day}#{category}"


class PublishStore(Protocol):
    def get_calendar(self) -> StoredCalendar | None: ...

    def put_calendar(self, calendar: StoredCalendar) -> None: ...

    def records(self, account: str, day: str, post_ids: list[str]) -> dict[str, PostRecord]:
        """The records of these posts that exist (consistent read), by post id."""
        ...

    def get(self, key: str) -> PostRecord | None: ...

    def reserve(self, record: PostRecord, cap: int) -> Reserve:
        """Atomically: create the pending record (if absent) AND add one to the category's counter
        (if below `cap`). Both or neither. "exists": the record was there; "capped": the cap was full."""
        ...

    def mark(self, record: PostRecord) -> bool:
        """Create a final record without taking the cap (e.g. capped, too long); False if one exists."""
        ...

    def take_lease(self, key: str, expected_until: datetime, until: datetime) -> bool:
        """Take over a pending record whose lease ended (conditional on the lease we saw)."""
        ...

    def finish(self, key: str, tweet_id: str, posted_at: datetime) -> bool:
        """pending -> posted with the tweet id. False if the record is not pending."""
        ...

    def release(self, key: str, status: PostStatus, detail: str, cap_key: str) -> bool:
        """pending -> a final state, giving the cap back, atomically. False if not pending."""
        ...

    def counts(self, account: str, day: str, categories: list[str]) -> dict[str, int]:
        """The day's cap counters of an account."""
        ...
