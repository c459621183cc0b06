"""The outage radar against injected incidents and normal days (not a timed test).

    .venv/bin/python tests/bench/bench_outage.py [--weeks 1] [--seed 3]

Counts-only mode (infra/outage_sim.count_days): the generated day's tweets through the real matcher,
sentiment, gazetteer and detector, the detector running once a simulated minute before that minute's poll
(the pessimistic order: a minute is judged complete only a run later). Prints:
- per incident size (small local, regional, nationwide, each on its own 09:00-20:00 day at seed volume on a
  new stack: the prior, no learned baseline): detection latency from the injected onset (the run that alerted),
  the incident's onset/peak/close as the detector saw them, and precision / recall of grouping complaint tweets
  into it against the injected ground truth (recall counts injected tweets the matcher missed too);
- the listening burst under the nationwide incident: its day through the real poller on Pro (the default) and
  Basic (bench_burst.py's harness): every tweet of the burst a query finds queued, when the last one was, and
  the longest a source (each packed query, each account's mentions) went unread;
- false alarms over --weeks x 7 whole normal days (00:00-24:00 JST, ~99,000 tweets a day), learning the
  hour-of-week baseline as it goes from a new stack.
Targets: a regional incident detected within 3 minutes; at most 1 false alarm per simulated week.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[2] / "functions")]

from activecare.clock import JST  # noqa: E402
from infra.outage_sim import IncidentSpec, count_days, inject  # noqa: E402
from infra.seed.tweets import HOURLY_ACTIVITY, generate_day  # noqa: E402

PER_HOUR = 50_000 / sum(HOURLY_ACTIVITY[9:20])  # seed volume: 50,000 tweets 09:00-20:00
SIZES = (
    ("small local (渋谷, peak 8/min)", "signal,渋谷,10:30,30,8"),
    ("regional (大阪, peak 40/min)", "signal,大阪,14:00,45,40"),
    ("nationwide (peak 400/min)", "signal,全国,18:00,90,400"),
)
DAY = datetime(2026, 11, 25, tzinfo=JST)


def _hm(at: datetime | None) -> str:
    return "-" if at is None else f"{at.astimezone(JST):%H:%M}"


def incidents(seed: int) -> None:
    print(f"{'incident':34} {'onset':>5} {'alert':>5} {'latency':>8} {'seen onset':>10} {'peak':>9} "
          f"{'close':>5} {'counters':>8} {'tweets':>7} {'precision':>9} {'recall':>6}")
    for n, (label, spec_text) in enumerate(SIZES):
        spec = IncidentSpec.parse(spec_text)
        day = generate_day(seed + n, DAY.replace(hour=9), DAY.replace(hour=20), 50_000)
        truth = inject(day, spec, seed)
        res = count_days([day])
        onset = spec.onset(day.start)
        end = onset + timedelta(minutes=spec.duration)
        mine = [i for i in res.incidents if i.detected_at >= onset and i.onset < end]
        if not mine:
            print(f"{label:34} {_hm(onset):>5}  not detected")
            continue
        inc = min(mine, key=lambda i: i.detected_at)
        grouped = set().union(*(res.grouped[i.id] for i in mine))
        hit = len(grouped & truth.tweet_ids)
        latency = (inc.detected_at - onset).total_seconds() / 60
        print(f"{label:34} {_hm(onset):>5} {_hm(inc.detected_at):>5} {latency:>6.0f} m {_hm(inc.onset):>10} "
              f"{inc.peak:>4} {_hm(inc.peak_at):>4} {_hm(inc.closed_at):>5} {len(inc.keys):>8} "
              f"{len(truth.tweet_ids):>7} "
              f"{hit / max(1, len(grouped)):>9.2f} {hit / max(1, len(truth.tweet_ids)):>6.2f}")
        others = [i for i in res.incidents if i not in mine]
        if others:
            print(f"{'':34} + {len(others)} other incident(s) that day: {', '.join(i.id for i in others)}")


class _IndexedX:
    """What makes the in-memory X fast enough for a day of tweets (the same answers): the tweets kept in id
    order, so a search reads only those after its since_id instead of the whole day, and each query's verdict on
    a tweet remembered (a quiet query's since_id stays put, and X's answer for a tweet does not change)."""

    @staticmethod
    def make(clock: Any) -> Any:
        from activecare.twitter.memory import InMemoryTwitter
        from infra.fake_twitter import matches_domain_tweet

        verdicts: dict[tuple[str, str], bool] = {}

        def match(query: str, tweet: Any) -> bool:
            key = (query, tweet.id)
            if key not in verdicts:
                verdicts[key] = matches_domain_tweet(query, tweet)
            return verdicts[key]

        class IndexedX(InMemoryTwitter):
            def __init__(self) -> None:
                super().__init__(clock=clock, matcher=match)
                self.ids: list[int] = []
                self.rows: list[Any] = []

            def add_in_order(self, tweet: Any) -> None:
                self.add(tweet)
                at = bisect.bisect(self.ids, int(tweet.id))
                self.ids.insert(at, int(tweet.id))
                self.rows.insert(at, tweet)

            def _visible(self, *, since_id: str | None = None, until_id: str | None = None,
                         start: datetime | None = None, end: datetime | None = None) -> list[Any]:
                lo = bisect.bisect_right(self.ids, int(since_id)) if since_id else 0
                hi = bisect.bisect_left(self.ids, int(until_id)) if until_id else len(self.ids)
                now = self.clock()
                return [t for t in reversed(self.rows[lo:hi]) if t.created_at <= now
                        and (start is None or t.created_at >= start) and (end is None or t.created_at < end)]

        return IndexedX()


def listening_burst(seed: int, level: str = "pro") -> None:
    """The nationwide incident's day through the real poller (tests/bench/bench_burst.py's Listening: in-memory
    ports, an in-memory X evaluating the real packed queries with the fake X's query language), a poll a minute
    from 10 minutes before the onset until every source's backlog is read: every tweet of the burst that a query
    finds and the local matcher keeps is queued (once), and no source - each packed query, each account's
    mentions - goes unread longer than its rotation (the access level's searches a minute over the queries; for a
    search at least the two minutes a source may wait while another drains a burst)."""
    from activecare.accounts import DEFAULT_ACCOUNTS
    from activecare.clock import ManualClock
    from activecare.keywords import Matcher, default_catalogue
    from activecare.keywords.grouped import pack_for
    from activecare.listening.ingest import mention_topics
    from activecare.settings import QUERY_LENGTH, Settings
    from activecare.twitter.gateway import _tweet, _user
    from tests.bench.bench_burst import Listening

    label, spec_text = SIZES[2]
    spec = IncidentSpec.parse(spec_text)
    day = generate_day(seed + 2, DAY.replace(hour=9), DAY.replace(hour=20), 50_000)  # the day incidents() ran
    truth = inject(day, spec, seed)
    onset = spec.onset(day.start)
    start = onset - timedelta(minutes=10)
    users = {u["id"]: _user(u) for u in day.users}
    tweets = [t for t in (_tweet(d, users) for d in day.tweets) if t.created_at >= start - timedelta(minutes=5)]
    clock = ManualClock(start)
    x = _IndexedX.make(clock)
    x.add_users(*users.values())
    catalogue = default_catalogue()
    matcher = Matcher(catalogue, support_usernames=[a.username for a in DEFAULT_ACCOUNTS])
    # the queries the poller runs at this level (the default grouping, the spare searches' exclusion room)
    queries = pack_for(catalogue, QUERY_LENGTH[level], max_queries=Settings(access_level=level).query_slots)
    listening = Listening(x, clock, queries, level, matcher=matcher,
                          mention_topics=mention_topics(catalogue, DEFAULT_ACCOUNTS))
    began = time.perf_counter()
    rotation = timedelta(minutes=-(-len(queries) // listening.budget))
    pending, minutes, idle = iter(tweets), 0, 0
    created = {t.id: t.created_at for t in tweets if t.id in truth.tweet_ids}
    delays: dict[str, timedelta] = {}  # a burst tweet -> from its posting to its first queuing
    nxt = next(pending, None)
    while minutes < 24 * 60:
        while nxt is not None and nxt.created_at < clock():
            x.add_in_order(nxt)
            nxt = next(pending, None)
        before = len(listening.queue.bodies)
        listening.poll()
        minutes += 1
        for body in listening.queue.bodies[before:]:
            tid = json.loads(body)["tweet"]["id"]
            if tid in created and tid not in delays:
                delays[tid] = clock() - created[tid]
        idle = 0 if len(listening.queue.bodies) > before else idle + 1
        # done: the day's tweets are out, no backlog, and a whole rotation of polls found nothing more
        if nxt is None and idle > rotation.total_seconds() / 60 + 1 and all(
                m.backlog_until is None for m in listening.marks.items.values()):
            break
        clock.advance(timedelta(minutes=1))
    queued = listening.queued()
    burst = [t for t in tweets if t.id in truth.tweet_ids]
    findable = {t.id for t in tweets if matcher.match(t.text) and not t.is_retweet
                and any(x.matcher(q.query, t) for q in queries)}
    found_burst = findable & truth.tweet_ids
    gaps = {s: listening.longest_gap(s, onset, clock()) for s in listening.sources()}
    search_gap = max(v for k, v in gaps.items() if k.startswith("search:"))
    names = {a.user_id: f"@{a.username}" for a in DEFAULT_ACCOUNTS}
    mention_gaps = ", ".join(f"{names[k.split(':')[1]]} {v.total_seconds() / 60:.0f}"
                             for k, v in gaps.items() if k.startswith("mentions:"))
    # A search may wait one run while another drains a burst (listening/poll.py MAY_WAIT_WITHIN): starved is a
    # longer gap than its rotation and that one run.
    starved = [k for k, v in gaps.items()
               if v > (max(rotation, timedelta(minutes=2)) if k.startswith("search:") else timedelta(minutes=1))]
    print(f"listening under the {label} ({level}: {len(queries)} packed queries, {listening.budget} searches/min; "
          f"{minutes} polls from {_hm(start)}, {time.perf_counter() - began:.0f} s):")
    print(f"  burst: {len(burst):,} tweets, {len(found_burst):,} found by a query and kept by the matcher, "
          f"queued {len(found_burst & set(queued)):,}, lost {len(found_burst - set(queued))}; "
          f"all sources: {len(findable):,} to queue, lost {len(findable - set(queued))}, "
          f"queued twice by one source {listening.repeats()}, found by two queries or more "
          f"{sum(1 for n in queued.values() if n > 1):,} (one inquiry each: the worker is idempotent)")
    waits = sorted(d.total_seconds() / 60 for d in delays.values())
    last = max(created[t] + delays[t] for t in delays)
    print(f"  a burst tweet queued after (min): median {waits[len(waits) // 2]:.0f}, 99th percentile "
          f"{waits[int(len(waits) * 0.99)]:.0f}, longest {waits[-1]:.0f}; the last at {_hm(last)} (the incident's "
          f"tweets end at {_hm(max(created.values()))})")
    print(f"  longest gap between reads from the onset on (min): searches {search_gap.total_seconds() / 60:.0f} "
          f"(rotation {rotation.total_seconds() / 60:.0f}), mentions {mention_gaps}; "
          f"{'no source starved' if not starved else 'starved: ' + ', '.join(starved)}")


def normal_weeks(seed: int, weeks: int) -> None:
    days = [generate_day(seed * 100 + d, DAY + timedelta(days=d), DAY + timedelta(days=d + 1),
                         round(PER_HOUR * sum(HOURLY_ACTIVITY))) for d in range(7 * weeks)]
    res = count_days(days)
    per_week = len(res.incidents) / weeks
    print(f"normal days: {len(days)} ({res.tweets:,} tweets, {res.signals:,} complaint signals, "
          f"{res.minutes:,} detector runs): {len(res.incidents)} false alarm(s), {per_week:.1f} per week "
          f"(target <= 1) in {res.wall_s:.0f} s")
    for inc in res.incidents:
        print(f"  {inc.id} {inc.keys} peak {inc.peak}/min, {_hm(inc.onset)}-{_hm(inc.closed_at)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weeks", type=int, default=1)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    began = time.perf_counter()
    incidents(args.seed)
    for level in ("pro", "basic"):
        listening_burst(args.seed, level)
    normal_weeks(args.seed, args.weeks)
    print(f"wall time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
