"""The desk's ports: inquiry storage, reply reservations, day tallies, and X per account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from activecare.desk.models import (
    ContextPost,
    DeskInquiry,
    DoNotContact,
    Event,
    ListQuery,
    Msg,
    Outcome,
    PostedReply,
    Reservation,
    SlaBreach,
    Status,
)
from activecare.twitter.port import TwitterPort

TALLY_FIELDS: tuple[str, ...] = (
    "replies", "api_posts", "manual_posts", "posts_with_url", "email_form", "resolved", "reopened",
    "refused_personal_data", "refused_out_of_hours", "refused_too_long", "refused_duplicate",
    "refused_do_not_contact", "do_not_contact_lifted",
)


class InquiryRepo(Protocol):
    def get(self, inquiry_id: str) -> DeskInquiry | None: ...

    def page(self, query: ListQuery) -> tuple[list[DeskInquiry], str | None]:
        """One page of inquiries in `query.status`, oldest first, and the cursor of the next page."""
        ...

    def by_author(self, author_id: str, limit: int = 50) -> list[DeskInquiry]:
        """The author's inquiries, oldest first."""
        ...

    def claim(self, inquiry_id: str, agent: str, now: datetime, until: datetime) -> bool:
        """Conditional: succeeds unless another agent holds a live claim. Unknown id: False."""
        ...

    def reassign(self, inquiry_id: str, agent: str, until: datetime) -> bool:
        """Give the claim to `agent` until `until`, whoever holds it (a supervisor's decision). Unknown id: False."""
        ...

    def release(self, inquiry_id: str, agent: str) -> bool:
        """Drop the agent's own claim; False if the agent does not hold it."""
        ...

    def add_reply(self, inquiry_id: str, msg: Msg, at: datetime) -> bool:
        """Record our posted reply (out-message, reply event, first response); False if already there."""
        ...

    def add_event(self, inquiry_id: str, event: Event) -> None: ...

    def mark_sla_breach(self, inquiry_id: str, at: datetime) -> bool:
        """Record that its response-time target was missed; True only the first time (the breach is counted once)."""
        ...

    def set_context(self, inquiry_id: str, before: list[ContextPost], after: list[ContextPost]) -> bool:
        """Store the author's tweets around the inquiry's, read on its first open; only while "pending"."""
        ...

    def set_status(self, inquiry_id: str, status: Status, event: Event, *, outcome: Outcome | None = None,
                   expect: tuple[str, ...] = ()) -> bool:
        """Change the status (resolve/reopen); with `expect`, only from one of those statuses."""
        ...


class DoNotContactStore(Protocol):
    """Authors who opted out or blocked us (the worker records opt-outs; the desk reads, records blocks, lifts)."""

    def get(self, author_id: str) -> DoNotContact | None: ...

    def get_many(self, author_ids: list[str]) -> dict[str, DoNotContact]:
        """The records of those authors that have one (lifted ones included)."""
        ...

    def record(self, author_id: str, tweet_id: str, at: datetime, reason: str) -> bool:
        """Idempotent: False when an active record is there (or this very tweet's record was lifted since)."""
        ...

    def lift(self, author_id: str, at: datetime, who: str, reason: str) -> bool:
        """End an active record (kept, with who lifted it and why); False if there is no active one."""
        ...


class GoneTweets(Protocol):
    """A tweet X says is deleted or not visible to us (its reply refused so): erase our copy (X's rules, 24 h)."""

    def erase(self, tweet_id: str, author_id: str, at: datetime) -> int:
        """Blank or remove every stored copy of the tweet; the number of records changed. Idempotent."""
        ...


class ReservationStore(Protocol):
    def get(self, token: str) -> Reservation | None: ...

    def reserve(self, reservation: Reservation) -> bool:
        """Conditional put: False if the token is already reserved."""
        ...

    def update(self, token: str, **changes: object) -> None: ...

    def drop(self, token: str) -> None:
        """Forget a pending reservation whose post was rejected for good."""
        ...

    def transition(self, token: str, expect: str, **changes: object) -> bool:
        """Conditional update: only while the reservation's status is `expect` (a trainee's held reply is approved
        or rejected once, whoever else tries at the same moment)."""
        ...

    def mark_held(self, token: str, held: bool) -> None:
        """Add the token to (or take it off) the list of held replies supervisors see; idempotent."""
        ...

    def held(self) -> list[Reservation]:
        """The reservations waiting for approval (status held), oldest first."""
        ...


class QueryVerdicts(Protocol):
    """The listening counters (listening/usage.py, the same item the poller adds its reads to)."""

    def add_outcome(self, month: str, key: str, answered: bool) -> None:
        """One resolved inquiry that the search `key` found; `answered`: a reply or the e-mail form."""
        ...


class Tally(Protocol):
    def add(self, day: str, agent: str, counts: dict[str, int], first_response_s: float | None = None) -> None:
        """Add to the day's counters, for the agent and for the whole desk."""
        ...

    def read(self, day: str) -> dict[str, dict[str, object]]:
        """Counters by agent ("" = the whole desk); each has the TALLY_FIELDS and first_response_s."""
        ...


class FormLinks(Protocol):
    """Single-use links to the e-mail form, one per e-mail-form reply (the mail form's; wired in wiring.py)."""

    base_url: str  # every link starts with it

    def issue(self, inquiry_id: str) -> str:
        """A new link for the inquiry (it names neither the customer nor the inquiry)."""
        ...


ReplyHook = Callable[[PostedReply], None]  # told of each recorded reply (the wiring composes the QA feature)
BreachHook = Callable[[SlaBreach], None]  # an inquiry's response-time target missed (the desk handler: a metric)
PosterFor = Callable[[str], TwitterPort]  # support account key -> X with that account's user token
