"""In-memory fakes of the desk ports, for unit tests (same semantics as the DynamoDB adapters)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from activecare.desk.models import DeskInquiry, Event, ListQuery, Msg, Outcome, Reservation, Status
from activecare.desk.ports import TALLY_FIELDS


class MemoryInquiries:
    def __init__(self, items: list[DeskInquiry] | None = None) -> None:
        self.items: dict[str, DeskInquiry] = {i.inquiry_id: i for i in items or []}
        self._lock = threading.Lock()

    def put(self, inquiry: DeskInquiry) -> None:
        self.items[inquiry.inquiry_id] = inquiry

    def get(self, inquiry_id: str) -> DeskInquiry | None:
        found = self.items.get(inquiry_id)
        return replace(found, messages=list(found.messages), events=list(found.events)) if found else None

    def page(self, query: ListQuery) -> tuple[list[DeskInquiry], str | None]:
        rows = sorted((i for i in self.items.values() if i.status == query.status),
                      key=lambda i: (i.created_at, i.inquiry_id))
        rows = [i for i in rows if (query.topic is None or i.topic == query.topic)
                and (query.account is None or i.account == query.account)
                and (query.older_than is None or i.created_at < query.older_than)]
        start = int(query.cursor or 0)
        chunk = rows[start : start + query.limit]
        more = start + query.limit < len(rows)
        return chunk, str(start + query.limit) if more else None

    def by_author(self, author_id: str, limit: int = 50) -> list[DeskInquiry]:
        rows = sorted((i for i in self.items.values() if i.author_id == author_id), key=lambda i: i.created_at)
        return rows[:limit]

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
            inq = self.items[inquiry_id]
            if any(m.tweet_id == msg.tweet_id for m in inq.messages):
                return False
            inq.messages.append(msg)
            inq.events.append(Event("reply", msg.agent or "", at, msg.mode or "", msg.tweet_id))
            inq.status = "replied"
            inq.last_reply_at, inq.replied_by = at, msg.agent
            if inq.first_response_at is None:
                inq.first_response_at, inq.first_response_by = at, msg.agent
            return True

    def add_event(self, inquiry_id: str, event: Event) -> None:
        self.items[inquiry_id].events.append(event)

    def set_status(self, inquiry_id: str, status: Status, event: Event, *, outcome: Outcome | None = None,
                   expect: tuple[str, ...] = ()) -> bool:
        with self._lock:
            inq = self.items[inquiry_id]
            if expect and inq.status not in expect:
                return False
            inq.status = status
            inq.events.append(event)
            if status == "resolved":
                inq.outcome, inq.resolved_at, inq.resolved_by = outcome, event.at, event.agent
                inq.claimed_by = inq.claim_expires_at = None
            return True


class MemoryReservations:
    def __init__(self) -> None:
        self.items: dict[str, Reservation] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Reservation | None:
        return self.items.get(token)

    def reserve(self, reservation: Reservation) -> bool:
        with self._lock:
            if reservation.token in self.items:
                return False
            self.items[reservation.token] = reservation
            return True

    def update(self, token: str, **changes: object) -> None:
        self.items[token] = replace(self.items[token], **changes)  # type: ignore[arg-type]

    def drop(self, token: str) -> None:
        self.items.pop(token, None)


class MemoryTally:
    def __init__(self) -> None:
        self.days: dict[str, dict[str, dict[str, object]]] = {}

    def add(self, day: str, agent: str, counts: dict[str, int], first_response_s: float | None = None) -> None:
        for who in ("", agent):
            row = self.days.setdefault(day, {}).setdefault(who, _empty())
            for key, n in counts.items():
                row[key] = int(row[key]) + n  # type: ignore[call-overload]
            if first_response_s is not None:
                row["first_response_s"].append(first_response_s)  # type: ignore[attr-defined]

    def read(self, day: str) -> dict[str, dict[str, object]]:
        return {k: {**v, "first_response_s": list(v["first_response_s"])}  # type: ignore[call-overload]
                for k, v in self.days.get(day, {}).items()}


def _empty() -> dict[str, object]:
    return {**dict.fromkeys(TALLY_FIELDS, 0), "first_response_s": []}
