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
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[2] / "functions")]

from activecare.accounts import DEFAULT_ACCOUNTS  # noqa: E402
from activecare.clock import ManualClock  # noqa: E402
from activecare.keywords import default_catalogue, pack_queries  # noqa: E402
from activecare.listening.memory import MemoryCheckpoints, MemoryQueue  # noqa: E402
from activecare.listening.models import MatchInfo  # noqa: E402
from activecare.listening.poll import Poller  # noqa: E402
from activecare.settings import QUERY_LENGTH, SEARCHES_PER_15_MIN  # noqa: E402
from activecare.twitter.memory import InMemoryTwitter  # noqa: E402
from activecare.twitter.models import Tweet, User  # noqa: E402
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


def run(level: str, burst: int, hours: float) -> dict[str, object]:
    queries = [_Q(f"q{i}", f"kw{i}x") for i in range(len(pack_queries(default_catalogue(), QUERY_LENGTH[level])))]
    budget = max(1, SEARCHES_PER_15_MIN[level] // 15)
    clock = ManualClock(START)
    twitter = InMemoryTwitter(clock=clock)
    queue, marks = MemoryQueue(), MemoryCheckpoints()
    topics = {a.key: MatchInfo(topic="general", department="care", account=a.key) for a in DEFAULT_ACCOUNTS}

    def poll() -> None:
        Poller(twitter=twitter, queue=queue, checkpoints=marks, matcher=_Matcher(), queries=queries,
               accounts=DEFAULT_ACCOUNTS, clock=clock, search_budget=budget, mention_topics=topics).run()

    posted: list[Tweet] = []

    def minute_of_tweets(seconds: float = 60) -> None:
        for i, q in enumerate(queries):
            batch = _tweets(q.query, int(5 * seconds / 60), clock(), seconds, 100 + i)
            twitter.add(batch)
            posted.extend(batch)

    for _ in range(3):  # the sources start and settle
        clock.advance(timedelta(minutes=1))
        minute_of_tweets()
        poll()
    outage = timedelta(hours=hours) if hours else timedelta(minutes=1)
    clock.advance(outage)
    minute_of_tweets(outage.total_seconds())
    big = _tweets(queries[0].query, burst, clock(), outage.total_seconds(), 9)
    twitter.add(big)
    posted.extend(big)
    last_poll = {q.key: clock() for q in queries}
    worst_gap = timedelta(0)
    minutes = 0
    key = f"search#{queries[0].key}"
    newest = max(int(t.id) for t in big)
    while True:
        before = dict(marks.items)
        poll()
        minutes += 1
        for q in queries[1:]:
            k = f"search#{q.key}"
            if marks.items.get(k) != before.get(k):
                worst_gap = max(worst_gap, clock() - last_poll[q.key])
                last_poll[q.key] = clock()
        mark = marks.items[key]
        if (mark.backlog_until is None and (mark.since_id or 0) >= newest) or minutes > 24 * 60:
            break
        clock.advance(timedelta(minutes=1))
        minute_of_tweets()
    # No more tweets: every query reads what is left (what arrived while the backlog was read, too).
    for extra in range(24 * 60):
        clock.advance(timedelta(minutes=1))
        poll()
        if extra > len(queries) // budget + 2 and all(m.backlog_until is None for m in marks.items.values()):
            break
    queued = Counter(json.loads(b)["tweet"]["id"] for b in queue.bodies)
    wanted = {t.id for t in posted}
    missing = Counter(t.text.split()[0] for t in posted if t.id not in queued)
    if missing:
        print("lost per query word:", dict(missing), file=sys.stderr)
    return {"level": level, "queries": len(queries), "budget": budget, "minutes": minutes,
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
