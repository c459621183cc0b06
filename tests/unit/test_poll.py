"""The poller's ordering rules, against in-memory ports (no I/O)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import ManualClock
from activecare.listening.memory import MemoryCheckpoints, MemoryQueue
from activecare.listening.models import MatchInfo
from activecare.listening.poll import Poller, PollReport
from activecare.listening.ports import Checkpoint
from activecare.twitter.memory import InMemoryTwitter
from activecare.twitter.models import Page, Tweet, User
from activecare.twitter.port import RateLimited, TwitterRejected, TwitterUnavailable
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

    def opts_out(self, text: str) -> bool:
        return "返信不要" in text


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


# ---- bursts, the search window, rejected queries (issue #14) ----


def _burst_world(clock: ManualClock, count: int, text: str, *, seconds: int = 60,
                 sequence_base: int = 0) -> list[Tweet]:
    """`count` tweets spread over the `seconds` before the clock's now, all matching `text`."""
    now = clock()
    out = []
    for n in range(count):
        at = now - timedelta(seconds=seconds) + timedelta(seconds=seconds * n / count)
        out.append(Tweet(id=snowflake(at, (sequence_base + n) % 4096, 3), text=f"{text} {n}", author_id="900",
                         created_at=at, author=User("900", "user900")))
    return out


def _run_minutes(twitter: InMemoryTwitter, clock: ManualClock, queue: MemoryQueue, marks: MemoryCheckpoints,
                 queries: list[Q], budget: int, minutes: int) -> list[PollReport]:
    reports = []
    for _ in range(minutes):
        clock.advance(timedelta(minutes=1))
        poller = Poller(twitter=twitter, queue=queue, checkpoints=marks, matcher=KeywordMatcher(), queries=queries,
                        accounts=DEFAULT_ACCOUNTS, clock=clock, search_budget=budget,
                        mention_topics={a.key: MatchInfo(topic="general", department="care", account=a.key)
                                        for a in DEFAULT_ACCOUNTS})
        reports.append(poller.run())
    return reports


def _queued(queue: MemoryQueue) -> Counter[str]:
    return Counter(json.loads(b)["tweet"]["id"] for b in queue.bodies)


def test_a_burst_longer_than_one_run_is_queued_over_the_next_runs_once_each() -> None:
    """Regression (issue #14): 1,500 tweets since the checkpoint (15 pages, more than a run's share) were
    abandoned every run and the checkpoint never moved: 0 queued over 5 runs."""
    clock = ManualClock(NOW)
    twitter = InMemoryTwitter(clock=clock)
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    queries = [Q("q1", "圏外")]
    _run_minutes(twitter, clock, queue, marks, queries, 30, 1)  # the sources start
    clock.advance(timedelta(minutes=30))  # a 30-minute outage: the burst waits on X
    burst = _burst_world(clock, 1500, "また圏外", seconds=30 * 60)
    twitter.add(burst)
    first = _run_minutes(twitter, clock, queue, marks, queries, 30, 1)[0]
    assert first.enqueued == 1000 and first.backlogged == ["search#q1"]
    mark = marks.items["search#q1"]
    assert mark.backlog_newest == int(burst[-1].id) and mark.backlog_until is not None
    # While the backlog is read, new tweets arrive; they are read after it, from its first page's newest id.
    later = _burst_world(clock, 40, "まだ圏外", seconds=50, sequence_base=2000)
    twitter.add(later)
    reports = _run_minutes(twitter, clock, queue, marks, queries, 30, 3)
    queued = _queued(queue)
    assert set(queued) == {t.id for t in [*burst, *later]}
    assert max(queued.values()) == 1  # nothing queued twice
    assert reports[0].backlogged == [] and reports[0].enqueued == 500  # the backlog's rest
    assert reports[1].enqueued == 40 and reports[2].enqueued == 0
    assert marks.items["search#q1"] == Checkpoint("search#q1", int(later[-1].id), clock() - timedelta(minutes=1), 40)


def test_a_backlog_takes_its_turn_and_the_other_queries_keep_theirs() -> None:
    """Basic: 4 searches a minute over 6 queries. A 10,000-tweet burst on one query used to hold the front of the
    rotation (always stalest); now it reads a page a turn and every query is polled every 2 minutes."""
    clock = ManualClock(NOW)
    twitter = InMemoryTwitter(clock=clock)
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    queries = [Q("q0", "圏外")] + [Q(f"q{i}", f"圏外{i}号") for i in range(1, 6)]
    _run_minutes(twitter, clock, queue, marks, queries, 4, 2)
    burst = _burst_world(clock, 10_000, "また圏外")
    quiet = [_burst_world(clock, 3, f"圏外{i}号", seconds=30, sequence_base=3000 + 10 * i) for i in range(1, 6)]
    twitter.add(burst, *quiet)
    polled: dict[str, list[int]] = {q.key: [] for q in queries}
    minutes = 0
    while minutes < 400 and (minutes < 2 or marks.items["search#q0"].backlog_until is not None):
        before = dict(marks.items)
        _run_minutes(twitter, clock, queue, marks, queries, 4, 1)
        minutes += 1
        for q in queries:
            if marks.items[f"search#{q.key}"] != before.get(f"search#{q.key}"):
                polled[q.key].append(minutes)
    assert marks.items["search#q0"].backlog_until is None and minutes < 400
    queued = _queued(queue)
    # q0 matches every quiet tweet too ("圏外" is in "圏外1号"): each tweet once per query that finds it.
    assert {t.id for t in burst} <= set(queued)
    assert all(queued[t.id] == 1 for t in burst)
    for q in queries[1:]:
        gaps = [b - a for a, b in zip([0, *polled[q.key]], polled[q.key], strict=False)]
        assert polled[q.key] and max(gaps) <= 3, (q.key, polled[q.key][:10])


def test_a_rejected_query_is_named_and_the_others_go_on() -> None:
    twitter = ScriptedTwitter([TwitterRejected(400, "Invalid query"), page([tweet(1)])])
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    for key in ("search#q1", "search#q2"):
        marks.advance(key, START, query="", polled_at=NOW, matched=0)
    report = make_poller(twitter, queue, marks, [Q("q1", "(圏外"), Q("q2", "圏外")]).run()
    assert report.rejected == ["search#q1"]
    assert len(queue.bodies) == 1 and marks.items["search#q1"].since_id == START


def test_a_week_offline_is_reported_with_the_gap() -> None:
    marks = MemoryCheckpoints()
    marks.advance("search#q1", int(snowflake(NOW - timedelta(days=9))), query="", polled_at=NOW, matched=0)
    report = make_poller(ScriptedTwitter([page([])]), MemoryQueue(), marks).run()
    assert report.beyond_window == ["search#q1"]
    gap = report.beyond_window_minutes
    assert 2 * 24 * 60 <= gap <= 2 * 24 * 60 + 10  # 9 days offline, 7 readable (less the 5 minutes' margin)


@pytest.mark.parametrize("newest_days", [8, 1])
def test_a_backlog_that_fell_out_of_the_search_window_ends_and_reading_goes_on(newest_days: int) -> None:
    """A week offline in the middle of a backlog: what is left of it is beyond X's reach; the source reads on from
    the burst's newest id (or the window's edge, whichever is later) and the backlog is over."""
    key = "search#q1"
    old, until = int(snowflake(NOW - timedelta(days=9))), int(snowflake(NOW - timedelta(days=8, hours=12)))
    newest = int(snowflake(NOW - timedelta(days=newest_days)))
    marks = MemoryCheckpoints()
    marks.items[key] = Checkpoint(key, old, NOW - timedelta(days=8), 0, until, newest)
    t = [tweet(1)]
    twitter = ScriptedTwitter([page(t)])
    report = make_poller(twitter, MemoryQueue(), marks).run()
    edge = int(snowflake(NOW - timedelta(days=7) + timedelta(minutes=5)))
    assert twitter.calls[0]["since_id"] == str(max(newest, edge)) and twitter.calls[0]["until_id"] is None
    assert marks.items[key] == Checkpoint(key, int(t[0].id), NOW, 1)
    assert report.beyond_window == [key]


class NamelessSearch(ScriptedTwitter):
    """Search answers without user objects, as the gateway asks X for none; `lookup_users` knows the people."""

    def __init__(self, script: list[Page | Exception], people: dict[str, User],
                 lookup_error: Exception | None = None) -> None:
        super().__init__(script)
        self.people = people
        self.lookups: list[list[str]] = []
        self.lookup_error = lookup_error

    def lookup_users(self, user_ids: list[str]) -> list[User]:
        self.lookups.append(list(user_ids))
        if self.lookup_error:
            raise self.lookup_error
        return [self.people[u] for u in user_ids if u in self.people]


def _nameless(n: int, text: str, author: str) -> Tweet:
    return Tweet(id=snowflake(NOW - timedelta(seconds=100 - n), n), text=text, author_id=author, created_at=NOW)


def test_only_the_matched_tweets_authors_are_looked_up_once_per_run() -> None:
    people = {a: User(a, f"user{a}", f"名前{a}") for a in ("901", "902", "903")}
    t = [_nameless(1, "また圏外だ…", "901"), _nameless(2, "今日はいい天気", "902"), _nameless(3, "家で圏外", "903"),
         _nameless(4, "まだ圏外", "901")]
    twitter, queue = NamelessSearch([page(t)], people), MemoryQueue()
    report = make_poller(twitter, queue, MemoryCheckpoints()).run()
    bodies = sorted((json.loads(b)["tweet"] for b in queue.bodies), key=lambda b: b["id"])
    assert [(b["author_id"], b["author_username"], b["author_name"]) for b in bodies] == [
        ("901", "user901", "名前901"), ("903", "user903", "名前903"), ("901", "user901", "名前901")]
    assert twitter.lookups == [["901", "903"]]  # the noise tweet's author is never asked for (nor billed)
    assert report.user_lookups == 1 and report.users_read == 2


def test_a_failed_author_lookup_queues_the_tweets_without_names() -> None:
    t = [_nameless(1, "また圏外だ…", "901")]
    twitter = NamelessSearch([page(t)], {}, lookup_error=RateLimited("users", None))
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    report = make_poller(twitter, queue, marks).run()
    assert [json.loads(b)["tweet"]["author_username"] for b in queue.bodies] == [""]
    assert marks.items["search#q1"].since_id == int(t[0].id)  # the tweet is queued: the checkpoint moves
    assert report.enqueued == 1 and report.users_read == 0 and not report.failures


def test_a_tweet_found_by_two_queries_is_queued_once_per_run() -> None:
    t = [tweet(1), tweet(2)]
    twitter = ScriptedTwitter([page(t), page(t[1:])])  # the second query finds the second tweet again
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    report = make_poller(twitter, queue, marks, queries=[Q("q1", "圏外 lang:ja"), Q("q2", "(圏外 (家)) lang:ja")]).run()
    assert sorted(json.loads(b)["tweet"]["id"] for b in queue.bodies) == sorted(x.id for x in t)
    assert report.already_queued == 1 and report.enqueued == 2
    assert marks.items["search#q2"].since_id == int(t[1].id)  # the source still moves on
