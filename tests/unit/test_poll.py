"""The poller's ordering rules, against in-memory ports (no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.listening.memory import MemoryCheckpoints, MemoryQueue
from activecare.listening.models import MatchInfo
from activecare.listening.poll import Poller
from activecare.twitter.models import Page, Tweet, User
from activecare.twitter.port import RateLimited, TwitterUnavailable
from activecare.twitter.snowflake import snowflake

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 10:00 JST
START = int(snowflake(NOW - timedelta(minutes=2)))  # a checkpoint from an earlier run


@dataclass(frozen=True)
class Hit:
    topic: str = "signal"
    department: str = "network"
    account: str = "signal"
    keywords: tuple[str, ...] = ("圏外",)


class KeywordMatcher:
    def match(self, text: str) -> Hit | None:
        return Hit() if "圏外" in text else None


@dataclass(frozen=True)
class Q:
    key: str
    query: str


def tweet(n: int, text: str = "また圏外だ…", author: str = "900") -> Tweet:
    return Tweet(id=snowflake(NOW - timedelta(seconds=100 - n), n), text=text, author_id=author,
                 created_at=NOW, author=User(author, f"user{author}"))


class ScriptedTwitter:
    """Answers search with scripted pages (or raises scripted errors), mentions with nothing."""

    def __init__(self, script: list[Page | Exception]) -> None:
        self.script = script
        self.calls: list[dict[str, object]] = []

    def search_recent(self, query: str, **kw: object) -> Page:
        self.calls.append({"query": query, **kw})
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def mentions(self, user_id: str, **kw: object) -> Page:
        return Page()


def make_poller(twitter: ScriptedTwitter, queue: MemoryQueue, marks: MemoryCheckpoints,
                queries: list[Q] | None = None, budget: int = 30) -> Poller:
    return Poller(
        twitter=twitter, queue=queue, checkpoints=marks, matcher=KeywordMatcher(),
        queries=queries or [Q("q1", "圏外 lang:ja")], accounts=DEFAULT_ACCOUNTS, clock=lambda: NOW,
        search_budget=budget,
        mention_topics={a.key: MatchInfo(topic="general", department="care", account=a.key)
                        for a in DEFAULT_ACCOUNTS},
    )


def page(tweets: list[Tweet], next_token: str | None = None) -> Page:
    ids = [t.id for t in tweets]
    return Page(tweets=tweets, newest_id=max(ids, key=int) if ids else None,
                oldest_id=min(ids, key=int) if ids else None, next_token=next_token, result_count=len(ids))


def test_all_pages_are_queued_then_checkpoint_is_first_pages_newest() -> None:
    t = [tweet(i) for i in range(5)]
    twitter = ScriptedTwitter([page(t[3:], "p2"), page(t[:3])])
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    report = make_poller(twitter, queue, marks).run()
    assert sorted(json.loads(b)["tweet"]["id"] for b in queue.bodies) == sorted(x.id for x in t)
    assert marks.items["search#q1"].since_id == int(t[4].id)
    assert twitter.calls[1]["next_token"] == "p2"
    assert report.enqueued == 5 and report.requests == 2 + 3  # two search pages, three mention calls


def test_first_poll_looks_back_a_little_and_remembers_where_it_started() -> None:
    marks = MemoryCheckpoints()
    make_poller(ScriptedTwitter([TwitterUnavailable("503")]), MemoryQueue(), marks).run()
    start = snowflake(NOW - timedelta(minutes=5))
    assert marks.items["search#q1"].since_id == int(start)
    # Much later, the source still starts from there: the failed first poll lost nothing.
    twitter = ScriptedTwitter([page([])])
    make_poller(twitter, MemoryQueue(), marks).run()
    assert twitter.calls[0]["since_id"] == start


def test_rate_limit_mid_pagination_keeps_checkpoint_and_blocks_until_reset() -> None:
    t = [tweet(i) for i in range(4)]
    reset = NOW + timedelta(minutes=7)
    twitter = ScriptedTwitter([page(t[2:], "p2"), RateLimited("search", reset)])
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    marks.advance("search#q1", START, query="", polled_at=NOW, matched=0)
    report = make_poller(twitter, queue, marks).run()
    assert marks.items["search#q1"].since_id == START
    assert queue.bodies == []
    assert marks.limits["search"] == reset
    assert report.failures and "rate limited" in report.failures[0]
    # The next run, still before the reset, does not call the API at all.
    again = make_poller(ScriptedTwitter([]), queue, marks).run()
    assert again.requests == 3 and again.sources_deferred == 1  # mentions only


@pytest.mark.parametrize("error", [TwitterUnavailable("503"), TwitterUnavailable("malformed body")])
def test_unavailable_skips_the_source_without_moving_it(error: Exception) -> None:
    marks = MemoryCheckpoints()
    marks.advance("search#q1", START, query="", polled_at=NOW, matched=0)
    report = make_poller(ScriptedTwitter([error]), MemoryQueue(), marks).run()
    assert marks.items["search#q1"].since_id == START
    assert report.sources_done == 3  # the three mention sources


def test_enqueue_failure_keeps_checkpoint_so_the_next_run_rereads() -> None:
    t = [tweet(1)]
    marks = MemoryCheckpoints()
    marks.advance("search#q1", START, query="", polled_at=NOW, matched=0)
    make_poller(ScriptedTwitter([page(t)]), MemoryQueue(fail_times=1), marks).run()
    assert marks.items["search#q1"].since_id == START
    queue = MemoryQueue()
    make_poller(ScriptedTwitter([page(t)]), queue, marks).run()
    assert len(queue.bodies) == 1 and marks.items["search#q1"].since_id == int(t[0].id)


def test_local_rematch_drops_api_false_positives_and_own_tweets() -> None:
    own = DEFAULT_ACCOUNTS[1].user_id
    t = [tweet(1), tweet(2, text="今日はいい天気"), tweet(3, author=own)]
    queue = MemoryQueue()
    report = make_poller(ScriptedTwitter([page(t)]), queue, MemoryCheckpoints()).run()
    assert [json.loads(b)["tweet"]["id"] for b in queue.bodies] == [t[0].id]
    assert report.fetched == 3 and report.matched == 1 and report.own == 1


def test_small_budget_rotates_stalest_queries_first() -> None:
    queries = [Q(f"q{i}", f"圏外 {i}") for i in range(3)]
    marks = MemoryCheckpoints()
    for i, q in enumerate(queries):
        marks.touch(f"search#{q.key}", query=q.query, polled_at=NOW - timedelta(minutes=10 - i), matched=0)
    twitter = ScriptedTwitter([page([]), page([])])
    report = make_poller(twitter, MemoryQueue(), marks, queries, budget=2).run()
    assert [c["query"] for c in twitter.calls] == ["圏外 0", "圏外 1"]
    assert report.sources_deferred == 1
