"""The author's tweets before and after, read when an agent opens the inquiry (desk/context.py): stored on the
inquiry once read, cached per author for the UTC day, retried on the next open when X fails."""

from __future__ import annotations

from datetime import timedelta

from activecare.twitter.models import Tweet, User
from activecare.twitter.port import TwitterUnavailable
from activecare.twitter.snowflake import snowflake
from tests.unit.test_desk_service import World

AUTHOR = "1300000000000000001"


def _own(w: World, minutes_ago: int, text: str) -> Tweet:
    at = w.clock() - timedelta(minutes=minutes_ago)
    t = Tweet(snowflake(at, 900 + minutes_ago), text, AUTHOR, at, author=User(AUTHOR, "user001"))
    w.reader.add(t)
    return t


def _pending(w: World, text: str, minutes_ago: int):  # type: ignore[no-untyped-def]
    inq = w.inquiry(text, author=AUTHOR, minutes_ago=minutes_ago)
    w.repo.items[inq.inquiry_id].context_status = "pending"  # as the worker now stores it
    return inq


def test_context_is_read_on_open_stored_and_not_read_again() -> None:
    w = World()
    before = _own(w, 30, "電車なう")
    inq = _pending(w, "また圏外", 20)
    after = _own(w, 10, "やっと繋がった")
    view = w.desk.show(inq.inquiry_id)
    assert view.context.status == "ok"
    assert [p.id for p in view.context.before] == [before.id]
    assert [p.id for p in view.context.after] == [after.id]
    stored = w.repo.items[inq.inquiry_id]
    assert stored.context_status == "ok" and [p.id for p in stored.context_after] == [after.id]
    assert w.desk.context.requests == 2
    w.desk.show(inq.inquiry_id)  # stored: no second read
    assert w.desk.context.requests == 2 and w.reader.calls["user_tweets"] == 2


def test_a_second_inquiry_of_the_author_the_same_utc_day_uses_the_cache() -> None:
    w = World()
    for m in range(60, 40, -2):
        _own(w, m, f"日常 {m}")
    first = _pending(w, "また圏外", 39)
    for m in range(38, 20, -2):
        _own(w, m, f"日常 {m}")
    second = _pending(w, "まだ圏外", 37)
    w.desk.show(first.inquiry_id)
    assert w.desk.context.requests == 2
    view = w.desk.show(second.inquiry_id)  # inside what was read, five tweets each side: no request
    assert w.desk.context.requests == 2 and w.desk.context.hits == 1
    assert len(view.context.before) == 5 and len(view.context.after) == 5


def test_x_unavailable_leaves_the_context_pending_and_the_next_open_reads_it() -> None:
    w = World()
    before = _own(w, 30, "電車なう")
    inq = _pending(w, "また圏外", 20)
    w.reader.fail_next("user_tweets", TwitterUnavailable("HTTP 503"))
    assert w.desk.show(inq.inquiry_id).context.status == "unavailable"
    assert w.repo.items[inq.inquiry_id].context_status == "pending"
    view = w.desk.show(inq.inquiry_id)
    assert view.context.status == "ok" and [p.id for p in view.context.before] == [before.id]


def test_only_tweets_within_three_hours_of_the_inquiry_are_read() -> None:
    """X bills each post a timeline returns: yesterday's tweets say nothing about this trouble and cost money."""
    w = World()
    old = _own(w, 60 * 20, "昨日のランチ")  # twenty hours earlier: outside the window
    near = _own(w, 60 * 2, "電車なう")
    inq = _pending(w, "また圏外", 60)
    view = w.desk.show(inq.inquiry_id)
    assert [p.id for p in view.context.before] == [near.id]
    assert old.id not in {p.id for p in [*view.context.before, *view.context.after]}


def test_the_cache_counts_only_what_lies_within_the_window_of_the_new_inquiry() -> None:
    """Reads around a morning and an evening inquiry leave five cached tweets on each side of a midday one, but
    all more than three hours away: they cannot be shown, so the midday one reads its own."""
    w = World()
    for m in range(600, 560, -4):
        _own(w, m, f"朝 {m}")
    morning = _pending(w, "また圏外", 581)
    lunch = _own(w, 360, "昼休み、電波弱い")
    midday = _pending(w, "昼も圏外", 350)
    for m in range(120, 76, -4):
        _own(w, m, f"夕方 {m}")
    evening = _pending(w, "夜も圏外", 101)
    w.desk.show(morning.inquiry_id)
    w.desk.show(evening.inquiry_id)
    assert w.desk.context.requests == 4
    view = w.desk.show(midday.inquiry_id)
    assert w.desk.context.requests == 6 and w.desk.context.hits == 0  # read for itself, not a hit showing nothing
    assert [p.id for p in view.context.before] == [lunch.id]
