"""The outage radar against injected incidents and normal days (not a timed test).

    .venv/bin/python tests/bench/bench_outage.py [--weeks 1] [--seed 3]

Counts-only mode (infra/outage_sim.count_days): the generated day's tweets through the real matcher,
sentiment, gazetteer and detector, the detector running once a simulated minute before that minute's poll
(the pessimistic order: a minute is judged complete only a run later). Prints:
- per incident size (small local, regional, nationwide, each on its own 09:00-20:00 day at seed volume on a
  new stack: the prior, no learned baseline): detection latency from the injected onset (the run that alerted),
  the incident's onset/peak/close as the detector saw them, and precision / recall of grouping complaint tweets
  into it against the injected ground truth (recall counts injected tweets the matcher missed too);
- false alarms over --weeks x 7 whole normal days (00:00-24:00 JST, ~99,000 tweets a day), learning the
  hour-of-week baseline as it goes from a new stack.
Targets: a regional incident detected within 3 minutes; at most 1 false alarm per simulated week.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

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
    normal_weeks(args.seed, args.weeks)
    print(f"wall time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
