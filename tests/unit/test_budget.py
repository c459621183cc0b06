"""The month's X bill against the budget (listening/usage.py): counters per source, the forecast, and the
degradation before the budget - low-yield searches run less often and skip what came in between - instead of
failed requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import ManualClock
from activecare.listening.memory import MemoryCheckpoints, MemoryQueue, MemoryUsage
from activecare.listening.models import MatchInfo
from activecare.listening.poll import Poller
from activecare.listening.usage import MonthUsage, forecast_usd, plan
from activecare.twitter.memory import InMemoryTwitter
from activecare.twitter.models import Tweet, User
from activecare.twitter.snowflake import snowflake
from tests.unit.test_poll import KeywordMatcher, Q

NOW = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # half-way through the UTC month (15 days and an hour)
GOOD, NOISY = Q("good", "圏外"), Q("noisy", "ショップ")


def _poller(twitter: InMemoryTwitter, usage: MemoryUsage, clock: ManualClock, budget: float) -> Poller:
    return Poller(twitter=twitter, queue=MemoryQueue(), checkpoints=MemoryCheckpoints(), matcher=KeywordMatcher(),
                  queries=[GOOD, NOISY], accounts=DEFAULT_ACCOUNTS, clock=clock, search_budget=30,
                  mention_topics={a.key: MatchInfo(topic="general", department="care", account=a.key)
                                  for a in DEFAULT_ACCOUNTS}, usage=usage, budget_usd=budget)


def _tweets(twitter: InMemoryTwitter, clock: ManualClock, n: int, text: str) -> None:
    for i in range(n):
        at = clock() - timedelta(seconds=50 - i % 50)
        twitter.add(Tweet(snowflake(at, i + hash(text) % 1000), f"{text} {i}", str(9000 + i), at,
                          author=User(str(9000 + i), f"u{i}")))


def test_forecast_is_the_month_to_date_rate_over_the_utc_month() -> None:
    usage = MonthUsage("2026-11", days={"01": {"post_reads": 10_000, "user_reads": 1_000}})  # $60 to date
    assert forecast_usd(usage, NOW) == round(60 * 30 / (15 + 1 / 24), 4)


def test_a_querys_yield_is_the_matchers_keeps_scaled_by_what_the_desk_answered() -> None:
    from activecare.listening.usage import MIN_RESOLVED_FOR_YIELD

    month = MonthUsage("2026-11", reads={"a": 1_000, "b": 1_000, "c": 50}, matched={"a": 200, "b": 200, "c": 50})
    assert month.yield_of("a") == month.yield_of("b") == 0.2 and month.yield_of("c") is None  # too few reads
    month.resolved = {"a": MIN_RESOLVED_FOR_YIELD, "b": MIN_RESOLVED_FOR_YIELD - 1}
    month.answered = {"a": 1, "b": 0}
    assert month.yield_of("a") == 0.2 / MIN_RESOLVED_FOR_YIELD  # the desk answered one in ten of its finds
    assert month.yield_of("b") == 0.2  # too few verdicts yet: the matcher's keeps alone
    low = plan(MonthUsage("2026-11", days={"01": {"post_reads": 100_000}}, reads=month.reads,
                          matched=month.matched, resolved=month.resolved, answered=month.answered),
               ["a", "b"], NOW, budget_usd=100)
    assert low.degraded == frozenset({"a"})  # what the desk rarely answers runs less often first


def test_each_poll_adds_its_reads_and_yield_per_source() -> None:
    clock = ManualClock(NOW)
    twitter, usage = InMemoryTwitter(clock=clock, matcher=lambda q, t: q.split()[0] in t.text), MemoryUsage()
    poller = _poller(twitter, usage, clock, budget=0)
    poller.run()  # first run: checkpoints
    clock.advance(timedelta(minutes=1))
    _tweets(twitter, clock, 3, "また圏外")
    _tweets(twitter, clock, 7, "ポケモンショップ")
    report = poller.run()
    month = usage.get("2026-11")
    assert month.reads == {"search#good": 3, "search#noisy": 7} and month.matched == {"search#good": 3}
    assert month.days["16"]["post_reads"] == 10 and month.days["16"]["user_reads"] == 3  # matched authors only
    assert report.reads == month.reads


def test_over_80_percent_the_low_yield_search_runs_less_often_and_reads_only_the_last_minute() -> None:
    clock = ManualClock(NOW)
    twitter = InMemoryTwitter(clock=clock, matcher=lambda q, t: q.split()[0] in t.text)
    usage = MemoryUsage()
    # 15 days in: $54 read so far -> ~$108 forecast for the month, against a $120 budget: 90 %.
    usage.add("2026-11", "01", {"post_reads": 10_000, "user_reads": 400}, {"search#good": 500, "search#noisy": 9_500},
              {"search#good": 450, "search#noisy": 50})
    assert plan(usage.get("2026-11"), ["search#good", "search#noisy"], NOW, 120).degraded == {"search#noisy"}
    poller = _poller(twitter, usage, clock, budget=120)
    poller.run()
    ran, skipped = 0, 0
    for _ in range(8):
        clock.advance(timedelta(minutes=1))
        _tweets(twitter, clock, 2, "また圏外")
        report = poller.run()
        assert report.failures == []  # never a failed request for the budget
        assert 0.8 < report.bill_forecast_usd / 120 <= 1.0
        assert report.reads.get("search#good") == 2  # the productive search runs every minute
        ran += report.degraded == ["search#noisy"]
        skipped += report.skipped_for_budget
    assert ran == skipped == 4  # every 2nd minute
    # When the noisy search runs after a skipped minute, it reads the last minute only.
    clock.advance(timedelta(minutes=1))
    if not plan(usage.get("2026-11"), ["search#noisy"], clock(), 120).runs("search#noisy", clock()):
        clock.advance(timedelta(minutes=1))
    old = clock() - timedelta(seconds=90)
    twitter.add(Tweet(snowflake(old, 1), "ポケモンショップ 古い", "8000", old, author=User("8000", "old")))
    _tweets(twitter, clock, 1, "ポケモンショップ")
    report = poller.run()
    assert report.reads["search#noisy"] == 1 and report.degraded == ["search#noisy"]
