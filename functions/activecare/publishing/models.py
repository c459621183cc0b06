"""The publisher's data: post records and their states, the imported calendar, and what a run, a day's plan
and the caps' use answer (the JSON of the publisher function and of `activecare posts plan --json`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, PlainSerializer, field_serializer

# A post record's state: pending (reserved, its cap taken) -> posted, or another final state.
PostStatus = Literal["pending", "posted", "capped", "duplicate", "rejected"]
POST_STATUSES: tuple[PostStatus, ...] = get_args(PostStatus)
PENDING: PostStatus = "pending"
POSTED: PostStatus = "posted"
# Final states besides posted: nothing more is tried for the slot that day.
CAPPED: PostStatus = "capped"  # the category's cap was reached (e.g. the calendar changed during the day)
DUPLICATE: PostStatus = "duplicate"  # X refused the text as duplicate content and it is not ours on the timeline
REJECTED: PostStatus = "rejected"  # X refused the post for another reason, or it is too long
FINAL: frozenset[PostStatus] = frozenset({POSTED, CAPPED, DUPLICATE, REJECTED})
# A slot of a day's plan: its record's state, or planned (no record yet).
SlotState = PostStatus | Literal["planned"]
# What a run did with a due slot (counted in RunReport.outcomes).
Outcome = Literal["posted", "reconciled", "too_long", "capped", "done_elsewhere", "busy", "unavailable", "duplicate",
                  "rejected", "waiting_for_greeting", "deferred"]


def record_key(account: str, day: str, post_id: str) -> str:
    return f"post#{account}#{day}#{post_id}"


@dataclass(frozen=True)
class PostRecord:
    account: str
    day: str  # JST date YYYY-MM-DD
    post_id: str
    category: str
    text: str
    status: PostStatus
    reserved_at: datetime
    lease_until: datetime  # a pending record is someone's until then; afterwards a run may reconcile it
    cap_taken: bool = False
    tweet_id: str | None = None
    posted_at: datetime | None = None
    detail: str = ""

    @property
    def key(self) -> str:
        return record_key(self.account, self.day, self.post_id)


@dataclass(frozen=True)
class StoredCalendar:
    csv_text: str
    digest: str
    imported_at: datetime
    source: str


# --- what the publisher answers -------------------------------------------------------------------


class PostedSlot(BaseModel):
    """A post a run made (or found on the timeline, reconciled): ids only, never the text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str
    post_id: str
    category: str
    tweet_id: str
    reconciled: Annotated[bool, PlainSerializer(lambda v: "true" if v else "false", return_type=str)]
    key: str


class RunReport(BaseModel):
    """One scheduled run: the posts it made and how many due slots ended in each outcome."""

    model_config = ConfigDict(extra="forbid")

    at: str  # the run's time in JST, ISO 8601 to the second
    day: str
    in_hours: bool
    posted: list[PostedSlot] = []
    outcomes: dict[Outcome, int] = {}

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @field_serializer("outcomes")
    def _sorted(self, outcomes: dict[Outcome, int]) -> dict[Outcome, int]:
        return dict(sorted(outcomes.items()))


class SlotStatus(BaseModel):
    """A slot of a day's plan with its record's state (`activecare posts plan`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: str  # HH:MM JST
    category: str
    post_id: str
    variant: int  # from 1
    weighted_length: int
    status: SlotState
    tweet_id: str | None
    text: str


class CapUsage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    posted: int  # counted against the cap
    cap: int


# Per account, per category: the day's use of the caps.
PostsSummary = dict[str, dict[str, CapUsage]]
