"""The listening spine end to end over real HTTP: fake X API -> poller handler ->
SQS (moto) -> worker handler -> DynamoDB (moto). Nothing lost, nothing doubled."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import ManualClock
from activecare.listening.dynamo import DynamoCheckpoints
from activecare.storage.models import State
from infra.local_stack import LocalStack
from tests.integration.spine import all_tweet_ids, customer, drain, inquiries, minute, poll, tweet

SIGNAL, WIFI = DEFAULT_ACCOUNTS[1], DEFAULT_ACCOUNTS[2]
TROUBLE = [
    "また圏外😇 駅のホームで電波が悪すぎる",
    "家のWi-Fiが繋がらない…ルーター再起動しても無理",
    "今月の請求が高すぎる、料金プラン見直したい",
    "スマホの画面割れた、故障受付ってどこ？",
    "解約したいのにショップの待ち時間2時間ってなに",
]
_user_ids = itertools.count(1)
NOISE = ["今日のランチ美味しかった", "明日は雨らしい☔", "新作ゲーム楽しみ"]


def catch_up(stack: LocalStack, clock: ManualClock) -> list[dict[str, Any]]:
    """Enough minutes for every query to run once (their poll reports): with ambiguous keywords grouped with
    their context there are more packed queries than one minute's search budget (Pro: 30); the stalest go first."""
    queries = len(stack.runtime.listening()[2])
    return [minute(stack, clock)[0] for _ in range(-(-queries // stack.settings.searches_per_run))]


def seed_minute(stack: LocalStack, clock: ManualClock, n: int, offset_s: int = 10,
                texts: list[str] = TROUBLE) -> list[str]:
    """Post n trouble tweets (and some noise) during the coming minute; return the trouble ids."""
    at = clock() + timedelta(seconds=offset_s)
    users = [customer(str(1200000000000000000 + next(_user_ids)), f"user{i}") for i in range(n)]
    stack.twitter.add_users(users)
    trouble = [tweet(at + timedelta(milliseconds=i), texts[i % len(texts)], users[i]["id"]) for i in range(n)]
    noise = [tweet(at, NOISE[i % len(NOISE)], users[i]["id"]) for i in range(min(n, 3))]
    stack.twitter.add_tweets(trouble + noise)
    return [t["id"] for t in trouble]


def test_every_matching_tweet_becomes_exactly_one_inquiry_across_polls(stack: LocalStack,
                                                                        clock: ManualClock) -> None:
    expected: list[str] = []
    for _ in range(4):
        expected += seed_minute(stack, clock, 7)
        minute(stack, clock)
    minute(stack, clock)  # a quiet minute changes nothing
    stored = inquiries()
    assert sorted(stored) == sorted(expected)
    assert len(all_tweet_ids()) == len(set(all_tweet_ids()))
    topics = {stored[i].topic for i in expected}
    assert {"signal", "wifi", "billing"} <= topics
    # each keeps the key of the query that found it: the desk's verdict goes back to that query's yield
    keys = {q.key for q in stack.runtime.listening()[2]}
    assert all(stored[i].source == "search" and stored[i].source_key in keys for i in expected)
    from activecare.clock import month_of
    from activecare.listening.dynamo import DynamoUsage

    stack.runtime.desk().resolve(expected[0], "sato", "answered")
    usage = DynamoUsage().get(month_of(clock()))
    source = f"search#{stored[expected[0]].source_key}"
    assert usage.resolved == {source: 1} == usage.answered and usage.reads[source] > 0  # the same key as its reads


def test_pagination_reads_every_page(stack: LocalStack, clock: ManualClock) -> None:
    expected = seed_minute(stack, clock, 120, texts=["また圏外…"])  # two pages of one query
    queries = stack.runtime.listening()[2]
    if len(queries) > stack.settings.searches_per_run:
        reports = catch_up(stack, clock) + catch_up(stack, clock)  # the backlog takes its turn in the rotation
        # With ambiguous keywords grouped there are more queries than a minute's search budget (Pro: 30), so the
        # fairness rule leaves each source one page a run and the rest is read as a backlog over the next runs.
        assert any(r["backlogged"] for r in reports)
    else:  # fewer queries than a minute's budget (the default): both pages in the same run
        minute(stack, clock)
        assert stack.twitter.stats.by_endpoint["search"] > len(queries)  # a query took a second page
    assert sorted(inquiries()) == sorted(expected)


@pytest.mark.parametrize("kind", ["429", "5xx", "malformed", "truncated", "slow"])
def test_api_faults_lose_nothing_and_double_nothing(stack: LocalStack, clock: ManualClock, kind: str) -> None:
    first = seed_minute(stack, clock, 110, texts=["また圏外…", *TROUBLE])  # two pages for the 圏外 query
    stack.twitter.faults.inject("search", kind, times=2, seconds=0.2)
    report, _ = minute(stack, clock)
    if kind != "slow":
        assert report["failures"], report
    stack.twitter.faults.clear()
    second = seed_minute(stack, clock, 5)
    stack.twitter.reset_limits()
    clock.advance(timedelta(minutes=15))  # past any rate-limit reset
    catch_up(stack, clock)
    assert sorted(inquiries()) == sorted(first + second)
    assert len(all_tweet_ids()) == len(set(all_tweet_ids()))


def test_rate_limit_is_respected_until_reset(stack: LocalStack, clock: ManualClock) -> None:
    seed_minute(stack, clock, 3)
    stack.twitter.faults.inject("search", "429", times=1)
    minute(stack, clock)
    calls = stack.twitter.stats.by_endpoint["search"]
    minute(stack, clock)  # still inside the window: no search requests at all
    assert stack.twitter.stats.by_endpoint["search"] == calls
    assert State.get("ratelimit#search").reset_at is not None


def test_crash_between_enqueue_and_checkpoint_rereads_without_duplicates(
        stack: LocalStack, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    minute(stack, clock)  # every source has its checkpoint
    expected = seed_minute(stack, clock, 12)
    crash = RuntimeError("Lambda killed after SendMessageBatch, before the checkpoint write")

    def crashing_advance(self: DynamoCheckpoints, *a: object, **kw: object) -> bool:
        raise crash

    with monkeypatch.context() as m:
        m.setattr(DynamoCheckpoints, "advance", crashing_advance)
        clock.advance(timedelta(minutes=1))
        with pytest.raises(RuntimeError):
            poll(stack)
    assert stack.queue_depth() > 0  # messages were queued before the crash
    drain(stack)
    catch_up(stack, clock)  # the next runs re-read the same tweets
    assert sorted(inquiries()) == sorted(expected)
    assert len(all_tweet_ids()) == len(set(all_tweet_ids()))


def test_duplicate_sqs_deliveries_make_one_inquiry(stack: LocalStack, clock: ManualClock) -> None:
    expected = seed_minute(stack, clock, 4)
    clock.advance(timedelta(minutes=1))
    poll(stack)
    queued = stack.queue_depth()
    received = stack.sqs.receive_message(QueueUrl=stack.settings.queue_url, MaxNumberOfMessages=10)["Messages"]
    for m in received:  # the same bodies delivered again, as at-least-once delivery allows
        stack.sqs.send_message(QueueUrl=stack.settings.queue_url, MessageBody=m["Body"])
        stack.sqs.change_message_visibility(QueueUrl=stack.settings.queue_url,
                                            ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    report = drain(stack)
    assert report.succeeded == queued + len(received)
    assert sorted(inquiries()) == sorted(expected)


def test_poison_message_goes_to_dlq_and_spares_its_batch(stack: LocalStack, clock: ManualClock) -> None:
    expected = seed_minute(stack, clock, 3)
    clock.advance(timedelta(minutes=1))
    poll(stack)
    stack.sqs.send_message(QueueUrl=stack.settings.queue_url,
                           MessageBody=json.dumps({"v": 1, "source": "search", "tweet": {"id": "x"}}))
    report = drain(stack)
    assert report.failed == 3  # received maxReceiveCount times, then redriven
    assert sorted(inquiries()) == sorted(expected)
    assert stack.queue_depth() == 0
    assert stack.queue_depth(stack.dlq_url) == 1


def test_mentions_thread_replies_and_echo_suppression(stack: LocalStack, clock: ManualClock) -> None:
    stack.twitter.add_users([customer("1300000000000000001", "hanako")])
    at = clock() + timedelta(seconds=5)
    question = tweet(at, f"@{WIFI.username} 光回線のランプが赤く点滅してます", "1300000000000000001",
                     entities={"mentions": [{"start": 0, "end": 16, "username": WIFI.username, "id": WIFI.user_id}]})
    stack.twitter.add_tweets([question])
    minute(stack, clock)
    stored = inquiries()
    assert list(stored) == [question["id"]]
    assert stored[question["id"]].direct and stored[question["id"]].account == "wifi"

    ours = tweet(clock() + timedelta(seconds=5), "@hanako ご不便をおかけしております。ルーターの再起動をお試しください",
                 WIFI.user_id, conversation_id=question["id"], in_reply_to_user_id="1300000000000000001",
                 referenced_tweets=[{"type": "replied_to", "id": question["id"]}])
    answer = tweet(clock() + timedelta(seconds=40), f"@{WIFI.username} 再起動したら直りました！ありがとう",
                   "1300000000000000001", conversation_id=question["id"], in_reply_to_user_id=WIFI.user_id,
                   referenced_tweets=[{"type": "replied_to", "id": ours["id"]}])
    stack.twitter.add_tweets([ours, answer])
    minute(stack, clock)
    stored = inquiries()
    assert list(stored) == [question["id"]]  # our reply made nothing; the answer joined
    assert [m.tweet_id for m in stored[question["id"]].messages] == [question["id"], answer["id"]]


def test_returning_customer_gets_history_and_context(stack: LocalStack, clock: ManualClock) -> None:
    stack.twitter.add_users([customer("1300000000000000002", "taro")])
    t1 = tweet(clock() + timedelta(seconds=5), "圏外になった…", "1300000000000000002")
    chatter = tweet(clock() + timedelta(minutes=3), "コンビニなう", "1300000000000000002")
    t2 = tweet(clock() + timedelta(minutes=5, seconds=5), "またまた圏外、電波悪い", "1300000000000000002")
    stack.twitter.add_tweets([t1, chatter, t2])
    for _ in range(7):
        minute(stack, clock)
    stored = inquiries()
    assert [h.inquiry_id for h in stored[t2["id"]].history] == [t1["id"]]
    # The worker reads no context (most tweets found are never opened); an agent opening the inquiry does, through
    # the desk, over HTTP to the fake X, and the inquiry keeps it.
    assert stored[t2["id"]].context_status == "pending" and stored[t2["id"]].context_before == []
    with stack.aws_meter.channel("desk"):
        view = stack.runtime.desk().show(t2["id"])
    assert view.context.status == "ok"
    assert [p.id for p in view.context.before] == [t1["id"], chatter["id"]]
    stored = inquiries()
    assert [c.id for c in stored[t2["id"]].context_before] == [t1["id"], chatter["id"]]
    assert stored[t2["id"]].context_status == "ok"
