"""The listening ports: poll checkpoints (CheckpointStore) and the worker's InquiryStore."""

from __future__ import annotations

from datetime import datetime

from activecare.listening.ingest import NewInquiry
from activecare.listening.models import MatchInfo
from activecare.listening.ports import Checkpoint, CheckpointStore, UsageStore
from activecare.twitter.models import Tweet, User
from tests.contract.support import Era, Fresh, ListeningInquiries

SIGNAL = MatchInfo(topic="signal", department="network", account="signal", keywords=["圏外"])
BILLING = MatchInfo(topic="billing", department="billing", account="general", keywords=["請求"])

# ---- CheckpointStore ----


def test_unknown_sources_load_as_empty_checkpoints_and_unlimited_endpoints(checkpoints: CheckpointStore,
                                                                            fresh: Fresh) -> None:
    key, endpoint = fresh.name("search#q"), fresh.name("search")
    marks, limits = checkpoints.load_all([key], [endpoint])
    assert marks == {key: Checkpoint(key)}
    assert limits == {endpoint: None}


def test_advance_moves_the_checkpoint_forward_only(checkpoints: CheckpointStore, fresh: Fresh, era: Era) -> None:
    key = fresh.name("search#q")
    assert checkpoints.advance(key, 200, query="圏外", polled_at=era.at(0), matched=3) is True
    assert checkpoints.advance(key, 100, query="圏外", polled_at=era.at(1), matched=1) is False  # behind
    assert checkpoints.advance(key, 200, query="圏外", polled_at=era.at(2), matched=1) is False  # the same id
    assert checkpoints.load_all([key], [])[0][key] == Checkpoint(key, 200, era.at(0), 3)
    assert checkpoints.advance(key, 201, query="圏外", polled_at=era.at(3), matched=0) is True
    assert checkpoints.load_all([key], [])[0][key] == Checkpoint(key, 201, era.at(3), 0)


def test_touch_records_the_poll_and_keeps_the_since_id(checkpoints: CheckpointStore, fresh: Fresh,
                                                       era: Era) -> None:
    known, new = fresh.name("search#q"), fresh.name("mention#acc")
    checkpoints.advance(known, 500, query="q", polled_at=era.at(0), matched=2)
    checkpoints.touch(known, query="q", polled_at=era.at(5), matched=0)
    checkpoints.touch(new, query="m", polled_at=era.at(6), matched=0)
    marks, _ = checkpoints.load_all([known, new], [])
    assert marks == {known: Checkpoint(known, 500, era.at(5), 0), new: Checkpoint(new, None, era.at(6), 0)}
    assert checkpoints.advance(new, 10, query="m", polled_at=era.at(7), matched=1) is True  # touched, never advanced


def test_rate_limit_marks_load_with_the_checkpoints(checkpoints: CheckpointStore, fresh: Fresh, era: Era) -> None:
    key, limited, free = fresh.name("search#q"), fresh.name("search"), fresh.name("mentions")
    checkpoints.advance(key, 7, query="q", polled_at=era.at(0), matched=1)
    checkpoints.set_rate_limited(limited, era.at(15))
    checkpoints.set_rate_limited(limited, era.at(30))  # the latest reset wins
    marks, limits = checkpoints.load_all([key], [limited, free])
    assert marks == {key: Checkpoint(key, 7, era.at(0), 1)}
    assert limits == {limited: era.at(30), free: None}


def test_a_burst_read_part_way_keeps_its_progress_until_advance_ends_it(checkpoints: CheckpointStore, fresh: Fresh,
                                                                       era: Era) -> None:
    key = fresh.name("search#q")
    checkpoints.advance(key, 100, query="圏外", polled_at=era.at(0), matched=0)
    # The first run read 900 < id <= 1000 of a burst above 100; the next runs read 100 < id < 900.
    assert checkpoints.save_progress(key, since_id=100, read_from=100, until_id=900, newest_id=1000, query="圏外",
                                     polled_at=era.at(1), matched=7) is True
    assert checkpoints.load_all([key], [])[0][key] == Checkpoint(key, 100, era.at(1), 7, 900, 1000)
    assert checkpoints.save_progress(key, since_id=100, read_from=100, until_id=950, newest_id=1000, query="圏外",
                                     polled_at=era.at(2), matched=1) is False  # never back up
    assert checkpoints.save_progress(key, since_id=100, read_from=100, until_id=900, newest_id=1000, query="圏外",
                                     polled_at=era.at(2), matched=1) is False  # the same write again
    assert checkpoints.save_progress(key, since_id=100, read_from=50, until_id=400, newest_id=1000, query="圏外",
                                     polled_at=era.at(2), matched=1) is False  # read from another checkpoint
    checkpoints.touch(key, query="圏外", polled_at=era.at(3), matched=0)  # a touch keeps the backlog
    assert checkpoints.save_progress(key, since_id=100, read_from=100, until_id=400, newest_id=1000, query="圏外",
                                     polled_at=era.at(4), matched=2) is True
    assert checkpoints.load_all([key], [])[0][key] == Checkpoint(key, 100, era.at(4), 2, 400, 1000)
    # The backlog is read: the checkpoint moves to the burst's newest id and the progress is gone.
    assert checkpoints.advance(key, 1000, query="圏外", polled_at=era.at(5), matched=3) is True
    assert checkpoints.load_all([key], [])[0][key] == Checkpoint(key, 1000, era.at(5), 3)


def test_progress_may_move_a_checkpoint_beyond_the_search_window_to_its_edge(checkpoints: CheckpointStore,
                                                                             fresh: Fresh, era: Era) -> None:
    key, new = fresh.name("search#q"), fresh.name("search#q")
    checkpoints.advance(key, 10, query="q", polled_at=era.at(0), matched=0)
    assert checkpoints.save_progress(key, since_id=500, read_from=10, until_id=800, newest_id=900, query="q",
                                     polled_at=era.at(1), matched=1) is True
    assert checkpoints.load_all([key], [])[0][key] == Checkpoint(key, 500, era.at(1), 1, 800, 900)
    assert checkpoints.save_progress(new, since_id=5, read_from=None, until_id=8, newest_id=9, query="q",
                                     polled_at=era.at(1), matched=0) is True  # a source never advanced
    assert checkpoints.load_all([new], [])[0][new] == Checkpoint(new, 5, era.at(1), 0, 8, 9)


# ---- InquiryStore ----


def _tweet(fresh: Fresh, at: datetime, *, author: str, conversation: str | None = None,
           text: str = "また圏外です") -> Tweet:
    tid = fresh.id()
    return Tweet(id=tid, text=text, author_id=author, created_at=at, conversation_id=conversation or tid,
                 author=User(author, "sakura"))


def _new(tweet: Tweet, match: MatchInfo = SIGNAL, pii_kinds: tuple[str, ...] = ()) -> NewInquiry:
    return NewInquiry(tweet=tweet, source="search", direct=False, match=match, sentiment="complaint",
                      pii_kinds=pii_kinds, history=[], context_before=[], context_after=[], context_ok=True,
                      received_at=tweet.created_at)


def _past(tweet: Tweet, topic: str = "signal", status: str = "new") -> dict[str, object]:
    return {"inquiry_id": tweet.id, "created_at": tweet.created_at, "topic": topic, "status": status,
            "outcome": None, "replies": 0}


def test_create_is_idempotent_on_the_tweet_id(listening: ListeningInquiries, fresh: Fresh, era: Era) -> None:
    author = fresh.id()
    t = _tweet(fresh, era.at(0), author=author)
    assert listening.store.exists(t.id) is False
    assert listening.store.create(_new(t)) is True
    assert listening.store.exists(t.id) is True
    assert listening.store.create(_new(t, BILLING)) is False  # a redelivery: the first one stays
    assert listening.store.history(author, era.end) == [_past(t, "signal")]


def test_find_thread_is_by_conversation_and_author(listening: ListeningInquiries, fresh: Fresh, era: Era) -> None:
    author, other = fresh.id(), fresh.id()
    t = _tweet(fresh, era.at(0), author=author)
    listening.store.create(_new(t))
    assert listening.store.find_thread(t.id, author) == t.id
    assert listening.store.find_thread(t.id, other) is None
    assert listening.store.find_thread(fresh.id(), author) is None


def test_a_customer_message_joins_once(listening: ListeningInquiries, fresh: Fresh, era: Era) -> None:
    author = fresh.id()
    first = _tweet(fresh, era.at(0), author=author)
    listening.store.create(_new(first))
    answer = _tweet(fresh, era.at(5), author=author, conversation=first.id, text="まだ直りません")
    assert listening.store.append_customer_message(first.id, answer, era.at(6)) is True
    assert listening.store.append_customer_message(first.id, answer, era.at(7)) is False  # redelivered
    assert listening.store.append_customer_message(first.id, first, era.at(7)) is False  # the opening tweet
    assert listening.store.exists(answer.id) is False  # part of the first inquiry, not one of its own
    assert listening.store.find_thread(first.id, author) == first.id


def test_a_message_for_an_unknown_inquiry_is_not_stored(listening: ListeningInquiries, fresh: Fresh,
                                                        era: Era) -> None:
    t = _tweet(fresh, era.at(0), author=fresh.id())
    assert listening.store.append_customer_message(fresh.id(), t, era.at(1)) is False
    assert listening.store.exists(t.id) is False


def test_a_customer_message_reopens_the_inquiry(listening: ListeningInquiries, fresh: Fresh, era: Era) -> None:
    author = fresh.id()
    first = _tweet(fresh, era.at(0), author=author)
    listening.store.create(_new(first))
    listening.set_status(first.id, "resolved")
    assert listening.store.history(author, era.end) == [_past(first, status="resolved")]
    answer = _tweet(fresh, era.at(60), author=author, conversation=first.id)
    assert listening.store.append_customer_message(first.id, answer, era.at(61)) is True
    assert listening.store.history(author, era.end) == [_past(first, status="new")]


def test_a_follow_up_joins_its_personal_data_to_the_inquiry(listening: ListeningInquiries, fresh: Fresh,
                                                           era: Era) -> None:
    author = fresh.id()
    first = _tweet(fresh, era.at(0), author=author)
    listening.store.create(_new(first))
    assert listening.personal_data(first.id) == ((), False)
    plain = _tweet(fresh, era.at(1), author=author, conversation=first.id, text="まだです")
    assert listening.store.append_customer_message(first.id, plain, era.at(2)) is True
    assert listening.personal_data(first.id) == ((), False)
    phone = _tweet(fresh, era.at(3), author=author, conversation=first.id, text="090-1234-5678です")
    assert listening.store.append_customer_message(first.id, phone, era.at(4), ("phone",)) is True
    assert listening.personal_data(first.id) == (("phone",), True)
    both = _tweet(fresh, era.at(5), author=author, conversation=first.id, text="メールと電話")
    assert listening.store.append_customer_message(first.id, both, era.at(6), ("phone", "email")) is True
    assert listening.personal_data(first.id) == (("email", "phone"), True)  # the union, sorted, once each
    assert listening.store.append_customer_message(first.id, both, era.at(7), ("address",)) is False  # redelivered
    assert listening.personal_data(first.id) == (("email", "phone"), True)
    assert listening.store.append_customer_message(fresh.id(), phone, era.at(8), ("phone",)) is False  # unknown


def test_a_follow_up_keeps_the_opening_tweets_personal_data(listening: ListeningInquiries, fresh: Fresh,
                                                            era: Era) -> None:
    author = fresh.id()
    first = _tweet(fresh, era.at(0), author=author)
    listening.store.create(_new(first, pii_kinds=("contract_number",)))
    assert listening.personal_data(first.id) == (("contract_number",), True)
    later = _tweet(fresh, era.at(1), author=author, conversation=first.id)
    assert listening.store.append_customer_message(first.id, later, era.at(2), ("email",)) is True
    assert listening.personal_data(first.id) == (("contract_number", "email"), True)


def test_history_is_the_authors_earlier_inquiries_newest_first(listening: ListeningInquiries, fresh: Fresh,
                                                               era: Era) -> None:
    author, other = fresh.id(), fresh.id()
    mine = [_tweet(fresh, era.at(m), author=author) for m in (0, 10, 20, 30)]
    for t in mine:
        listening.store.create(_new(t))
    listening.store.create(_new(_tweet(fresh, era.at(15), author=other)))
    assert listening.store.history(author, era.at(30)) == [_past(t) for t in (mine[2], mine[1], mine[0])]  # before
    assert listening.store.history(author, era.end, limit=2) == [_past(mine[3]), _past(mine[2])]
    assert listening.store.history(author, era.at(0)) == []
    assert listening.store.history(fresh.id(), era.end) == []


# ---- do-not-contact (the worker's record of an opt-out reply) ----


def test_an_opt_out_is_recorded_once_per_author(listening: ListeningInquiries, fresh: Fresh, era: Era) -> None:
    author, tweet, other = fresh.id(), fresh.id(), fresh.id()
    assert listening.store.record_do_not_contact(author, tweet, era.at(0), "opt_out") is True
    assert listening.store.record_do_not_contact(author, tweet, era.at(1), "opt_out") is False  # redelivered
    assert listening.store.record_do_not_contact(author, fresh.id(), era.at(2), "opt_out") is False  # still active
    assert listening.store.record_do_not_contact(other, fresh.id(), era.at(3), "opt_out") is True


def test_usage_counters_add_per_day_and_per_source_and_read_back(usage: UsageStore, fresh: Fresh) -> None:
    """The poller's read counters (listening/usage.py): one item a month, atomic adds, read back as added."""
    month = f"2{fresh.id()[-3:]}-11"  # a month no other test of the session uses
    key = f"search#{fresh.name('q')}"
    assert usage.get(month).reads == {} and usage.get(month).usd() == 0
    usage.add(month, "25", {"post_reads": 100, "user_reads": 40, "owned_reads": 3}, {key: 100}, {key: 7})
    usage.add(month, "25", {"post_reads": 20, "user_reads": 0, "owned_reads": 0}, {key: 20}, {})
    usage.add(month, "26", {"post_reads": 5}, {key: 5}, {key: 1})
    got = usage.get(month)
    assert got.days == {"25": {"post_reads": 120, "user_reads": 40, "owned_reads": 3}, "26": {"post_reads": 5}}
    assert got.reads == {key: 125} and got.matched == {key: 8}
    assert got.usd() == round(125 * 0.005 + 40 * 0.010 + 3 * 0.001, 4)
    # the desk's verdicts on what the query found (DeskService.resolve), beside the poller's counts
    usage.add_outcome(month, key, True)
    usage.add_outcome(month, key, False)
    got = usage.get(month)
    assert got.resolved == {key: 2} and got.answered == {key: 1} and got.reads == {key: 125}
