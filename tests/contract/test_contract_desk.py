"""The desk's ports: inquiries (InquiryRepo), reply reservations (ReservationStore), day tallies (Tally)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from activecare.desk.errors import BadRequest
from activecare.desk.models import DeskInquiry, DoNotContact, Event, ListQuery, Msg, Reservation
from activecare.desk.ports import TALLY_FIELDS, DoNotContactStore, InquiryRepo, ReservationStore, Tally
from tests.contract.support import DeskInquiries, Era, Fresh, next_era

CLAIM = timedelta(minutes=10)


def _inquiry(fresh: Fresh, era: Era, minute: float, **changes: Any) -> DeskInquiry:
    """An inquiry as the worker stores it: the opening tweet is its first message."""
    iid, author, at = fresh.id(), changes.pop("author_id", None) or fresh.id(), era.at(minute)
    text = "また圏外です。いつ直りますか"
    return replace(DeskInquiry(
        inquiry_id=iid, tweet_id=iid, author_id=author, text=text, created_at=at, account="signal", topic="signal",
        author_username="sakura", conversation_id=iid, department="network", sentiment="complaint",
        keywords=["圏外"], messages=[Msg(iid, author, text, at, "in")]), **changes)


def _seeded(desk: DeskInquiries, *inquiries: DeskInquiry) -> list[str]:
    for i in inquiries:
        desk.seed(i)
    return [i.inquiry_id for i in inquiries]


def _ids(rows: list[DeskInquiry]) -> list[str]:
    return [r.inquiry_id for r in rows]


def _pages(repo: InquiryRepo, query: ListQuery) -> list[list[str]]:
    """Every page of the list, following the cursors."""
    pages = []
    while True:
        rows, cursor = repo.page(query)
        pages.append(_ids(rows))
        if cursor is None:
            return pages
        assert len(pages) < 20, "the cursors do not end"
        query = replace(query, cursor=cursor)


def _reply(fresh: Fresh, inquiry: DeskInquiry, era: Era, minute: float, agent: str = "sato") -> Msg:
    return Msg(fresh.id(), "1000000000000000001", "ご不便をおかけしております", era.at(minute), "out", agent=agent,
               account=inquiry.account, in_reply_to=inquiry.tweet_id, mode="api")


def _all_at_once(n: int, attempt: Callable[[int], bool]) -> list[int]:
    """Run `attempt(i)` for i in range(n) on n threads released together; the i that got True."""
    barrier, won, errors = threading.Barrier(n), [], []

    def go(i: int) -> None:
        barrier.wait()
        try:
            if attempt(i):
                won.append(i)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    return won


# ---- InquiryRepo: reads ----


def test_get_returns_the_inquiry_as_stored(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    at = era.at(0)
    inquiry = _inquiry(fresh, era, 0, past_inquiries=2, claimed_by="sato", claim_expires_at=at + CLAIM,
                       events=[Event("claim", "sato", at + timedelta(minutes=1))], pii_kinds=["phone"],
                       direct=True, source="mention")
    desk.seed(inquiry)
    assert desk.repo.get(inquiry.inquiry_id) == inquiry
    assert desk.repo.get(fresh.id()) is None


def test_get_returns_a_copy(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    inquiry = _inquiry(fresh, era, 0)
    desk.seed(inquiry)
    got = desk.repo.get(inquiry.inquiry_id)
    assert got is not None
    got.status, got.claimed_by = "resolved", "sato"
    got.messages.append(_reply(fresh, inquiry, era, 1))
    got.events.append(Event("claim", "sato", era.at(1)))
    assert desk.repo.get(inquiry.inquiry_id) == inquiry


def test_a_page_is_one_status_oldest_first(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    late, early, answered, middle = _seeded(desk, _inquiry(fresh, era, 30), _inquiry(fresh, era, 10),
                                            _inquiry(fresh, era, 15, status="replied"), _inquiry(fresh, era, 20))
    # older_than the era's end: this test's inquiries only (the table holds every test's)
    rows, cursor = desk.repo.page(ListQuery(status="new", older_than=era.end))
    assert (_ids(rows), cursor) == ([early, middle, late], None)
    rows, cursor = desk.repo.page(ListQuery(status="replied", older_than=era.end))
    assert (_ids(rows), cursor) == ([answered], None)


def test_a_page_filters_by_topic_and_account(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    topic, other_topic, account = fresh.name("topic"), fresh.name("topic"), fresh.name("account")
    a, b, c, d = _seeded(desk, _inquiry(fresh, era, 0, topic=topic, account=account),
                         _inquiry(fresh, era, 1, topic=topic),
                         _inquiry(fresh, era, 2, topic=other_topic, account=account),
                         _inquiry(fresh, era, 3, topic=topic, account=account))
    assert desk.repo.page(ListQuery(topic=topic)) == desk.repo.page(ListQuery(topic=topic, older_than=era.end))
    assert _ids(desk.repo.page(ListQuery(topic=topic))[0]) == [a, b, d]
    assert _ids(desk.repo.page(ListQuery(account=account))[0]) == [a, c, d]
    assert _ids(desk.repo.page(ListQuery(topic=topic, account=account))[0]) == [a, d]
    assert desk.repo.page(ListQuery(topic=topic, status="resolved")) == ([], None)


def test_older_than_is_strict(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    a, b, _ = _seeded(desk, _inquiry(fresh, era, 0), _inquiry(fresh, era, 5), _inquiry(fresh, era, 10))
    assert _ids(desk.repo.page(ListQuery(older_than=era.at(10)))[0]) == [a, b]
    assert _ids(desk.repo.page(ListQuery(older_than=era.at(0)))[0]) == []


def test_cursors_page_through_the_list_once(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    ids = _seeded(desk, *(_inquiry(fresh, era, m) for m in range(5)))
    assert _pages(desk.repo, ListQuery(older_than=era.end, limit=2)) == [ids[0:2], ids[2:4], ids[4:5]]


def test_a_full_last_page_may_be_followed_by_one_empty_page(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    """DynamoDB returns a LastEvaluatedKey whenever a Query stops at its Limit, more items or not (moto only
    when there are more): after a full page the desk may get a cursor to an empty page, never more."""
    ids = _seeded(desk, *(_inquiry(fresh, era, m) for m in range(4)))
    assert _pages(desk.repo, ListQuery(older_than=era.end, limit=2)) in (
        [ids[0:2], ids[2:4]], [ids[0:2], ids[2:4], []])


def test_cursors_page_through_a_filtered_list(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    topic = fresh.name("topic")
    rows = [_inquiry(fresh, era, m, topic=topic if m % 2 else "signal") for m in range(10)]
    mine = [r.inquiry_id for r in rows if r.topic == topic]  # 5 of 10, every other one
    _seeded(desk, *rows)
    assert _pages(desk.repo, ListQuery(topic=topic, older_than=era.end, limit=2)) == [mine[0:2], mine[2:4],
                                                                                       mine[4:5]]


def test_a_cursor_continues_after_its_last_row_when_the_list_changed(desk: DeskInquiries, fresh: Fresh,
                                                                      era: Era) -> None:
    a, b, c = _seeded(desk, _inquiry(fresh, era, 10), _inquiry(fresh, era, 20), _inquiry(fresh, era, 30))
    query = ListQuery(older_than=era.end, limit=2)
    rows, cursor = desk.repo.page(query)
    assert _ids(rows) == [a, b] and cursor is not None
    _seeded(desk, _inquiry(fresh, era, 0))  # older than the whole first page: it does not shift the next one
    rows, cursor = desk.repo.page(replace(query, cursor=cursor))
    assert (_ids(rows), cursor) == ([c], None)


def test_a_cursor_the_list_did_not_give_is_a_bad_request(desk: DeskInquiries) -> None:
    with pytest.raises(BadRequest) as exc:
        desk.repo.page(ListQuery(cursor="not-a-cursor"))
    assert exc.value.code == "bad_cursor"


def test_by_author_is_the_authors_inquiries_oldest_first(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    author = fresh.id()
    late, early, middle = _seeded(desk, _inquiry(fresh, era, 30, author_id=author),
                                  _inquiry(fresh, era, 10, author_id=author, status="resolved"),
                                  _inquiry(fresh, era, 20, author_id=author, status="replied"))
    _seeded(desk, _inquiry(fresh, era, 15))
    assert _ids(desk.repo.by_author(author)) == [early, middle, late]
    assert _ids(desk.repo.by_author(author, limit=2)) == [early, middle]
    assert desk.repo.by_author(fresh.id()) == []


# ---- InquiryRepo: claims ----


def test_a_live_claim_holds_off_other_agents(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    now = era.at(1)
    assert desk.repo.claim(iid, "sato", now, now + CLAIM) is True
    assert desk.repo.claim(iid, "suzuki", now + CLAIM - timedelta(seconds=1), now + 2 * CLAIM) is False
    got = desk.repo.get(iid)
    assert got is not None and (got.claimed_by, got.claim_expires_at) == ("sato", now + CLAIM)


def test_the_holder_renews_its_claim(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    now = era.at(1)
    desk.repo.claim(iid, "sato", now, now + CLAIM)
    assert desk.repo.claim(iid, "sato", now + timedelta(minutes=5), now + 2 * CLAIM) is True
    got = desk.repo.get(iid)
    assert got is not None and (got.claimed_by, got.claim_expires_at) == ("sato", now + 2 * CLAIM)


def test_an_expired_claim_can_be_taken_over(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    now = era.at(1)
    desk.repo.claim(iid, "sato", now, now + CLAIM)
    assert desk.repo.claim(iid, "suzuki", now + CLAIM, now + 2 * CLAIM) is True  # expired at its end
    got = desk.repo.get(iid)
    assert got is not None and (got.claimed_by, got.claim_expires_at) == ("suzuki", now + 2 * CLAIM)
    assert desk.repo.release(iid, "sato") is False  # the first agent's claim is gone


def test_claiming_an_unknown_inquiry_fails(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    unknown = fresh.id()
    assert desk.repo.claim(unknown, "sato", era.at(0), era.at(10)) is False
    assert desk.repo.get(unknown) is None


def test_one_of_many_racing_claims_wins(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    now = era.at(1)
    won = _all_at_once(6, lambda i: desk.repo.claim(iid, f"agent{i}", now, now + CLAIM))
    assert len(won) == 1
    got = desk.repo.get(iid)
    assert got is not None and got.claimed_by == f"agent{won[0]}"


def test_only_the_holder_releases(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    now = era.at(1)
    desk.repo.claim(iid, "sato", now, now + CLAIM)
    assert desk.repo.release(iid, "suzuki") is False
    assert desk.repo.release(iid, "sato") is True
    got = desk.repo.get(iid)
    assert got is not None and (got.claimed_by, got.claim_expires_at) == (None, None)
    assert desk.repo.release(iid, "sato") is False
    assert desk.repo.release(fresh.id(), "sato") is False
    assert desk.repo.claim(iid, "suzuki", now, now + CLAIM) is True


def test_a_supervisor_reassigns_whoever_holds_it(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    now = era.at(1)
    desk.repo.claim(iid, "sato", now, now + CLAIM)
    assert desk.repo.reassign(iid, "suzuki", now + CLAIM) is True
    got = desk.repo.get(iid)
    assert got is not None and got.holder(now) == "suzuki"
    assert desk.repo.claim(iid, "sato", now, now + CLAIM) is False
    assert desk.repo.reassign(fresh.id(), "suzuki", now + CLAIM) is False


# ---- InquiryRepo: replies, events, status ----


def test_a_reply_is_recorded_once_and_the_first_response_is_kept(desk: DeskInquiries, fresh: Fresh,
                                                                 era: Era) -> None:
    inquiry = _inquiry(fresh, era, 0)
    desk.seed(inquiry)
    first, second = _reply(fresh, inquiry, era, 5, agent="sato"), _reply(fresh, inquiry, era, 9, agent="suzuki")
    assert desk.repo.add_reply(inquiry.inquiry_id, first, era.at(6)) is True
    assert desk.repo.add_reply(inquiry.inquiry_id, first, era.at(7)) is False  # a retry: already there
    assert desk.repo.add_reply(inquiry.inquiry_id, second, era.at(10)) is True
    got = desk.repo.get(inquiry.inquiry_id)
    assert got is not None
    assert got.messages == [*inquiry.messages, first, second]
    assert got.events == [Event("reply", "sato", era.at(6), "api", first.tweet_id),
                          Event("reply", "suzuki", era.at(10), "api", second.tweet_id)]
    assert got.status == "replied"
    assert (got.first_response_at, got.first_response_by) == (era.at(6), "sato")
    assert (got.last_reply_at, got.replied_by) == (era.at(10), "suzuki")


def test_a_reply_never_reuses_a_tweet_of_the_conversation(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    inquiry = _inquiry(fresh, era, 0)
    desk.seed(inquiry)
    echo = replace(_reply(fresh, inquiry, era, 5), tweet_id=inquiry.tweet_id)
    assert desk.repo.add_reply(inquiry.inquiry_id, echo, era.at(6)) is False
    assert desk.repo.get(inquiry.inquiry_id) == inquiry


def test_a_reply_to_an_unknown_inquiry_is_not_recorded(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    unknown = _inquiry(fresh, era, 0)  # never stored
    assert desk.repo.add_reply(unknown.inquiry_id, _reply(fresh, unknown, era, 5), era.at(6)) is False
    assert desk.repo.get(unknown.inquiry_id) is None


def test_events_are_appended_in_order(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    events = [Event("claim", "sato", era.at(1)), Event("prepared", "sato", era.at(2), "manual", fresh.id()),
              Event("refused", "sato", era.at(3), "personal_data")]
    for e in events:
        desk.repo.add_event(iid, e)
    got = desk.repo.get(iid)
    assert got is not None and got.events == events
    unknown = fresh.id()
    desk.repo.add_event(unknown, events[0])  # nothing to add it to: no error, nothing created
    assert desk.repo.get(unknown) is None


def test_resolving_records_the_outcome_and_drops_the_claim(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0, status="replied"))
    desk.repo.claim(iid, "sato", era.at(1), era.at(11))
    resolve = Event("resolve", "sato", era.at(5), "answered")
    assert desk.repo.set_status(iid, "resolved", resolve, outcome="answered", expect=("new", "replied")) is True
    got = desk.repo.get(iid)
    assert got is not None
    assert (got.status, got.outcome, got.resolved_at, got.resolved_by) == ("resolved", "answered", era.at(5), "sato")
    assert (got.claimed_by, got.claim_expires_at) == (None, None)
    assert got.events == [resolve]


def test_a_status_change_from_an_unexpected_status_does_nothing(desk: DeskInquiries, fresh: Fresh,
                                                                era: Era) -> None:
    inquiry = _inquiry(fresh, era, 0)
    desk.seed(inquiry)
    event = Event("resolve", "sato", era.at(5))
    assert desk.repo.set_status(inquiry.inquiry_id, "new", event, expect=("resolved",)) is False
    assert desk.repo.get(inquiry.inquiry_id) == inquiry
    assert desk.repo.set_status(fresh.id(), "resolved", event, outcome="answered") is False


def test_reopening_clears_the_outcome(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    (iid,) = _seeded(desk, _inquiry(fresh, era, 0))
    resolve, reopen = Event("resolve", "sato", era.at(5)), Event("reopen", "suzuki", era.at(9))
    desk.repo.set_status(iid, "resolved", resolve, outcome="email_form")
    assert desk.repo.set_status(iid, "new", reopen, expect=("resolved",)) is True
    got = desk.repo.get(iid)
    assert got is not None
    assert (got.status, got.outcome) == ("new", None)
    assert (got.resolved_at, got.resolved_by) == (era.at(5), "sato")  # when it was last resolved, kept
    assert got.events == [resolve, reopen]


# ---- ReservationStore ----


def _reservation(fresh: Fresh, era: Era, **changes: Any) -> Reservation:
    return replace(Reservation(token=fresh.name("token"), status="pending", inquiry_id=fresh.id(),
                               text_hash="ab12", text="ご確認ください", agent="sato", account="signal",
                               in_reply_to=fresh.id(), mode="api", reserved_at=era.at(0)), **changes)


def test_a_token_is_reserved_once(reservations: ReservationStore, fresh: Fresh, era: Era) -> None:
    res = _reservation(fresh, era)
    assert reservations.get(res.token) is None
    assert reservations.reserve(res) is True
    assert reservations.reserve(replace(res, text="別の文面", reserved_at=era.at(1))) is False
    assert reservations.get(res.token) == res


def test_one_of_many_racing_reservations_wins(reservations: ReservationStore, fresh: Fresh, era: Era) -> None:
    res = _reservation(fresh, era)
    won = _all_at_once(6, lambda i: reservations.reserve(replace(res, agent=f"agent{i}")))
    assert len(won) == 1
    got = reservations.get(res.token)
    assert got is not None and got.agent == f"agent{won[0]}"


def test_a_reservation_is_updated_as_the_reply_goes_out(reservations: ReservationStore, fresh: Fresh,
                                                        era: Era) -> None:
    res = _reservation(fresh, era, mode="manual")
    reservations.reserve(res)
    reservations.update(res.token, status="prepared", intent_url="https://x.com/intent/post?text=x")
    assert reservations.get(res.token) == replace(res, status="prepared", intent_url="https://x.com/intent/post?text=x")
    tweet_id = fresh.id()
    reservations.update(res.token, status="posted", tweet_id=tweet_id, posted_at=era.at(3))
    assert reservations.get(res.token) == replace(res, status="posted", intent_url="https://x.com/intent/post?text=x",
                                                  tweet_id=tweet_id, posted_at=era.at(3))


def test_updating_an_unknown_token_creates_nothing(reservations: ReservationStore, fresh: Fresh) -> None:
    token = fresh.name("token")
    with contextlib.suppress(Exception):  # the adapters raise (each its own error): an update needs a reservation
        reservations.update(token, status="posted")
    assert reservations.get(token) is None


def test_only_a_pending_reservation_is_dropped(reservations: ReservationStore, fresh: Fresh, era: Era) -> None:
    pending, prepared, posted = (_reservation(fresh, era), _reservation(fresh, era, status="prepared"),
                                 _reservation(fresh, era, status="posted", tweet_id=fresh.id(), posted_at=era.at(1)))
    for res in (pending, prepared, posted):
        reservations.reserve(res)
        reservations.drop(res.token)
    assert reservations.get(pending.token) is None
    assert reservations.get(prepared.token) == prepared
    assert reservations.get(posted.token) == posted
    reservations.drop(fresh.name("token"))  # unknown: nothing to do
    assert reservations.get(fresh.name("token")) is None
    again = replace(pending, text="書き直した文面", reserved_at=era.at(2))
    assert reservations.reserve(again) is True  # a dropped token can be reserved again, once
    assert reservations.reserve(replace(pending, agent="someone-else")) is False
    assert reservations.get(pending.token) == again
    reservations.update(pending.token, status="posted", tweet_id="1", posted_at=era.at(3))
    assert reservations.get(pending.token) == replace(again, status="posted", tweet_id="1", posted_at=era.at(3))


def test_a_dropped_reservation_reads_as_free_and_takes_no_update(reservations: ReservationStore, fresh: Fresh,
                                                                 era: Era) -> None:
    """drop marks the reservation (the desk's role has no DeleteItem): it must read as absent, and an update of
    it fails as an update of an unknown token does, so a dropped reply cannot turn into a posted one."""
    res = _reservation(fresh, era)
    reservations.reserve(res)
    reservations.drop(res.token)
    reservations.drop(res.token)  # twice: still nothing to do
    assert reservations.get(res.token) is None
    with contextlib.suppress(Exception):
        reservations.update(res.token, status="posted")
    assert reservations.get(res.token) is None


# ---- Tally ----


def _row(**counts: object) -> dict[str, object]:
    return {**dict.fromkeys(TALLY_FIELDS, 0), "first_response_s": [], **counts}


def test_an_untouched_day_reads_empty(tally: Tally, era: Era) -> None:
    assert tally.read(era.day) == {}


def test_counts_add_up_per_agent_and_for_the_desk(tally: Tally, era: Era) -> None:
    tally.add(era.day, "sato", {"replies": 1, "api_posts": 1}, first_response_s=125.0)
    tally.add(era.day, "suzuki", {"replies": 2, "manual_posts": 2, "posts_with_url": 1})
    tally.add(era.day, "sato", {"resolved": 1, "refused_personal_data": 1}, first_response_s=30.5)
    assert tally.read(era.day) == {
        "": _row(replies=3, api_posts=1, manual_posts=2, posts_with_url=1, resolved=1, refused_personal_data=1,
                 first_response_s=[125.0, 30.5]),
        "sato": _row(replies=1, api_posts=1, resolved=1, refused_personal_data=1, first_response_s=[125.0, 30.5]),
        "suzuki": _row(replies=2, manual_posts=2, posts_with_url=1),
    }


def test_first_response_times_are_kept_to_a_tenth_of_a_second(tally: Tally, era: Era) -> None:
    tally.add(era.day, "sato", {"replies": 1}, first_response_s=12.345)
    assert tally.read(era.day)["sato"]["first_response_s"] == [12.3]


def test_an_agent_with_nothing_counted_has_no_row(tally: Tally, era: Era) -> None:
    tally.add(era.day, "sato", {"replies": 1})
    tally.add(era.day, "suzuki", {"replies": 0})
    assert tally.read(era.day) == {"": _row(replies=1), "sato": _row(replies=1)}


def test_days_are_counted_apart(tally: Tally, era: Era) -> None:
    other_day = next_era().day
    tally.add(era.day, "sato", {"replies": 1})
    tally.add(other_day, "sato", {"replies": 5})
    assert tally.read(era.day)[""]["replies"] == 1
    assert tally.read(other_day)[""]["replies"] == 5


# ---- DoNotContactStore ----


def test_a_do_not_contact_record_reads_back_as_written(do_not_contact: DoNotContactStore, fresh: Fresh,
                                                       era: Era) -> None:
    author, tweet, other = fresh.id(), fresh.id(), fresh.id()
    assert do_not_contact.get(author) is None
    assert do_not_contact.record(author, tweet, era.at(0), "blocked") is True
    assert do_not_contact.record(author, fresh.id(), era.at(1), "opt_out") is False  # the first record stands
    assert do_not_contact.get(author) == DoNotContact(author, era.at(0), "blocked", tweet)
    assert do_not_contact.get_many([author, other, author]) == {author: DoNotContact(author, era.at(0), "blocked",
                                                                                       tweet)}
    assert do_not_contact.get_many([]) == {}


def test_a_lift_is_kept_and_a_new_opt_out_records_again(do_not_contact: DoNotContactStore, fresh: Fresh,
                                                        era: Era) -> None:
    author, tweet = fresh.id(), fresh.id()
    assert do_not_contact.lift(author, era.at(0), "yamada", "理由") is False  # nothing to lift
    do_not_contact.record(author, tweet, era.at(0), "opt_out")
    assert do_not_contact.lift(author, era.at(1), "yamada", "お客様のご依頼") is True
    assert do_not_contact.lift(author, era.at(2), "yamada", "もう一度") is False  # already lifted
    lifted = do_not_contact.get(author)
    assert lifted == DoNotContact(author, era.at(0), "opt_out", tweet, era.at(1), "yamada", "お客様のご依頼")
    assert not lifted.active
    assert do_not_contact.record(author, tweet, era.at(3), "opt_out") is False  # the same tweet, redelivered
    again = fresh.id()
    assert do_not_contact.record(author, again, era.at(4), "opt_out") is True
    assert do_not_contact.get(author) == DoNotContact(author, era.at(4), "opt_out", again)


def test_set_context_stores_the_tweets_read_on_open_once(desk: DeskInquiries, fresh: Fresh, era: Era) -> None:
    from activecare.desk.models import ContextPost

    inquiry = _inquiry(fresh, era, 0, context_status="pending")
    desk.seed(inquiry)
    before = [ContextPost(fresh.id(), "電車なう", era.at(-5))]
    after = [ContextPost(fresh.id(), "やっと繋がった", era.at(3))]
    assert desk.repo.set_context(inquiry.inquiry_id, before, after)
    stored = desk.repo.get(inquiry.inquiry_id)
    assert stored is not None and stored.context_status == "ok"
    assert stored.context_before == before and stored.context_after == after
    assert not desk.repo.set_context(inquiry.inquiry_id, [], [])  # no longer pending: kept as read
    assert desk.repo.get(inquiry.inquiry_id) == stored
    assert not desk.repo.set_context(fresh.id(), before, after)  # unknown inquiry
