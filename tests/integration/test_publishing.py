"""Scheduled posts over real HTTP: the publisher handler / Publisher with pynamodb against moto
server and tweepy against the fake X API. Greeting first and once, caps under concurrent and
retried runs, service hours, a crash between post and record, the calendar's validation."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.cli import main as cli
from activecare.clock import JST, ManualClock, iso_z, parse_iso
from activecare.publishing.calendar import default_calendar
from activecare.publishing.dynamo import DynamoPublishStore
from activecare.publishing.models import PENDING, POSTED, PostRecord
from activecare.publishing.service import Publisher
from activecare.twitter.port import DuplicateContent
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack
from publisher import app as publisher_app

EVENTS = Path(__file__).resolve().parents[2] / "events"
DAY = "2026-11-25"
IDS = {a.user_id: a.key for a in DEFAULT_ACCOUNTS}


def at(hh: int, mm: int, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=JST)


def imported(stack: LocalStack) -> Publisher:
    pub = stack.runtime.publisher()
    pub.import_calendar(default_calendar(), "content_calendar.csv")
    return pub


def scheduled(clock: ManualClock) -> dict[str, object]:
    """The handler invoked as EventBridge Scheduler invokes it."""
    return publisher_app.handler({"scheduled_time": iso_z(clock())}, context_for("publisher"))


def ours(stack: LocalStack, account: str | None = None) -> list[dict[str, object]]:
    """Posts on X by the support accounts (through the API), oldest first."""
    found = [t for t in stack.twitter.posted if t["author_id"] in IDS and (account is None or
                                                                          IDS[t["author_id"]] == account)]
    return sorted(found, key=lambda t: int(str(t["id"])))


def test_greeting_first_and_once_per_day(stack: LocalStack, clock: ManualClock) -> None:
    imported(stack)
    clock.set(at(8, 55))
    assert scheduled(clock)["in_hours"] is False and ours(stack) == []
    clock.set(at(9, 0))
    event = json.loads((EVENTS / "publisher_schedule.json").read_text(encoding="utf-8"))
    assert parse_iso(event["scheduled_time"]) == clock()  # the sample event is the 09:00 JST run
    report = publisher_app.handler(event, context_for("publisher"))
    assert report["outcomes"] == {"posted": 3}
    scheduled(clock)  # a retried / duplicate invocation of the same minute posts nothing
    for acc in DEFAULT_ACCOUNTS:
        (greeting,) = ours(stack, acc.key)
        assert str(greeting["text"]).startswith("おはようございます") and "11月25日（水）" in str(greeting["text"])
    while clock() < at(10, 0):  # the morning's runs: the greeting stays the first and only one
        clock.advance(timedelta(minutes=5))
        scheduled(clock)
    for acc in DEFAULT_ACCOUNTS:
        texts = [str(t["text"]) for t in ours(stack, acc.key)]
        assert len(texts) >= 2 and sum(t.startswith("おはようございます") for t in texts) == 1
        assert texts[0].startswith("おはようございます")
    clock.set(at(9, 0, day=26))  # the next day opens with its own greeting
    scheduled(clock)
    greetings = [t for t in ours(stack, "general") if str(t["text"]).startswith("おはようございます")]
    assert len(greetings) == 2 and "11月26日（木）" in str(greetings[1]["text"])


def dynamodb_atomicity(stack: LocalStack) -> None:
    """DynamoDB applies each conditional write atomically; moto server handles requests on threads
    with no lock, so two conditional updates of one item can both pass their check (seen here: 4 of
    10 racing reserves under a cap of 3). Serialize the server's requests, so the race exercises
    DynamoDB's semantics, not moto's. Server side only: the clients are untouched."""
    server = stack.moto._server
    app, lock = server.app, threading.Lock()

    def serialized(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            return list(app(environ, start_response))

    server.app = serialized


def test_caps_hold_under_concurrent_and_retried_runs(stack: LocalStack, clock: ManualClock) -> None:
    imported(stack)
    dynamodb_atomicity(stack)
    clock.set(at(19, 55))  # every slot of the day is due at once
    store = DynamoPublishStore()
    runs = [Publisher(accounts=DEFAULT_ACCOUNTS, store=store, poster_for=stack.runtime.poster,
                      reader=stack.runtime.twitter, clock=clock, max_per_run=100) for _ in range(4)]
    errors: list[BaseException] = []

    def go(pub: Publisher) -> None:
        try:
            pub.run()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(p,)) for p in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    clock.advance(timedelta(minutes=2))  # leases of interrupted slots end; a retried run finishes the day
    runs[0].run()
    runs[1].run()
    cal = default_calendar()
    for acc in DEFAULT_ACCOUNTS:
        texts = [str(t["text"]) for t in ours(stack, acc.key)]
        plan = runs[0].plan(acc.key, DAY)
        assert sorted(texts) == sorted(s.text for s in plan)  # every slot exactly once
        counts = runs[0].summary(DAY)[acc.key]
        assert all(row.posted == sum(s.category == c for s in plan) <= cal.caps[c]
                   for c, row in counts.items())

    # The cap itself, raced directly: 10 distinct slots of one category, cap 3.
    now = clock()
    results: list[str] = []
    def reserve(i: int) -> None:
        rec = PostRecord("general", "2026-11-27", f"extra-{i}", "coffee", f"休憩{i}", PENDING, now, now)
        results.append(store.reserve(rec, 3))
    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["capped"] * 7 + ["reserved"] * 3
    assert store.counts("general", "2026-11-27", ["coffee"]) == {"coffee": 3}


def test_nothing_is_posted_outside_service_hours(stack: LocalStack, clock: ManualClock) -> None:
    imported(stack)
    for moment in (at(8, 59), at(20, 0), at(23, 30), at(6, 0, day=26)):
        clock.set(moment)
        report = scheduled(clock)
        assert report["in_hours"] is False and report["outcomes"] == {}
    assert ours(stack) == []
    clock.set(at(19, 55))
    Publisher(accounts=DEFAULT_ACCOUNTS[2:], store=DynamoPublishStore(), poster_for=stack.runtime.poster,
              reader=stack.runtime.twitter, clock=clock, max_per_run=100).run()
    clock.set(at(20, 5))
    scheduled(clock)
    posted = ours(stack)
    assert posted and all(at(9, 0) <= stack.twitter.created_at(str(t["id"])) < at(20, 0) for t in posted)


class CrashAfterPost(DynamoPublishStore):
    """Our adapter, killed at a step boundary: X accepted the post, the record was not written."""

    crashes = 1

    def finish(self, key: str, tweet_id: str, posted_at: datetime) -> bool:
        if self.crashes:
            self.crashes -= 1
            raise RuntimeError("Lambda timed out between post and record")
        return super().finish(key, tweet_id, posted_at)


def test_a_crash_between_post_and_record_does_not_double_post(stack: LocalStack, clock: ManualClock) -> None:
    imported(stack)
    store = CrashAfterPost()
    pub = Publisher(accounts=DEFAULT_ACCOUNTS[:1], store=store, poster_for=stack.runtime.poster,
                    reader=stack.runtime.twitter, clock=clock)
    clock.set(at(9, 0))
    with pytest.raises(RuntimeError):
        pub.run()
    (greeting,) = ours(stack, "general")
    key = f"post#general#{DAY}#{pub.plan('general', DAY)[0].post_id}"
    assert store.get(key).status == PENDING  # type: ignore[union-attr]
    clock.advance(timedelta(seconds=20))  # the scheduler's retry: the crashed run's lease still holds
    assert pub.run().outcomes == {"busy": 1}
    clock.advance(timedelta(minutes=5))  # the next run reconciles from the timeline, posts nothing new
    report = pub.run()
    assert report.outcomes.get("reconciled") == 1
    assert [t["id"] for t in ours(stack, "general")][:1] == [greeting["id"]]
    assert sum(str(t["text"]) == greeting["text"] for t in ours(stack, "general")) == 1
    rec = store.get(key)
    assert rec is not None and rec.status == POSTED and rec.tweet_id == greeting["id"]
    assert store.counts("general", DAY, ["greeting"]) == {"greeting": 1}  # counted once


def test_an_invalid_calendar_is_rejected_with_line_and_reason(
        stack: LocalStack, clock: ManualClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "content_calendar.csv"
    good.write_text(default_calendar().csv_text, encoding="utf-8")
    assert cli(["posts", "import", str(good)]) == 0
    lines = default_calendar().csv_text.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("post,faq-bill,faq"))
    lines[n] = lines[n].replace("https://www.example.co.jp/support/faq/bill-check", "")  # the FAQ loses its URL
    lines.insert(n + 1, "post,tip-x,tipz,general,,,,今日のひとこと")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert cli(["posts", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"bad.csv:{n + 1}: post 'faq-bill': a faq post must link its answer page" in err
    assert f"bad.csv:{n + 2}: post 'tip-x': unknown category 'tipz'" in err
    assert cli(["posts", "validate", str(bad)]) == 2
    out = tmp_path / "export.csv"  # the table still holds the good calendar
    assert cli(["posts", "export", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == good.read_text(encoding="utf-8")
    clock.set(at(9, 0))
    assert cli(["posts", "plan", "--account", "wifi", "--day", DAY, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["slots"][0]["category"] == "greeting" and plan["slots"][0]["status"] == "planned"


def test_the_fake_refuses_duplicate_content_per_account_for_24_hours(stack: LocalStack, clock: ManualClock) -> None:
    text = "【よくあるご質問】APN設定はこちら https://www.example.co.jp/support/faq/apn-settings\n#Faq_SB"
    general, wifi = stack.runtime.poster("general"), stack.runtime.poster("wifi")
    general.post(text)
    clock.advance(timedelta(hours=23, minutes=59))
    with pytest.raises(DuplicateContent):
        general.post(text)
    wifi.post(text)  # another account may say the same
    clock.advance(timedelta(minutes=2))
    general.post(text)  # 24 h later it is allowed again
