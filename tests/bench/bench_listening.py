"""Listening-spine figures from a simulated hour at seed volume (not a timed test).

    .venv/bin/python tests/bench/bench_listening.py [--minutes 60] [--tweets 4545]

Seed volume is ~50,000 tweets seen on X per 11-hour day, i.e. ~4,545 an hour.
Prints: wall time, X requests per poll against the optimum (one request per packed
query plus one per support account's mentions), tweets fetched per relevant tweet,
AWS requests per fetched tweet, DynamoDB writes per inquiry (optimum: one put).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from activecare.accounts import DEFAULT_ACCOUNTS  # noqa: E402
from activecare.clock import JST  # noqa: E402
from activecare.keywords import default_catalogue, pack_queries  # noqa: E402
from activecare.settings import QUERY_LENGTH  # noqa: E402
from infra.simulate_day import run_day  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--tweets", type=int, default=4545)
    parser.add_argument("--access-level", default="pro")
    args = parser.parse_args()
    result = run_day(seed=11, start=datetime(2026, 11, 25, 12, 0, tzinfo=JST), minutes=args.minutes,
                     tweets=args.tweets, access_level=args.access_level, progress=False,
                     campaign_retweeters=0)
    queries = len(pack_queries(default_catalogue(), QUERY_LENGTH[args.access_level]))
    optimum = queries + len(DEFAULT_ACCOUNTS)
    x_requests = sum(result.api_requests.values())
    polling = result.api_requests.get("search", 0) + result.api_requests.get("mentions", 0)
    aws = sum(result.aws_requests.values())
    print(f"simulated {args.minutes} min, {result.generated} tweets on X, access level {args.access_level}")
    print(f"wall time                         {result.wall_s:8.1f} s")
    print(f"median poll (local stack)         {sorted(result.poll_ms)[len(result.poll_ms) // 2]:8.1f} ms")
    print(f"X requests per poll (search+ment.) {polling / args.minutes:7.2f}  optimum {optimum}")
    print(f"X requests in all                 {x_requests:8d}  {result.api_requests}")
    print(f"tweets fetched                    {result.fetched:8d}")
    print(f"relevant tweets (ground truth)    {result.relevant_truth:8d}")
    print(f"fetched per relevant tweet        {result.fetched / max(1, result.relevant_truth):8.2f}")
    print(f"inquiries stored                  {result.inquiries:8d}  missed relevant {result.missed_relevant}, "
          f"noise {result.false_positives}, duplicates {result.duplicates}")
    print(f"AWS requests                      {aws:8d}  {result.aws_requests}")
    print(f"AWS requests per fetched tweet    {aws / max(1, result.fetched):8.2f}")
    print(f"DynamoDB writes per inquiry       {result.dynamodb_writes / max(1, result.inquiries):8.2f}  optimum 1.00 "
          f"(+ checkpoint writes: {result.dynamodb_writes} writes in all)")


if __name__ == "__main__":
    main()
