"""The publisher over in-memory fakes: greeting first, caps, crash recovery, hours, duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import JST, ManualClock
from activecare.publishing.calendar import default_calendar, load_calendar
from activecare.publishing.memory import InMemoryPublishStore
from activecare.publishing.models import CAPPED, DUPLICATE, POSTED
from activecare.publishing.service import CalendarMissing, Publisher
from activecare.twitter.memory import InMemoryTwitter
from activecare.twitter.models import Page, Tweet, User
from activecare.twitter.port import TwitterUnavailable
from activecare.twitter.snowflake import snowflake

DAY = "2026-11-25"


class World:
    """One in-memory X account per support account; the reader sees every account's timeline."""

    def __init__(self, clock: ManualClock) -> None:
        self.x = {a.key: InMemoryTwitter(User(a.user_id, a.username), clock=clock) for a in DEFAULT_ACCOUNTS}
        self.by_id = {a.user_id: a.key for a in DEFAULT_ACCOUNTS}

    def user_tweets(self, user_id: str, **kw: object) -> Page:
        return self.x[self.by_id[user_id]].user_tweets(user_id, **kw)  # type: ignore[arg-type]

    def posted(self, account: str) -> list[Tweet]:
        return self.x[account].posted


class CrashOnFinish(InMemoryPublishStore):
    """The function dies after X accepted the post, before the record says so."""

    def __init__(self) -> None:
        super().__init__()
        self.crashes = 0

    def finish(self, key: str, tweet_id: str, posted_at: datetime) -> bool:
        if self.crashes:
            self.crashes -= 1
            raise RuntimeError("killed between post and record")
        return super().finish(key, tweet_id, posted_at)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 8, 55, tzinfo=JST))


def make(clock: ManualClock, store: InMemoryPublishStore | None = None,
         calendar_text: str | None = None, **kw: object) -> tuple[Publisher, World, InMemoryPublishStore]:
    world = World(clock)
    store = store or InMemoryPublishStore()
    pub = Publisher(accounts=DEFAULT_ACCOUNTS, store=store, poster_for=lambda k: world.x[k], reader=world,  # type: ignore[arg-type]
                    clock=clock, **kw)  # type: ignore[arg-type]
    cal = load_calendar(calendar_text) if calendar_text else default_calendar()
    pub.import_calendar(cal, "content_calendar.csv")
    return pub, world, store


def run_day(pub: Publisher, clock: ManualClock, until: tuple[int, int] = (20, 30)) -> None:
    while (clock().hour, clock().minute) < until:
        pub.run()
        clock.advance(timedelta(minutes=5))


def test_nothing_before_nine_then_the_greeting_first_and_once(clock: ManualClock) -> None:
    pub, world, _store = make(clock)
    assert pub.run().in_hours is False
    assert all(not world.posted(a.key) for a in DEFAULT_ACCOUNTS)
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=JST))
    pub.run()
    pub.run()  # a retried run posts nothing again
    for acc in DEFAULT_ACCOUNTS:
        (greeting,) = world.posted(acc.key)
        assert greeting.text.startswith("おはようございます") and "11月25日（水）" in greeting.text


def test_a_whole_day_keeps_caps_hours_and_plan(clock: ManualClock) -> None:
    pub, world, _store = make(clock)
    run_day(pub, clock)
    cal = default_calendar()
    for acc in DEFAULT_ACCOUNTS:
        posts = world.posted(acc.key)
        assert posts[0].text.startswith("おはようございます")
        assert all(9 <= p.created_at.astimezone(JST).hour < 20 for p in posts)
        assert len({p.text for p in posts}) == len(posts)
        plan = pub.plan(acc.key, DAY)
        assert len(posts) == len(plan)  # every slot, once
        summary = pub.summary(DAY)[acc.key]
        assert all(row.posted <= row.cap for row in summary.values())
        assert summary["faq"].posted == cal.category("faq").cap


def test_nothing_else_posts_until_the_greeting_is_recorded(clock: ManualClock) -> None:
    pub, world, _store = make(clock)
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=JST))
    world.x["general"].fail_next("post", TwitterUnavailable("503"), times=30)
    clock.set(datetime(2026, 11, 25, 11, 0, tzinfo=JST))  # a late first run: many slots are due
    for _ in range(3):
        report = pub.run()
        clock.advance(timedelta(minutes=5))
    assert world.posted("general") == []
    assert report.outcomes.get("waiting_for_greeting", 0) == 0  # it stops at the greeting: unavailable
    assert world.posted("signal")[0].text.startswith("おはようございます")


def crashed_after_the_greeting(clock: ManualClock) -> tuple[Publisher, World, CrashOnFinish]:
    """09:00: the greeting reached X, then the function died before recording it."""
    store = CrashOnFinish()
    pub, world, _ = make(clock, store)
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=JST))
    store.crashes = 1
    with pytest.raises(RuntimeError):
        pub.run()
    return pub, world, store


def test_a_crash_between_post_and_record_does_not_double_post(clock: ManualClock) -> None:
    pub, world, store = crashed_after_the_greeting(clock)
    assert len(world.posted("general")) == 1
    clock.advance(timedelta(seconds=30))  # EventBridge retries at once: the lease still holds
    report = pub.run()
    assert report.outcomes.get("busy") == 1 and len(world.posted("general")) == 1
    clock.advance(timedelta(minutes=5))
    report = pub.run()
    assert report.outcomes.get("reconciled") == 1
    assert len(world.posted("general")) == 1
    rec = store.get(f"post#general#{DAY}#{pub.plan('general', DAY)[0].post_id}")
    assert rec is not None and rec.status == POSTED and rec.tweet_id == world.posted("general")[0].id
    assert store.counts("general", DAY, ["greeting"]) == {"greeting": 1}


def test_caps_hold_when_the_calendar_changes_during_the_day(clock: ManualClock) -> None:
    # each account its own posts (X prohibits identical content across accounts)
    accounts = [a.key for a in DEFAULT_ACCOUNTS]
    text = ("kind,id,category,accounts,cap,hashtag,at,text\ncategory,greeting,,,1,,,\n"
            "category,faq,,,2,#Faq_SB,,\n"
            + "".join(f"post,hi-{a},greeting,{a},,,,おはようございます{{date}}（{a}）\n" for a in accounts)
            + "".join(f"post,faq-{a}-{i},faq,{a},,,10:0{i},{a}の質問{i}の答え https://www.example.co.jp/support/faq/{i}\n"
                      for a in accounts for i in range(2)))
    pub, world, store = make(clock, calendar_text=text)
    clock.set(datetime(2026, 11, 25, 10, 5, tzinfo=JST))
    pub.run()
    assert len(world.posted("wifi")) == 3
    edited = text.replace("post,faq-", "post,faq-new-").replace("質問", "別の質問")
    pub.import_calendar(load_calendar(edited), "edited.csv")
    clock.advance(timedelta(minutes=5))
    report = pub.run()
    assert report.outcomes["capped"] == 6  # 2 new slots x 3 accounts, all over the cap of 2
    assert len(world.posted("wifi")) == 3
    assert store.get(f"post#wifi#{DAY}#faq-new-wifi-0").status == CAPPED  # type: ignore[union-attr]
    assert pub.summary(DAY)["wifi"]["faq"].model_dump() == {"posted": 2, "cap": 2}


def test_duplicate_content_from_elsewhere_ends_the_slot_and_returns_the_cap(clock: ManualClock) -> None:
    pub, world, store = make(clock)
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=JST))
    greeting = pub.plan("wifi", DAY)[0]
    acc = DEFAULT_ACCOUNTS[2]
    earlier = datetime(2026, 11, 25, 7, 0, tzinfo=JST)  # someone posted it by hand at 7:00
    world.x["wifi"].add(Tweet(snowflake(earlier), greeting.text, acc.user_id, earlier))
    report = pub.run()
    assert report.outcomes["duplicate"] == 1
    assert store.get(f"post#wifi#{DAY}#{greeting.post_id}").status == DUPLICATE  # type: ignore[union-attr]
    assert store.counts("wifi", DAY, ["greeting"]) == {"greeting": 0}


def test_a_late_run_catches_up_gently(clock: ManualClock) -> None:
    pub, world, _store = make(clock, max_per_run=2)
    clock.set(datetime(2026, 11, 25, 13, 0, tzinfo=JST))
    pub.run()
    assert len(world.posted("general")) == 2


def test_without_a_calendar_the_run_says_what_to_do(clock: ManualClock) -> None:
    world = World(clock)
    pub = Publisher(accounts=DEFAULT_ACCOUNTS, store=InMemoryPublishStore(), poster_for=lambda k: world.x[k],  # type: ignore[arg-type]
                    reader=world, clock=clock)  # type: ignore[arg-type]
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=JST))
    with pytest.raises(CalendarMissing, match="activecare posts import"):
        pub.run()


def test_the_handler_rejects_a_malformed_event() -> None:
    import json
    from pathlib import Path

    from activecare.events import scheduled_time

    events = Path(__file__).resolve().parents[2] / "events"
    assert scheduled_time(json.loads((events / "publisher_schedule.json").read_text(encoding="utf-8")), "publisher")
    with pytest.raises(ValueError, match="scheduled_time is not an ISO-8601 time"):
        scheduled_time(json.loads((events / "publisher_malformed.json").read_text(encoding="utf-8")), "publisher")
    with pytest.raises(ValueError, match="must be a JSON object"):
        scheduled_time(["scheduled_time"], "publisher")


def test_the_cli_previews_a_plan_from_a_file_and_validates(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from activecare.cli import main

    path = tmp_path / "cal.csv"
    path.write_text(default_calendar().csv_text, encoding="utf-8")
    assert main(["posts", "validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith("ok: 91 posts")  # one account a post (was 43, 36 of them *)
    assert main(["posts", "plan", "--account", "signal", "--day", DAY, "--file", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("09:00  greeting") and "faq 12/12" in out
    path.write_text(default_calendar().csv_text.replace("category,press,,,1,", "category,press,,,-1,"),
                    encoding="utf-8")
    assert main(["posts", "validate", str(path)]) == 2
    assert "cal.csv:" in capsys.readouterr().err


def test_a_timeline_outage_during_reconciliation_waits_for_the_next_run(clock: ManualClock) -> None:
    pub, world, _store = crashed_after_the_greeting(clock)
    clock.advance(timedelta(minutes=5))
    world.x["general"].fail_next("user_tweets", TwitterUnavailable("503"))
    report = pub.run()
    assert report.outcomes.get("unavailable") == 1 and len(world.posted("general")) == 1
    clock.advance(timedelta(minutes=5))
    assert pub.run().outcomes.get("reconciled") == 1
    assert len(world.posted("general")) == 1



def test_the_publisher_keeps_the_stacks_service_hours(clock: ManualClock) -> None:
    from activecare.hours import ServiceHours

    pub, world, _ = make(clock, hours=ServiceHours.parse("10:00-20:00"))
    clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=JST))  # the 09:00 greeting is due, but the desk opens at 10
    assert not pub.run().in_hours and all(world.posted(a.key) == [] for a in DEFAULT_ACCOUNTS)
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=JST))
    assert pub.run().in_hours and all(world.posted(a.key) for a in DEFAULT_ACCOUNTS)  # greeting first, at opening
