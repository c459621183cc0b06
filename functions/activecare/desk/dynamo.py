"""DynamoDB adapters of the desk ports (pynamodb): inquiries, reply reservations, day tallies."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, cast

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from activecare.clock import JST
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
from activecare.storage.conditions import save_if, update_if
from activecare.storage.models import (
    ContextTweet,
    DeskEvent,
    Inquiry,
    Message,
    dnc_key,
    expires_at,
    record_do_not_contact,
    register_shared,
    retention,
)
from activecare.storage.models import DoNotContact as DncItem


class ReplyReservation(Model):
    """The desk's reply idempotency record ("reply#<client token>"), in the state table."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()  # pending | prepared | posted
    inquiry_id = UnicodeAttribute()
    text_hash = UnicodeAttribute()
    text = UnicodeAttribute()
    agent = UnicodeAttribute()
    account = UnicodeAttribute()
    in_reply_to = UnicodeAttribute()
    mode = UnicodeAttribute()  # api | manual
    reserved_at = UTCDateTimeAttribute()
    intent_url = UnicodeAttribute(null=True)
    tweet_id = UnicodeAttribute(null=True)
    posted_at = UTCDateTimeAttribute(null=True)
    reviewed_by = UnicodeAttribute(null=True)
    review_note = UnicodeAttribute(null=True)
    original_text = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # TTL: RESERVATION_RETENTION_DAYS after reserved_at


class HeldReplies(Model):
    """The tokens of trainees' replies waiting for approval ("held#replies", a string set: a few at a time), so
    the supervisors' list reads one item and a batch instead of scanning the state table."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    tokens = UnicodeSetAttribute(null=True)


HELD_KEY = "held#replies"


class DeskTally(Model):
    """Counters of one desk day ("tally#<JST date>" and "tally#<date>#<agent>"), in the state table."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    agents = UnicodeSetAttribute(null=True)
    replies = NumberAttribute(null=True)
    api_posts = NumberAttribute(null=True)
    manual_posts = NumberAttribute(null=True)
    posts_with_url = NumberAttribute(null=True)
    email_form = NumberAttribute(null=True)
    resolved = NumberAttribute(null=True)
    reopened = NumberAttribute(null=True)
    refused_personal_data = NumberAttribute(null=True)
    refused_out_of_hours = NumberAttribute(null=True)
    refused_too_long = NumberAttribute(null=True)
    refused_duplicate = NumberAttribute(null=True)
    refused_do_not_contact = NumberAttribute(null=True)
    do_not_contact_lifted = NumberAttribute(null=True)
    first_response_s = ListAttribute(of=NumberAttribute, null=True)
    expires_at = NumberAttribute(null=True)  # TTL: RECORD_RETENTION_DAYS after the day's start (JST)


register_shared("state_table", ReplyReservation, DeskTally, HeldReplies)


def to_desk(i: Inquiry) -> DeskInquiry:
    return DeskInquiry(
        inquiry_id=i.inquiry_id, tweet_id=i.tweet_id, author_id=i.author_id, text=i.text, created_at=i.created_at,
        account=i.account, topic=i.topic, author_username=i.author_username, conversation_id=i.conversation_id,
        source=i.source, source_key=i.source_key or "", direct=bool(i.direct), department=i.department,
        sentiment=i.sentiment,
        keywords=[str(k) for k in i.keywords or []], pii_kinds=[str(k) for k in i.pii_kinds or []],
        status=cast(Status, i.status),
        outcome=cast(Outcome | None, i.outcome),
        context_before=[ContextPost(c.id, c.text, c.created_at) for c in i.context_before or []],
        context_after=[ContextPost(c.id, c.text, c.created_at) for c in i.context_after or []],
        context_status=i.context_status,
        messages=[Msg(m.tweet_id, m.author_id, m.text, m.created_at, m.direction, m.agent, m.account,
                      m.in_reply_to, m.mode) for m in i.messages or []],
        claimed_by=i.claimed_by, claim_expires_at=i.claim_expires_at, first_response_at=i.first_response_at,
        first_response_by=i.first_response_by, last_reply_at=i.last_reply_at, replied_by=i.replied_by,
        resolved_at=i.resolved_at, resolved_by=i.resolved_by,
        events=[Event(e.kind, e.agent, e.at, e.detail, e.tweet_id) for e in i.desk_events or []],
        past_inquiries=len(i.history or []), sla_breached_at=i.sla_breached_at,
    )


def _desk_event(e: Event) -> DeskEvent:
    return DeskEvent(kind=e.kind, agent=e.agent, at=e.at, detail=e.detail, tweet_id=e.tweet_id)


def _append_event(e: Event) -> Any:
    return Inquiry.desk_events.set((Inquiry.desk_events | []).append([_desk_event(e)]))


def _keep_from(at: datetime) -> Any:
    """Retention counts from the inquiry's last activity."""
    return Inquiry.expires_at.set(expires_at(at, retention().inquiry_retention_days))


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("cursor is not one this list returned", code="bad_cursor") from None
    # DynamoDB's own key shape ({"inquiry_id": {"S": "..."}, ...}): anything else would fail inside the query
    if not isinstance(key, dict) or set(key) != {"inquiry_id", "status", "created_at"} or not all(
            isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) and 0 < len(v["S"]) <= 64
            for v in key.values()):
        raise BadRequest("cursor is not one this list returned", code="bad_cursor")
    return key


class DynamoDeskInquiries:
    def get(self, inquiry_id: str) -> DeskInquiry | None:
        try:
            return to_desk(Inquiry.get(inquiry_id, consistent_read=True))
        except Inquiry.DoesNotExist:
            return None

    def page(self, query: ListQuery) -> tuple[list[DeskInquiry], str | None]:
        filt = None
        if query.topic:
            filt = Inquiry.topic == query.topic
        if query.account:
            cond = Inquiry.account == query.account
            filt = cond if filt is None else filt & cond
        rng = Inquiry.created_at < query.older_than if query.older_than else None
        results = Inquiry.by_status.query(query.status, rng, filter_condition=filt, limit=query.limit,
                                          last_evaluated_key=decode_cursor(query.cursor))
        rows = [to_desk(i) for i in results]
        more = len(rows) == query.limit and results.last_evaluated_key
        return rows, encode_cursor(results.last_evaluated_key) if more else None

    def by_author(self, author_id: str, limit: int = 50) -> list[DeskInquiry]:
        return [to_desk(i) for i in Inquiry.by_author.query(author_id, limit=limit)]

    def claim(self, inquiry_id: str, agent: str, now: datetime, until: datetime) -> bool:
        free = (Inquiry.claimed_by.does_not_exist() | Inquiry.claim_expires_at.does_not_exist()
                | (Inquiry.claim_expires_at <= now) | (Inquiry.claimed_by == agent))
        return self._update(inquiry_id, [Inquiry.claimed_by.set(agent), Inquiry.claim_expires_at.set(until)],
                            Inquiry.inquiry_id.exists() & free)

    def reassign(self, inquiry_id: str, agent: str, until: datetime) -> bool:
        return self._update(inquiry_id, [Inquiry.claimed_by.set(agent), Inquiry.claim_expires_at.set(until)],
                            Inquiry.inquiry_id.exists())

    def release(self, inquiry_id: str, agent: str) -> bool:
        return self._update(inquiry_id, [Inquiry.claimed_by.remove(), Inquiry.claim_expires_at.remove()],
                            Inquiry.inquiry_id.exists() & (Inquiry.claimed_by == agent))

    def add_reply(self, inquiry_id: str, msg: Msg, at: datetime) -> bool:
        message = Message(tweet_id=msg.tweet_id, author_id=msg.author_id, text=msg.text, created_at=msg.created_at,
                          direction="out", agent=msg.agent, account=msg.account, in_reply_to=msg.in_reply_to,
                          mode=msg.mode)
        actions = [
            Inquiry.messages.set(Inquiry.messages.append([message])),
            Inquiry.tweet_ids.add({msg.tweet_id}),
            Inquiry.status.set("replied"),
            Inquiry.updated_at.set(at),
            Inquiry.last_reply_at.set(at),
            _keep_from(at),
            Inquiry.replied_by.set(msg.agent or ""),
            Inquiry.first_response_at.set(Inquiry.first_response_at | at),
            Inquiry.first_response_by.set(Inquiry.first_response_by | (msg.agent or "")),
            _append_event(Event("reply", msg.agent or "", at, msg.mode or "", msg.tweet_id)),
        ]
        return self._update(inquiry_id, actions,
                            Inquiry.inquiry_id.exists() & ~Inquiry.tweet_ids.contains(msg.tweet_id))

    def add_event(self, inquiry_id: str, event: Event) -> None:
        self._update(inquiry_id, [_append_event(event)], Inquiry.inquiry_id.exists())

    def set_context(self, inquiry_id: str, before: list[ContextPost], after: list[ContextPost]) -> bool:
        def items(posts: list[ContextPost]) -> list[ContextTweet]:
            return [ContextTweet(id=p.id, text=p.text, created_at=p.created_at) for p in posts]

        actions = [Inquiry.context_before.set(items(before)), Inquiry.context_after.set(items(after)),
                   Inquiry.context_status.set("ok")]
        return self._update(inquiry_id, actions, Inquiry.inquiry_id.exists() & (Inquiry.context_status == "pending"))

    def set_status(self, inquiry_id: str, status: Status, event: Event, *, outcome: Outcome | None = None,
                   expect: tuple[str, ...] = ()) -> bool:
        actions = [Inquiry.status.set(status), Inquiry.updated_at.set(event.at), _append_event(event),
                   _keep_from(event.at)]
        if status == "resolved":
            actions += [Inquiry.outcome.set(outcome or "answered"), Inquiry.resolved_at.set(event.at),
                        Inquiry.resolved_by.set(event.agent), Inquiry.claimed_by.remove(),
                        Inquiry.claim_expires_at.remove()]
        else:
            actions += [Inquiry.outcome.remove()]
        cond = Inquiry.inquiry_id.exists()
        if expect:
            cond = cond & Inquiry.status.is_in(*expect)
        return self._update(inquiry_id, actions, cond)

    def mark_sla_breach(self, inquiry_id: str, at: datetime) -> bool:
        return self._update(inquiry_id, [Inquiry.sla_breached_at.set(at)],
                            Inquiry.inquiry_id.exists() & Inquiry.sla_breached_at.does_not_exist())

    @staticmethod
    def _update(inquiry_id: str, actions: list[Any], condition: Any) -> bool:
        return update_if(Inquiry(inquiry_id), actions, condition)


_RES_FIELDS = ("status", "inquiry_id", "text_hash", "text", "agent", "account", "in_reply_to", "mode",
               "reserved_at", "intent_url", "tweet_id", "posted_at", "reviewed_by", "review_note", "original_text")


DROPPED = "dropped"  # a reservation whose post was rejected for good: free again (the desk cannot DeleteItem)


def _dnc(item: DncItem) -> DoNotContact:
    return DoNotContact(item.author_id, item.since, item.reason, item.tweet_id or "", item.lifted_at,
                        item.lifted_by, item.lift_reason)


class DynamoDoNotContact:
    def get(self, author_id: str) -> DoNotContact | None:
        try:
            return _dnc(DncItem.get(dnc_key(author_id), consistent_read=True))
        except DncItem.DoesNotExist:
            return None

    def get_many(self, author_ids: list[str]) -> dict[str, DoNotContact]:
        keys = [dnc_key(a) for a in dict.fromkeys(author_ids)]
        return {item.author_id: _dnc(item) for item in DncItem.batch_get(keys)} if keys else {}

    def record(self, author_id: str, tweet_id: str, at: datetime, reason: str) -> bool:
        return record_do_not_contact(author_id, tweet_id, at, reason)

    def lift(self, author_id: str, at: datetime, who: str, reason: str) -> bool:
        return update_if(
            DncItem(dnc_key(author_id)),
            [DncItem.lifted_at.set(at), DncItem.lifted_by.set(who), DncItem.lift_reason.set(reason)],
            DncItem.pk.exists() & DncItem.lifted_at.does_not_exist(),
        )


class DynamoReservations:
    def get(self, token: str) -> Reservation | None:
        try:
            item = ReplyReservation.get(f"reply#{token}", consistent_read=True)
        except ReplyReservation.DoesNotExist:
            return None
        if item.status == DROPPED:
            return None
        return Reservation(token=token, **{f: getattr(item, f) for f in _RES_FIELDS})

    def reserve(self, reservation: Reservation) -> bool:
        item = ReplyReservation(f"reply#{reservation.token}",
                                **{f: getattr(reservation, f) for f in _RES_FIELDS},
                                expires_at=expires_at(reservation.reserved_at,
                                                      retention().reservation_retention_days))
        return save_if(item, ReplyReservation.pk.does_not_exist() | (ReplyReservation.status == DROPPED))

    def update(self, token: str, **changes: object) -> None:
        actions = [getattr(ReplyReservation, k).set(v) for k, v in changes.items()]
        ReplyReservation(f"reply#{token}").update(
            actions=actions, condition=ReplyReservation.pk.exists() & (ReplyReservation.status != DROPPED))

    def drop(self, token: str) -> None:
        """Mark a pending reservation dropped (a conditional update, not a delete: prepared/posted ones stay)."""
        update_if(ReplyReservation(f"reply#{token}"), [ReplyReservation.status.set(DROPPED)],
                  ReplyReservation.status == "pending")

    def transition(self, token: str, expect: str, **changes: object) -> bool:
        actions = [getattr(ReplyReservation, k).set(v) for k, v in changes.items()]
        return update_if(ReplyReservation(f"reply#{token}"), actions, ReplyReservation.status == expect)

    def mark_held(self, token: str, held: bool) -> None:
        tokens = HeldReplies.tokens
        HeldReplies(HELD_KEY).update(actions=[tokens.add({token}) if held else tokens.delete({token})])

    def held(self) -> list[Reservation]:
        try:
            tokens = sorted(HeldReplies.get(HELD_KEY, consistent_read=True).tokens or [])
        except HeldReplies.DoesNotExist:
            return []
        found = [self.get(t) for t in tokens]  # consistent reads (a few): an approval is seen at once
        held = [r for r in found if r is not None and r.status == "held"]
        return sorted(held, key=lambda r: (r.reserved_at, r.token))


class DynamoTally:
    def add(self, day: str, agent: str, counts: dict[str, int], first_response_s: float | None = None) -> None:
        for pk in (f"tally#{day}", f"tally#{day}#{agent}"):
            actions = [getattr(DeskTally, k).add(n) for k, n in counts.items() if n]
            if first_response_s is not None:
                actions.append(DeskTally.first_response_s.set(
                    (DeskTally.first_response_s | []).append([round(first_response_s, 1)])))
            actions.append(DeskTally.expires_at.set(_day_expiry(day)))
            if pk == f"tally#{day}":
                actions.append(DeskTally.agents.add({agent}))
            if len(actions) > 1:
                DeskTally(pk).update(actions=actions)

    def read(self, day: str) -> dict[str, dict[str, object]]:
        try:
            total = DeskTally.get(f"tally#{day}", consistent_read=True)
        except DeskTally.DoesNotExist:
            return {}
        agents = sorted(total.agents or [])
        out = {"": _counts(total)}
        for item in DeskTally.batch_get([f"tally#{day}#{a}" for a in agents]):
            out[item.pk.split("#", 2)[2]] = _counts(item)
        return out


def _day_expiry(day: str) -> int:
    start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=JST)
    return expires_at(start, retention().record_retention_days)


def _counts(item: DeskTally) -> dict[str, object]:
    return {**{f: int(getattr(item, f) or 0) for f in TALLY_FIELDS},
            "first_response_s": [float(cast(float, x)) for x in item.first_response_s or []]}


class DynamoGoneTweets:
    """storage/erasure.py without DeleteItem (the desk has none): the inquiry the tweet opened is blanked and marked
    erased, the tweet taken out of the author's other inquiries; the compliance sweep deletes the blanked item."""

    def erase(self, tweet_id: str, author_id: str, at: datetime) -> int:
        from activecare.storage.erasure import erase_tweets

        return erase_tweets({tweet_id: author_id}, reservations=False, delete=False, at=at).total
