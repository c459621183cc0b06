"""DynamoDB adapter of the PublishStore (pynamodb), in the state table:

    cal#current                     the imported calendar (its CSV text: one item, so an import is atomic)
    post#<account>#<date>#<post>    one record per scheduled post: pending -> posted | capped | duplicate | rejected
    cap#<account>#<date>#<category> the day's cap of a category: the set of post ids counted against it

Reserving is one transaction of two conditional writes: the pending record (only if absent) and
the cap counter (add the post id to the set only while the set is smaller than the cap and does not
hold it). Concurrent runs cannot exceed the cap, a retry cannot count a post twice, and a record
that exists already (posted, capped, released) takes no slot.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from activecare.clock import JST
from activecare.errors import AppError
from activecare.literals import parse_literal
from activecare.publishing.models import (
    PENDING,
    POST_STATUSES,
    POSTED,
    PostRecord,
    PostStatus,
    StoredCalendar,
    record_key,
)
from activecare.publishing.ports import Reserve, cap_key
from activecare.storage.conditions import condition_failed
from activecare.storage.models import expires_at, register_shared, retention

CALENDAR_KEY = "cal#current"
TRANSACTION_ATTEMPTS = 5


class CalendarItem(Model):
    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    csv_text = UnicodeAttribute()
    digest = UnicodeAttribute()
    imported_at = UTCDateTimeAttribute()
    source = UnicodeAttribute(default="")


class PostItem(Model):
    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    account = UnicodeAttribute()
    day = UnicodeAttribute()
    post_id = UnicodeAttribute()
    category = UnicodeAttribute()
    text = UnicodeAttribute()
    status = UnicodeAttribute()
    reserved_at = UTCDateTimeAttribute()
    lease_until = UTCDateTimeAttribute()
    cap_taken = BooleanAttribute(default=False)
    tweet_id = UnicodeAttribute(null=True)
    posted_at = UTCDateTimeAttribute(null=True)
    detail = UnicodeAttribute(default="")
    expires_at = NumberAttribute(null=True)  # TTL: RECORD_RETENTION_DAYS after the post's day (JST)


class CapCounter(Model):
    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    slots = UnicodeSetAttribute(null=True)  # post ids counted against the cap
    expires_at = NumberAttribute(null=True)  # TTL: RECORD_RETENTION_DAYS after the day (JST)


register_shared("state_table", CalendarItem, PostItem, CapCounter)

_FIELDS = ("account", "day", "post_id", "category", "text", "status", "reserved_at", "lease_until", "cap_taken",
           "tweet_id", "posted_at", "detail")


def _record(item: PostItem) -> PostRecord:
    return PostRecord(**{f: getattr(item, f) for f in _FIELDS if f != "status"},
                      status=parse_literal(item.status, POST_STATUSES))


def day_expiry(day: str) -> int:
    """A day record's TTL: RECORD_RETENTION_DAYS after the start of its JST day."""
    start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=JST)
    return expires_at(start, retention().record_retention_days)


def _item(record: PostRecord) -> PostItem:
    return PostItem(record.key, **{f: getattr(record, f) for f in _FIELDS}, expires_at=day_expiry(record.day))


class DynamoPublishStore:
    def get_calendar(self) -> StoredCalendar | None:
        try:
            item = CalendarItem.get(CALENDAR_KEY, consistent_read=True)
        except CalendarItem.DoesNotExist:
            return None
        return StoredCalendar(item.csv_text, item.digest, item.imported_at, item.source)

    def put_calendar(self, calendar: StoredCalendar) -> None:
        CalendarItem(CALENDAR_KEY, csv_text=calendar.csv_text, digest=calendar.digest,
                     imported_at=calendar.imported_at, source=calendar.source).save()

    def records(self, account: str, day: str, post_ids: list[str]) -> dict[str, PostRecord]:
        keys = [record_key(account, day, p) for p in dict.fromkeys(post_ids)]
        if not keys:
            return {}
        return {i.post_id: _record(i) for i in PostItem.batch_get(keys, consistent_read=True)}

    def get(self, key: str) -> PostRecord | None:
        try:
            return _record(PostItem.get(key, consistent_read=True))
        except PostItem.DoesNotExist:
            return None

    def reserve(self, record: PostRecord, cap: int) -> Reserve:
        """The record and its cap slot in one transaction: both or neither (the port's contract)."""
        counter = CapCounter(cap_key(record.account, record.day, record.category))
        room = CapCounter.slots.does_not_exist() | (size(CapCounter.slots) < cap)
        item = _item(replace(record, cap_taken=True))
        for _ in range(TRANSACTION_ATTEMPTS):
            try:
                with TransactWrite(connection=PostItem._get_connection().connection) as tx:
                    tx.save(item, condition=PostItem.pk.does_not_exist())
                    tx.update(counter, actions=[CapCounter.slots.add({record.post_id}),
                                                CapCounter.expires_at.set(day_expiry(record.day))],
                              condition=room & ~CapCounter.slots.contains(record.post_id))
                return "reserved"
            except TransactWriteError as exc:
                codes = [r.code if r else None for r in exc.cancellation_reasons]
                if not codes:
                    raise
                if codes[0] == "ConditionalCheckFailed":
                    return "exists"  # the record decides; its slot was taken (or given back) with it
                if "TransactionConflict" in codes:
                    continue  # a concurrent reserve of the same cap: try again
                if codes[1] != "ConditionalCheckFailed":
                    raise
                return self._counted_without_record(record, item, counter)
        raise AppError("the cap counter stayed contended", code="publish_cap_contended", status=503)

    @staticmethod
    def _counted_without_record(record: PostRecord, item: PostItem, counter: CapCounter) -> Reserve:
        """The cap refused the slot: full, or the id was counted by the adapter before transactions
        (a crash between its two writes) - then the record alone is still owed."""
        try:
            current = CapCounter.get(counter.pk, consistent_read=True).slots or set()
        except CapCounter.DoesNotExist:
            current = set()
        if record.post_id not in current:
            return "capped"
        try:
            item.save(condition=PostItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                return "exists"
            raise
        return "reserved"

    def mark(self, record: PostRecord) -> bool:
        try:
            _item(record).save(condition=PostItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def take_lease(self, key: str, expected_until: datetime, until: datetime) -> bool:
        return self._update(key, [PostItem.lease_until.set(until)],
                            (PostItem.status == PENDING) & (PostItem.lease_until == expected_until))

    def finish(self, key: str, tweet_id: str, posted_at: datetime) -> bool:
        return self._update(key, [PostItem.status.set(POSTED), PostItem.tweet_id.set(tweet_id),
                                  PostItem.posted_at.set(posted_at)], PostItem.status == PENDING)

    def release(self, key: str, status: PostStatus, detail: str, cap_key: str) -> bool:
        post_id = key.rsplit("#", 1)[1]
        if not self._update(key, [PostItem.status.set(status), PostItem.detail.set(detail),
                                  PostItem.cap_taken.set(False)], PostItem.status == PENDING):
            return False
        CapCounter(cap_key).update(actions=[CapCounter.slots.delete({post_id})])  # idempotent
        return True

    def counts(self, account: str, day: str, categories: list[str]) -> dict[str, int]:
        found = {c.pk: len(c.slots or ()) for c in
                 CapCounter.batch_get([cap_key(account, day, c) for c in categories], consistent_read=True)}
        return {c: found.get(cap_key(account, day, c), 0) for c in categories}

    @staticmethod
    def _update(key: str, actions: list[Action], condition: Condition) -> bool:
        try:
            PostItem(key).update(actions=actions, condition=condition)
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
        return True
