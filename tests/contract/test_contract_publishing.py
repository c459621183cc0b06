"""The publisher's PublishStore: the calendar, post records and the daily caps."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

from activecare.publishing.models import CAPPED, PENDING, POSTED, REJECTED, PostRecord, StoredCalendar
from activecare.publishing.ports import PublishStore, cap_key
from tests.contract.support import Era, Fresh

LEASE = timedelta(minutes=2)


def _record(fresh: Fresh, era: Era, account: str, category: str = "tips", **changes: Any) -> PostRecord:
    return replace(PostRecord(account=account, day=era.day, post_id=fresh.name("post"), category=category,
                              text="今日のお役立ち情報です", status=PENDING, reserved_at=era.at(0),
                              lease_until=era.at(0) + LEASE), **changes)


def _reserved(store: PublishStore, record: PostRecord, cap: int = 5) -> PostRecord:
    assert store.reserve(record, cap) == "reserved"
    return replace(record, cap_taken=True)


# ---- the calendar ----


def test_the_calendar_is_stored_whole_and_replaced(publish_store: PublishStore, era: Era) -> None:
    assert publish_store.get_calendar() is None
    first = StoredCalendar("day,time,category,text\n", "d1", era.at(0), "content_calendar.csv")
    second = StoredCalendar("day,time,category,text\nmon,09:00,greeting,おはよう\n", "d2", era.at(5), "ops.csv")
    publish_store.put_calendar(first)
    assert publish_store.get_calendar() == first
    publish_store.put_calendar(second)
    assert publish_store.get_calendar() == second


# ---- records ----


def test_records_are_the_ones_that_exist_by_post_id(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    account = fresh.name("acc")
    reserved = _reserved(publish_store, _record(fresh, era, account))
    marked = _record(fresh, era, account, status=REJECTED, detail="too_long")
    publish_store.mark(marked)
    missing = fresh.name("post")
    ids = [reserved.post_id, missing, marked.post_id, reserved.post_id]
    assert publish_store.records(account, era.day, ids) == {reserved.post_id: reserved, marked.post_id: marked}
    assert publish_store.records(account, era.day, []) == {}
    assert publish_store.records(fresh.name("acc"), era.day, ids) == {}  # another account's day
    assert publish_store.get(reserved.key) == reserved
    assert publish_store.get(replace(reserved, post_id=missing).key) is None


# ---- reserve: the record and the cap, together ----


def test_reserve_creates_the_pending_record_and_takes_the_cap(publish_store: PublishStore, fresh: Fresh,
                                                              era: Era) -> None:
    account = fresh.name("acc")
    record = _record(fresh, era, account)
    assert publish_store.reserve(record, 2) == "reserved"
    assert publish_store.get(record.key) == replace(record, cap_taken=True)
    assert publish_store.counts(account, era.day, ["tips", "campaign"]) == {"tips": 1, "campaign": 0}


def test_a_retried_reserve_counts_the_post_once(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    account = fresh.name("acc")
    record = _record(fresh, era, account)
    publish_store.reserve(record, 2)
    assert publish_store.reserve(replace(record, reserved_at=era.at(1)), 2) == "exists"
    assert publish_store.get(record.key) == replace(record, cap_taken=True)
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 1}


def test_a_full_cap_reserves_nothing(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    account = fresh.name("acc")
    for _ in range(2):
        _reserved(publish_store, _record(fresh, era, account), cap=2)
    third = _record(fresh, era, account)
    assert publish_store.reserve(third, 2) == "capped"
    assert publish_store.get(third.key) is None
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 2}
    assert publish_store.reserve(_record(fresh, era, account, category="campaign"), 2) == "reserved"  # its own cap
    assert publish_store.reserve(_record(fresh, era, fresh.name("acc")), 2) == "reserved"  # another account's


def test_concurrent_reserves_never_exceed_the_cap(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    account = fresh.name("acc")
    records = [_record(fresh, era, account) for _ in range(8)]
    barrier, results = threading.Barrier(len(records)), []

    def go(record: PostRecord) -> None:
        barrier.wait()
        results.append(publish_store.reserve(record, 3))

    threads = [threading.Thread(target=go, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["capped"] * 5 + ["reserved"] * 3
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 3}
    assert len(publish_store.records(account, era.day, [r.post_id for r in records])) == 3


def test_reserving_an_existing_record_takes_no_cap(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    account = fresh.name("acc")
    marked = _record(fresh, era, account, status=CAPPED, detail="cap reached")
    publish_store.mark(marked)
    released = _reserved(publish_store, _record(fresh, era, account), cap=3)
    publish_store.release(released.key, REJECTED, "HTTP 403", cap_key(account, era.day, "tips"))
    assert publish_store.reserve(replace(marked, status=PENDING, detail=""), 3) == "exists"
    assert publish_store.reserve(replace(released, status=PENDING, cap_taken=False), 3) == "exists"
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 0}
    full = [_reserved(publish_store, _record(fresh, era, account), cap=3) for _ in range(3)]
    assert len(full) == 3
    assert publish_store.reserve(replace(marked, status=PENDING, detail=""), 3) == "exists"  # not "capped"


# ---- mark ----


def test_mark_stores_a_final_record_without_the_cap(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    account = fresh.name("acc")
    record = _record(fresh, era, account, status=CAPPED, detail="cap reached")
    assert publish_store.mark(record) is True
    assert publish_store.mark(replace(record, status=REJECTED, detail="too_long")) is False
    assert publish_store.get(record.key) == record
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 0}
    reserved = _reserved(publish_store, _record(fresh, era, account))
    assert publish_store.mark(replace(reserved, status=REJECTED)) is False  # a reserved one is not overwritten
    assert publish_store.get(reserved.key) == reserved


# ---- the pending record's lease, and its end ----


def test_an_ended_lease_is_taken_over_once(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    record = _reserved(publish_store, _record(fresh, era, fresh.name("acc")))
    later = record.lease_until + LEASE
    assert publish_store.take_lease(record.key, record.lease_until, later) is True
    assert publish_store.take_lease(record.key, record.lease_until, later + LEASE) is False  # the lease we saw is gone
    assert publish_store.get(record.key) == replace(record, lease_until=later)
    assert publish_store.take_lease(replace(record, post_id=fresh.name("post")).key, later, later) is False


def test_finish_posts_a_pending_record_once(publish_store: PublishStore, fresh: Fresh, era: Era) -> None:
    account = fresh.name("acc")
    record = _reserved(publish_store, _record(fresh, era, account))
    tweet_id = fresh.id()
    assert publish_store.finish(record.key, tweet_id, era.at(1)) is True
    assert publish_store.finish(record.key, fresh.id(), era.at(2)) is False
    posted = replace(record, status=POSTED, tweet_id=tweet_id, posted_at=era.at(1))
    assert publish_store.get(record.key) == posted
    assert publish_store.take_lease(record.key, record.lease_until, era.at(9)) is False  # not pending any more
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 1}  # a posted post keeps its cap
    marked = _record(fresh, era, account, status=REJECTED)
    publish_store.mark(marked)
    assert publish_store.finish(marked.key, fresh.id(), era.at(3)) is False
    assert publish_store.finish(replace(record, post_id=fresh.name("post")).key, tweet_id, era.at(3)) is False


def test_release_ends_a_pending_record_and_gives_the_cap_back_once(publish_store: PublishStore, fresh: Fresh,
                                                                   era: Era) -> None:
    account = fresh.name("acc")
    ckey = cap_key(account, era.day, "tips")
    record, kept = (_reserved(publish_store, _record(fresh, era, account)),
                    _reserved(publish_store, _record(fresh, era, account)))
    assert publish_store.release(record.key, REJECTED, "HTTP 403", ckey) is True
    assert publish_store.release(record.key, REJECTED, "HTTP 403", ckey) is False
    assert publish_store.get(record.key) == replace(record, status=REJECTED, detail="HTTP 403", cap_taken=False)
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 1}  # `kept` still counts
    publish_store.finish(kept.key, fresh.id(), era.at(1))
    assert publish_store.release(kept.key, REJECTED, "late", ckey) is False  # posted: final
    assert publish_store.counts(account, era.day, ["tips"]) == {"tips": 1}
    assert publish_store.release(replace(record, post_id=fresh.name("post")).key, REJECTED, "x", ckey) is False
