"""Mentions through X's account activity webhook against the poller: wall time from the post to its inquiry
(not a timed test).

    .venv/bin/python tests/bench/bench_webhook.py [--mentions 30]

The local stack (moto, the fake X over HTTP), the webhook function behind the template's WebhookApi routes, the
fake X delivering signed events to it, and the worker run as the SQS event source mapping would (a receive loop
here). Each mention is posted on X one at a time; the wall time until its inquiry exists is measured. Then the
minute's poll (the backfill) runs: inquiries it added (should be 0) and the messages it queued again (which the
worker finds duplicate). Polling alone waits for the next minute's run: on average 30 s, at worst 60 s, plus the
poll itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[2] / "functions")]

from activecare.clock import JST, ManualClock, iso_z  # noqa: E402
from activecare.storage.models import Inquiry  # noqa: E402
from activecare.twitter.snowflake import snowflake  # noqa: E402
from infra.lambda_runtime import context_for, drain_queue  # noqa: E402
from infra.local_stack import LocalStack  # noqa: E402
from infra.local_webhook import local_webhook  # noqa: E402

TEXTS = ["@ac_signal 駅で圏外になる、なんとかして", "@ac_wifi 家のWi-Fiが繋がらへん…", "@ac_help 今月の請求が高すぎる",
         "@ac_signal 電波悪すぎて通話がブツブツ切れる", "@ac_help 機種変更の予約ってどこでできますか？"]


def _exists(tweet_id: str) -> bool:
    try:
        Inquiry.get(tweet_id, consistent_read=True, attributes_to_get=["inquiry_id"])
    except Inquiry.DoesNotExist:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=30)
    args = parser.parse_args()
    from poller import app as poller_app
    from worker import app as worker_app

    clock = ManualClock(datetime(2026, 11, 25, 10, 0, tzinfo=JST))
    with LocalStack(clock, access_level="pay_per_use") as stack, local_webhook(stack) as (_, hooks):
        def drain() -> None:
            drain_queue(stack.sqs, stack.settings.queue_url, worker_app.handler)

        users = [{"id": str(1400000000000000000 + n), "username": f"bench_user{n}", "name": f"ユーザー{n}"}
                 for n in range(args.mentions)]
        stack.twitter.add_users(users)
        took: list[float] = []
        ids: list[str] = []
        for n, user in enumerate(users):
            tid = snowflake(clock(), n + 1)
            start = time.monotonic()
            stack.twitter.add_tweets([{"id": tid, "text": TEXTS[n % len(TEXTS)], "author_id": user["id"],
                                       "created_at": iso_z(clock())}])
            while not _exists(tid):
                drain()
                if time.monotonic() - start > 10:
                    raise SystemExit(f"mention {tid}: no inquiry within 10 s")
            took.append(time.monotonic() - start)
            ids.append(tid)
        hooks.wait_idle()
        before = {i.inquiry_id for i in Inquiry.scan(attributes_to_get=["inquiry_id"])}
        clock.advance(timedelta(minutes=1))
        report = poller_app.handler({"scheduled_time": iso_z(clock())}, context_for("poller"))
        drain()
        after = {i.inquiry_id for i in Inquiry.scan(attributes_to_get=["inquiry_id"])}
        took.sort()
        print(f"mentions through the webhook: {len(took)}, inquiries {len(before)} "
              f"(deliveries {len(hooks.deliveries)}, all 200: {all(d.status == 200 for d in hooks.deliveries)})")
        print(f"post -> inquiry wall time: median {statistics.median(took):.3f} s, "
              f"p95 {took[int(0.95 * (len(took) - 1))]:.3f} s, max {took[-1]:.3f} s")
        print(f"the next poll: queued {report['enqueued']} again (duplicates in the worker), "
              f"inquiries added {len(after - before)}, missing {len(set(ids) - after)}")
        print("polling alone: the next minute's run, 30 s on average and up to 60 s, plus the poll")


if __name__ == "__main__":
    main()
