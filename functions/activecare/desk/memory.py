"""In-memory fakes of the desk ports, for unit tests (same semantics as the DynamoDB adapters)."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from activecare.desk.errors import BadRequest
from activecare.desk.models import (
    ContextPost,
    DeskInquiry,
    DoNotContact,
    Event,
    ListQuery,
    Msg,
    Outcome,
    Reservation,
    Status,
)
from activecare.desk.ports import TALLY_FIELDS


def _copy(inquiry: DeskInquiry) -> DeskInquiry:
    return replace(inquiry, messages=list(inquiry.messages), events=list(inquiry.events))


class MemoryInquiries:
    def __init__(self, items: list[DeskInquiry] | None = None) -> None:
        self.items: dict[str, DeskInquiry] = {i.inquiry_id: _copy(i) for i in items or []}
        self._lock = threading.Lock()

    def put(self, inquiry: DeskInquiry) -> None:
        """Store a copy, as the worker's write is: later desk actions do not change the caller's object."""
        self.items[inquiry.inquiry_id] = _copy(inquiry)

    def get(self, inquiry_id: str) -> DeskInquiry | None:
        found = self.items.get(inquiry_id)
        return _copy(found) if found else None

    def page(self, query: ListQuery) -> tuple[list[DeskInquiry], str | None]:
        """As the by_status index: the cursor is the last row's key, so a page continues after that row
        however the list changed meanwhile."""
        after = _decode_cursor(query.cursor)
        rows = sorted((i for i in self.items.values() if i.status == query.status),
                      key=lambda i: (i.created_at, i.inquiry_id))
        rows = [i for i in rows if (query.topic is None or i.topic == query.topic)
                and (query.account is None or i.account == query.account)
                and (query.older_than is None or i.created_at < query.older_than)
                and (after is None or (i.created_at, i.inquiry_id) > after)]
        chunk = rows[: query.limit]
        more = len(rows) > query.limit
        return [_copy(i) for i in chunk], _encode_cursor(chunk[-1]) if more else None

    def by_author(self, author_id: str, limit: int = 50) -> list[DeskInquiry]:
        rows = sorted((i for i in self.items.values() if i.author_id == author_id), key=lambda i: i.created_at)
        return [_copy(i) for i in rows[:limit]]

    def claim(self, inquiry_id: str, agent: str, now: datetime, until: datetime) -> bool:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is None or inq.holder(now) not in (None, agent):
                return False
            inq.claimed_by, inq.claim_expires_at = agent, until
            return True

    def reassign(self, inquiry_id: str, agent: str, until: datetime) -> bool:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is None:
                return False
            inq.claimed_by, inq.claim_expires_at = agent, until
            return True

    def release(self, inquiry_id: str, agent: str) -> bool:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is None or inq.claimed_by != agent:
                return False
            inq.claimed_by = inq.claim_expires_at = None
            return True

    def add_reply(self, inquiry_id: str, msg: Msg, at: datetime) -> bool:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is None or inq.tweet_id == msg.tweet_id or any(m.tweet_id == msg.tweet_id for m in inq.messages):
                return False
            inq.messages.append(replace(msg, direction="out"))
            inq.events.append(Event("reply", msg.agent or "", at, msg.mode or "", msg.tweet_id))
            inq.status = "replied"
            inq.last_reply_at, inq.replied_by = at, msg.agent or ""
            if inq.first_response_at is None:
                inq.first_response_at, inq.first_response_by = at, msg.agent or ""
            return True

    def mark_sla_breach(self, inquiry_id: str, at: datetime) -> bool:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is None or inq.sla_breached_at is not None:
                return False
            inq.sla_breached_at = at
            return True

    def add_event(self, inquiry_id: str, event: Event) -> None:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is not None:  # an unknown inquiry: nothing to add it to
                inq.events.append(event)

    def set_context(self, inquiry_id: str, before: list[ContextPost], after: list[ContextPost]) -> bool:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is None or inq.context_status != "pending":
                return False
            inq.context_before, inq.context_after, inq.context_status = list(before), list(after), "ok"
            return True

    def set_status(self, inquiry_id: str, status: Status, event: Event, *, outcome: Outcome | None = None,
                   expect: tuple[str, ...] = ()) -> bool:
        with self._lock:
            inq = self.items.get(inquiry_id)
            if inq is None or (expect and inq.status not in expect):
                return False
            inq.status = status
            inq.events.append(event)
            if status == "resolved":
                inq.outcome, inq.resolved_at, inq.resolved_by = outcome, event.at, event.agent
                inq.claimed_by = inq.claim_expires_at = None
            else:  # reopened: the outcome went with the resolution (resolved_at/by record the last one)
                inq.outcome = None
            return True


class MemoryDoNotContact:
    def __init__(self) -> None:
        self.items: dict[str, DoNotContact] = {}

    def get(self, author_id: str) -> DoNotContact | None:
        return self.items.get(author_id)

    def get_many(self, author_ids: list[str]) -> dict[str, DoNotContact]:
        return {a: self.items[a] for a in dict.fromkeys(author_ids) if a in self.items}

    def record(self, author_id: str, tweet_id: str, at: datetime, reason: str) -> bool:
        old = self.items.get(author_id)
        if old is not None and (old.active or old.tweet_id == tweet_id):
            return False
        self.items[author_id] = DoNotContact(author_id, at, reason, tweet_id)
        return True

    def lift(self, author_id: str, at: datetime, who: str, reason: str) -> bool:
        old = self.items.get(author_id)
        if old is None or not old.active:
            return False
        self.items[author_id] = replace(old, lifted_at=at, lifted_by=who, lift_reason=reason)
        return True


class MemoryGoneTweets:
    """Records the tweets the desk was told are gone; with `inquiries`, blanks the one a tweet opened."""

    def __init__(self, inquiries: MemoryInquiries | None = None) -> None:
        self.inquiries = inquiries
        self.erased: list[tuple[str, str]] = []

    def erase(self, tweet_id: str, author_id: str, at: datetime) -> int:
        first = (tweet_id, author_id) not in self.erased
        self.erased.append((tweet_id, author_id))
        inq = self.inquiries.items.get(tweet_id) if self.inquiries else None
        if inq is not None and inq.text:
            inq.text = ""
            return 1
        return int(first)


class MemoryReservations:
    """As DynamoReservations: a dropped reservation is kept aside, marked, and reads as free (`items` holds the
    live ones)."""

    def __init__(self) -> None:
        self.items: dict[str, Reservation] = {}
        self.dropped: dict[str, Reservation] = {}
        self.held_tokens: set[str] = set()
        self._lock = threading.Lock()

    def get(self, token: str) -> Reservation | None:
        return self.items.get(token)

    def reserve(self, reservation: Reservation) -> bool:
        with self._lock:
            if reservation.token in self.items:
                return False
            self.items[reservation.token] = reservation
            self.dropped.pop(reservation.token, None)
            return True

    def update(self, token: str, **changes: object) -> None:
        self.items[token] = replace(self.items[token], **changes)  # type: ignore[arg-type]

    def drop(self, token: str) -> None:
        with self._lock:
            found = self.items.get(token)
            if found is not None and found.status == "pending":  # prepared/posted ones are kept
                self.dropped[token] = self.items.pop(token)

    def transition(self, token: str, expect: str, **changes: object) -> bool:
        with self._lock:
            found = self.items.get(token)
            if found is None or found.status != expect:
                return False
            self.items[token] = replace(found, **changes)  # type: ignore[arg-type]
            return True

    def mark_held(self, token: str, held: bool) -> None:
        with self._lock:
            (self.held_tokens.add if held else self.held_tokens.discard)(token)

    def held(self) -> list[Reservation]:
        found = [self.items[t] for t in list(self.held_tokens) if t in self.items]
        return sorted((r for r in found if r.status == "held"), key=lambda r: (r.reserved_at, r.token))


@dataclass
class _Counts:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TALLY_FIELDS, 0))
    first_response_s: list[float] = field(default_factory=list)


class MemoryTally:
    """As the adapter's items: the desk's row is written on every add, an agent's only when something is
    counted for them; first response times kept to a tenth of a second."""

    def __init__(self) -> None:
        self.days: dict[str, dict[str, _Counts]] = {}

    def add(self, day: str, agent: str, counts: dict[str, int], first_response_s: float | None = None) -> None:
        counted = {key: n for key, n in counts.items() if n}
        seconds = None if first_response_s is None else round(first_response_s, 1)
        rows = self.days.setdefault(day, {})
        for who in ("", agent):
            if who and not counted and seconds is None:
                continue
            row = rows.setdefault(who, _Counts())
            for key, n in counted.items():
                row.counts[key] += n
            if seconds is not None:
                row.first_response_s.append(seconds)

    def read(self, day: str) -> dict[str, dict[str, object]]:
        return {who: {**row.counts, "first_response_s": list(row.first_response_s)}
                for who, row in self.days.get(day, {}).items()}


def _encode_cursor(last: DeskInquiry) -> str:
    key = {"created_at": last.created_at.isoformat(), "inquiry_id": last.inquiry_id}
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The (created_at, inquiry_id) a page continues after; BadRequest as the adapter's for anything else."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(key["created_at"]), str(key["inquiry_id"])
    except (ValueError, UnicodeDecodeError, TypeError, KeyError):
        raise BadRequest("cursor is not one this list returned", code="bad_cursor") from None
