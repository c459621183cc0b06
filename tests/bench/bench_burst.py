"""Bursts on one packed query: minutes until the backlog is drained (not a timed test).

    .venv/bin/python tests/bench/bench_burst.py [--burst 10000] [--hours 0]

The poller (real code: activecare.listening.poll) against in-memory ports and an in-memory X, as many
queries as the catalogue packs into for each access level and the access level's search budget a minute.
One query gets `--burst` tweets: within the minute before a poll (--hours 0) or spread over an outage of
--hours hours (the poller stopped, X kept posting). Every query also gets 5 tweets a minute throughout.
Prints, per access level: minutes until the backlog is read (the checkpoint at the burst's newest id),
tweets queued, lost (never queued), queued twice, and the longest gap between two polls of any other query
(starvation).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[2] / "functions")]

from activecare.accounts import DEFAULT_ACCOUNTS  # noqa: E402
from activecare.clock import ManualClock  # noqa: E402
from activecare.keywords import default_catalogue  # noqa: E402
from activecare.keywords.grouped import pack_for  # noqa: E402
from activecare.listening.memory import MemoryCheckpoints, MemoryQueue  # noqa: E402
from activecare.listening.models import MatchInfo  # noqa: E402
from activecare.listening.poll import Poller  # noqa: E402
from activecare.settings import QUERY_LENGTH, SEARCHES_PER_15_MIN, Settings  # noqa: E402
from activecare.twitter.memory import InMemoryTwitter  # noqa: E402
from activecare.twitter.models import Page, Tweet, User  # noqa: E402
from activecare.twitter.snowflake import snowflake  # noqa: E402

START = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


class _Q:
    def __init__(self, key: str, query: str) -> None:
        self.key, self.query = key, query


class _Hit:
    topic, department, account, keywords = "signal", "network", "signal", ("kw",)


class _Matcher:
    def match(self, text: str) -> _Hit | None:
        return _Hit()


def _tweets(word: str, count: int, end: datetime, seconds: float, worker: int) -> list[Tweet]:
    out = []
    for n in range(count):
        at = end - timedelta(seconds=seconds) + timedelta(seconds=seconds * n / max(1, count))
        out.append(Tweet(id=snowflake(at, n % 4096, worker), text=f"{word} {n}", author_id="900", created_at=at,
                         author=User("900", "user900")))
    return out


class SpyX:
    """The in-memory X, noting the minutes each source was read: a search by its query, an account's mentions."""

    def __init__(self, x: InMemoryTwitter, clock: ManualClock) -> None:
        self.x, self.clock = x, clock
        self.reads: dict[str, list[datetime]] = defaultdict(list)

    def _note(self, source: str) -> None:
        seen = self.reads[source]
        if not seen or seen[-1] != self.clock():
            seen.append(self.clock())

    def search_recent(self, query: str, **kw: Any) -> Page:
        self._note(f"search:{query}")
        return self.x.search_recent(query, **kw)

    def mentions(self, user_id: str, **kw: Any) -> Page:
        self._note(f"mentions:{user_id}")
        return self.x.mentions(user_id, **kw)

    def user_tweets(self, user_id: str, **kw: Any) -> Page:
        return self.x.user_tweets(user_id, **kw)

    def me(self) -> User:
        return self.x.me()

    def lookup_users(self, user_ids: list[str]) -> list[User]:  # the matched authors' names (the poller)
        return self.x.lookup_users(user_ids)

    def post(self, text: str, *, in_reply_to: str | None = None) -> str:
        return self.x.post(text, in_reply_to=in_reply_to)


class Listening:
    """The real poller (activecare.listening.poll) over in-memory ports and an in-memory X, at an access level's
    search budget: what it queued, and when it read each source (every packed query, each account's mentions).
    Also run under an outage by tests/bench/bench_outage.py."""

    def __init__(self, twitter: InMemoryTwitter, clock: ManualClock, queries: Sequence[Any], level: str, *,
                 matcher: Any = None, mention_topics: dict[str, MatchInfo] | None = None) -> None:
        self.x, self.clock, self.queries = SpyX(twitter, clock), clock, list(queries)
        self.budget = max(1, SEARCHES_PER_15_MIN[level] // 15)
        self.queue, self.marks = MemoryQueue(), MemoryCheckpoints()
        self.matcher = matcher or _Matcher()
        self.topics = mention_topics or {a.key: MatchInfo(topic="general", department="care", account=a.key)
                                         for a in DEFAULT_ACCOUNTS}

    def poll(self) -> None:
        Poller(twitter=self.x, queue=self.queue, checkpoints=self.marks, matcher=self.matcher,  # type: ignore[arg-type]
               queries=self.queries, accounts=DEFAULT_ACCOUNTS, clock=self.clock, search_budget=self.budget,
               mention_topics=self.topics).run()

    def queued(self) -> Counter[str]:
        """Tweet id -> times queued."""
        return Counter(json.loads(b)["tweet"]["id"] for b in self.queue.bodies)

    def repeats(self) -> int:
        """Tweets one source queued more than once (another source finding the same tweet is no repeat: the
        worker keeps one inquiry per tweet)."""
        by_source = Counter((m["source_key"], m["tweet"]["id"]) for m in map(json.loads, self.queue.bodies))
        return sum(n - 1 for n in by_source.values() if n > 1)

    def sources(self) -> list[str]:
        return [f"search:{q.query}" for q in self.queries] + [f"mentions:{a.user_id}" for a in DEFAULT_ACCOUNTS]

    def longest_gap(self, source: str, start: datetime, end: datetime) -> timedelta:
        """The longest stretch of [start, end] in which `source` was not read."""
        marks = [start, *(t for t in self.x.reads.get(source, []) if start < t < end), end]
        return max(b - a for a, b in pairwise(marks))


def run(level: str, burst: int, hours: float) -> dict[str, object]:
    packed = pack_for(default_catalogue(), QUERY_LENGTH[level], max_queries=Settings(access_level=level).query_slots)
    queries = [_Q(f"q{i}", f"kw{i}x") for i in range(len(packed))]  # as many as the poller runs
    clock = ManualClock(START)
    twitter = InMemoryTwitter(clock=clock)
    listening = Listening(twitter, clock, queries, level)
    marks = listening.marks
    posted: list[Tweet] = []

    def minute_of_tweets(seconds: float = 60) -> None:
        for i, q in enumerate(queries):
            batch = _tweets(q.query, int(5 * seconds / 60), clock(), seconds, 100 + i)
            twitter.add(batch)
            posted.extend(batch)

    for _ in range(3):  # the sources start and settle
        clock.advance(timedelta(minutes=1))
        minute_of_tweets()
        listening.poll()
    outage = timedelta(hours=hours) if hours else timedelta(minutes=1)
    clock.advance(outage)
    minute_of_tweets(outage.total_seconds())
    big = _tweets(queries[0].query, burst, clock(), outage.total_seconds(), 9)
    twitter.add(big)
    posted.extend(big)
    began = clock()
    minutes = 0
    key = f"search#{queries[0].key}"
    newest = max(int(t.id) for t in big)
    while True:
        listening.poll()
        minutes += 1
        mark = marks.items[key]
        if (mark.backlog_until is None and (mark.since_id or 0) >= newest) or minutes > 24 * 60:
            break
        clock.advance(timedelta(minutes=1))
        minute_of_tweets()
    worst_gap = max(listening.longest_gap(f"search:{q.query}", began, clock()) for q in queries[1:])
    # No more tweets: every query reads what is left (what arrived while the backlog was read, too).
    for extra in range(24 * 60):
        clock.advance(timedelta(minutes=1))
        listening.poll()
        if extra > len(queries) // listening.budget + 2 and all(m.backlog_until is None for m in marks.items.values()):
            break
    queued = listening.queued()
    wanted = {t.id for t in posted}
    missing = Counter(t.text.split()[0] for t in posted if t.id not in queued)
    if missing:
        print("lost per query word:", dict(missing), file=sys.stderr)
    return {"level": level, "queries": len(queries), "budget": listening.budget, "minutes": minutes,
            "queued": len(queued), "lost": len(wanted - set(queued)),
            "twice": sum(n - 1 for n in queued.values() if n > 1),
            "worst_gap_min": worst_gap.total_seconds() / 60}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=0, help="spread the burst over an outage this long")
    args = parser.parse_args()
    where = f"over a {args.hours:g}-hour outage" if args.hours else "in one minute"
    print(f"burst of {args.burst} tweets on one query {where}, 5 tweets a minute on every query")
    for level in ("basic", "pro"):
        r = run(level, args.burst, args.hours)
        print(f"{r['level']:6} {r['queries']:3} queries, {r['budget']:2} searches/min: backlog drained in "
              f"{r['minutes']:4} min; queued {r['queued']}, lost {r['lost']}, queued twice {r['twice']}, "
              f"longest gap between polls of another query {r['worst_gap_min']:.0f} min")


if __name__ == "__main__":
    main()
