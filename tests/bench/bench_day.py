"""The simulated support day's figures (not a timed test): wall time, AWS requests against the batching
optimum, X search requests against the packing optimum, X reads, and an estimated AWS bill per day.

    .venv/bin/python tests/bench/bench_day.py            # the full day: 09:00-20:00 JST, 50,000 tweets
    .venv/bin/python tests/bench/bench_day.py --hours 1  # a shorter stretch at the same hourly volume

Printed:
- wall time of the day, by part of the minute loop (local stack: moto over loopback, noisy on a busy box);
- listening AWS requests per tweet fetched and DynamoDB writes per inquiry, each against the optimum
  computed from what the day needed: one BatchGetItem per poll (checkpoints and rate-limit marks), one
  conditional checkpoint write per source that advanced, SendMessageBatch / ReceiveMessage /
  DeleteMessageBatch of 10, one conditional put and one history query per new inquiry, one query and
  one conditional update per reply that joins a thread;
- search requests per poll against the packing optimum (activecare.keywords.optimum_queries, as
  bench_packing.py prints it) plus one mentions request per support account;
- tweets fetched per relevant tweet, and X posts read in a month against the access tier's cap;
- an estimated AWS bill per day from the request counts, at Tokyo list prices (table below);
- the day's X bill as the fake X API metered it (each post and user once per UTC day, owned reads apart;
  infra/bill_sim.py) by category, per answered inquiry and per search query; tweets read per relevant tweet;
  inquiries handled with the author's tweets before/after (read on open).

Before/after (issue 16): `--json FILE` writes the key figures; `--compare FILE` prints them beside this run's
(run once on the old code with `--json`, once on the new with `--compare`).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from activecare.accounts import DEFAULT_ACCOUNTS  # noqa: E402
from activecare.clock import JST, ManualClock  # noqa: E402
from activecare.keywords import default_catalogue, optimum_queries, pack_queries  # noqa: E402
from activecare.settings import QUERY_LENGTH  # noqa: E402
from infra.aws_meter import DYNAMODB_WRITES  # noqa: E402
from infra.local_stack import LocalStack  # noqa: E402
from infra.simulate_day import SEED_VOLUME_PER_HOUR, DayResult, run_day  # noqa: E402

# ap-northeast-1 (Tokyo) on-demand list prices in USD, as ASSUMED from the public AWS price pages
# (aws.amazon.com/<service>/pricing) as of 2025-11; not fetched by this script. Free tiers are ignored.
PRICES_AS_OF = "2025-11 (assumed list prices, not fetched)"
PRICES = {
    "lambda_request": 0.20 / 1e6,  # per request
    "lambda_gb_s": 0.0000166667,  # per GB-second, x86
    "http_api_request": 1.29 / 1e6,  # API Gateway HTTP API (the desk), first 300M a month
    "dynamodb_wru": 0.715 / 1e6,  # on-demand write request unit (after the Nov 2024 price cut)
    "dynamodb_rru": 0.1425 / 1e6,  # on-demand read request unit
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB request
    "secrets_api_call": 0.05 / 1e4,  # per API call (+ 0.40 per secret-month)
    "secret_month": 0.40,
    "ses_email": 0.10 / 1000,  # per e-mail sent
    "scheduler_invocation": 1.00 / 1e6,  # EventBridge Scheduler
    "cw_metric_month": 0.30,  # custom metric, first 10,000
    "cw_alarm_month": 0.10,  # standard-resolution alarm
}
# X API: pay-per-use write prices from /work/shared/reference/README.md; monthly post-read caps of the fixed
# tiers as ASSUMED from X's developer docs (2025): Basic 15,000, Pro 1,000,000 posts read per month.
X_READ_CAP = {"basic": 15_000, "pro": 1_000_000}
DAYS_PER_MONTH = 30


class DayMeter:
    """DayHooks for the bench: counts what the day's parts did (desk API requests, campaign invocations,
    checkpoint advances, X posts read per endpoint) and reads the meter before the stack stops."""

    def __init__(self) -> None:
        self.desk_requests: Counter[str] = Counter()
        self.campaign_invocations = 0
        self.advances = 0
        self.send_batches = 0  # ceil(n/10) per SqsQueue.send call: the poller queues each source's matches apart
        self.posts_read: Counter[str] = Counter()
        self._undo: list[tuple[Any, str, Any]] = []

    def _wrap(self, owner: Any, name: str, counter: Any) -> None:
        original = getattr(owner, name)
        self._undo.append((owner, name, original))

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if counter.__name__ == "before":
                counter(name, None)
                return original(*args, **kwargs)
            out = original(*args, **kwargs)
            counter(name, out)
            return out

        setattr(owner, name, wrapped)

    def setup(self, stack: LocalStack, clock: ManualClock) -> None:
        from activecare.desk.service import DeskService
        from activecare.listening.dynamo import DynamoCheckpoints
        from activecare.listening.sqs import SqsQueue
        from activecare.twitter.gateway import TweepyGateway
        from infra.campaign_sim import CampaignSim

        def before(name: str, _: object) -> None:  # a desk API request, whether it answers 2xx or 4xx
            self.desk_requests[name] += 1

        for op in ("claim_next", "claim", "show", "reply", "confirm", "resolve", "release", "reopen"):
            self._wrap(DeskService, op, before)
        self._wrap(CampaignSim, "_invoke", lambda name, _: setattr(self, "campaign_invocations",
                                                                   self.campaign_invocations + 1))
        self._wrap(DynamoCheckpoints, "advance", lambda name, ok: setattr(self, "advances", self.advances + bool(ok)))

        original_send = SqsQueue.send

        def send(queue: SqsQueue, bodies: list[str]) -> int:
            self.send_batches += math.ceil(len(bodies) / 10)
            return original_send(queue, bodies)

        self._undo.append((SqsQueue, "send", original_send))
        SqsQueue.send = send  # type: ignore[method-assign]
        own = {a.user_id for a in DEFAULT_ACCOUNTS}

        def read(name: str, page: Any) -> None:
            # our own timeline (a hand-sent reply confirmed, a post reconciled) apart from customers' timelines
            mine = name == "user_tweets" and bool(page.tweets) and page.tweets[0].author_id in own
            self.posts_read.update({f"{name} (our accounts)" if mine else name: len(page.tweets)})

        for ep in ("search_recent", "mentions", "user_tweets"):
            self._wrap(TweepyGateway, ep, read)

    def before_minute(self, stack: LocalStack, minute: int) -> None:
        pass

    def inspect(self, stack: LocalStack) -> dict[str, Any]:
        from activecare.storage.models import Inquiry

        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        with stack.aws_meter.channel("bench"):
            items = list(Inquiry.scan())
        sizes = [len(str(i.serialize())) for i in items]
        joined = sum(max(0, sum(1 for m in i.messages or [] if m.direction == "in") - 1) for i in items)
        return {"calls": dict(stack.aws_meter.calls), "inquiry_kb": sum(sizes) / max(1, len(sizes)) / 1024,
                "joined": joined}


def template_memory_mb() -> dict[str, int]:
    """MemorySize per function from template.yaml (Globals, then each function's own)."""
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    default = int(re.search(r"^Globals:.*?^\s+MemorySize:\s*(\d+)", text, re.S | re.M).group(1))  # type: ignore[union-attr]
    out = {}
    block = r"^  (\w+)Function:\n    Type: AWS::Serverless::Function\n(.*?)(?=^  \w+:\n)"
    for m in re.finditer(block, text, re.S | re.M):
        own = re.search(r"^      MemorySize:\s*(\d+)", m.group(2), re.M)
        out[m.group(1).lower()] = int(own.group(1)) if own else default
    return out


def template_alarms() -> int:
    return (ROOT / "template.yaml").read_text(encoding="utf-8").count("Type: AWS::CloudWatch::Alarm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=11.0, help="length of the stretch from 09:00 JST")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--access-level", default="pro", choices=["basic", "pro", "pay_per_use", "enterprise"])
    parser.add_argument("--moto", default="process", choices=["process", "thread"])
    parser.add_argument("--json", type=Path, help="write the key figures (before/after comparisons) to FILE")
    parser.add_argument("--compare", type=Path, help="print FILE's key figures (an earlier run) beside these")
    args = parser.parse_args()
    minutes = int(args.hours * 60)
    tweets = round(SEED_VOLUME_PER_HOUR * args.hours)
    meter = DayMeter()
    start = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    r = run_day(seed=args.seed, start=start, minutes=minutes, tweets=tweets, access_level=args.access_level,
                progress=False, hooks=meter, moto=args.moto)  # type: ignore[arg-type]
    report(r, meter, args.access_level, minutes, start)
    figures = key_figures(r, meter, args.access_level, minutes)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    earlier = json.loads(args.compare.read_text(encoding="utf-8")) if args.compare else {}
    print_key_figures(figures, earlier)


def key_figures(r: DayResult, meter: DayMeter, level: str, minutes: int) -> dict[str, Any]:
    """The issue-16 figures: reads per relevant tweet, the X bill and its parts per answered inquiry, misses,
    searches per poll against the packing optimum."""
    bill = getattr(r, "x_bill", None) or {}
    read = sum(meter.posts_read.values())
    answered = r.desk.get("replies", 0)
    searches = r.api_requests.get("search", 0)
    out: dict[str, Any] = {
        "tweets read per relevant tweet": round(read / max(1, r.relevant_truth), 2),
        "  of them to find and show tweets (our own timeline aside)": round(
            (read - meter.posts_read.get("user_tweets (our accounts)", 0)) / max(1, r.relevant_truth), 2),
        "posts read (search, mentions, timelines)": read,
        **{f"  {ep}": n for ep, n in sorted(meter.posts_read.items())},
        "relevant tweets missed": r.missed_relevant,
        "searches per poll": round(searches / minutes, 2),
        "inquiries answered": answered,
    }
    try:
        from activecare.keywords.grouped import grouped_optimum, pack_for
        from activecare.settings import Settings

        grouped = Settings().x_group_ambiguous
        slots = getattr(Settings(access_level=level), "query_slots", None)  # the queries the poller runs
        queries = pack_for(default_catalogue(), QUERY_LENGTH[level], group_ambiguous=grouped,  # type: ignore[index]
                           **({"max_queries": slots} if slots else {}))
        bound = grouped_optimum(default_catalogue(), QUERY_LENGTH[level],  # type: ignore[index]
                                only_noisy=grouped == "noisy")
        out["packed queries (packing lower bound)"] = f"{len(queries)} ({bound})"
    except ImportError:  # the old code: every keyword alone
        out["packed queries (packing lower bound)"] = (f"{len(pack_queries(default_catalogue(), QUERY_LENGTH[level]))}"  # type: ignore[index]
                                                     f" ({optimum_queries(default_catalogue(), QUERY_LENGTH[level])})")  # type: ignore[index]
    if bill:
        for c, n in bill["counts"].items():
            out[f"X bill: {c}"] = f"{n:,} = ${bill['usd'][c]:.2f}"
        out["X bill of the day (USD)"] = bill["total_usd"]
        out["  of which the campaign (USD)"] = bill["campaign_usd"]
        out["  of which posts of their own (USD)"] = bill.get("own_posts_usd", 0.0)
        out["  listening and the desk (USD)"] = bill["listening_desk_total_usd"]
        out["listening+desk bill per answered inquiry (USD)"] = bill["per_answered_usd"]
        for c, usd in bill["listening_desk_usd"].items():
            out[f"  per answered inquiry: {c}"] = round(usd / max(1, answered), 4)
        out["billed by endpoint"] = ", ".join(f"{k} {n:,}" for k, n in sorted(bill["by_endpoint"].items()))
        out["handled inquiries with context read"] = f"{bill['handled_with_context']} of {bill['handled']}"
    return out


def print_key_figures(now: dict[str, Any], before: dict[str, Any]) -> None:
    print("\nissue 16 figures" + ("  (before | this run)" if before else ""))
    for label in [*before, *(k for k in now if k not in before)]:
        b = before.get(label, "")
        print(f"  {label:<48}{str(b) if before else '':>22}  {now.get(label, '-')!s:>22}")


def _calls(r: DayResult, channel: str) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for (ch, svc, op), n in r.inspected["calls"].items():
        if ch == channel:
            out[(svc, op)] += n
    return out


def report(r: DayResult, meter: DayMeter, level: str, minutes: int, start: datetime) -> None:
    end = start + timedelta(minutes=minutes)
    print(f"simulated {start:%H:%M}-{end:%H:%M} JST ({minutes} min), {r.generated:,} tweets on X, access level {level}")
    print(f"wall time                              {r.wall_s:9.1f} s  "
          f"({', '.join(f'{k} {v:.0f}' for k, v in r.phase_s.most_common())} s)")

    # --- listening: AWS requests per tweet fetched, DynamoDB writes per inquiry, against the optimum -----------
    listening = _calls(r, "listening")
    joined = r.inspected["joined"]  # customers' replies that joined their inquiry's thread
    batches = math.ceil(r.enqueued / 10)
    optimum = {
        "checkpoint/limit reads (1 BatchGetItem a poll)": minutes,
        "checkpoint writes (sources that advanced)": meter.advances,
        "SendMessageBatch of 10 (each source's matches apart)": meter.send_batches,
        "ReceiveMessage of 10 (+1 empty a drain) + DeleteMessageBatch": 2 * batches + minutes,
        "new inquiry: conditional put + history query": 2 * r.inquiries,
        "reply in a thread: thread query + conditional update": 2 * joined,
        "secret read (once per cold start)": 1,
    }
    actual = sum(listening.values())
    best = sum(optimum.values())
    print(f"listening AWS requests                 {actual:9,d}  optimum {best:,}  ({actual / max(1, best):.2f}x)")
    for label, n in optimum.items():
        print(f"  optimum: {label:<52}{n:7,d}")
    for (svc, op), n in sorted(listening.items(), key=lambda kv: -kv[1]):
        print(f"  actual:  {svc + ' ' + op:<52}{n:7,d}")
    print(f"  (one SendMessageBatch for the whole poll would be {batches:,}; ReceiveMessage, DeleteMessageBatch and "
          "GetQueueAttributes are the local event-source mapping's, infra/lambda_runtime.py)")
    print(f"AWS requests per tweet fetched         {actual / max(1, r.fetched):9.3f}  optimum "
          f"{best / max(1, r.fetched):.3f}")
    writes = r.dynamodb_writes
    best_writes = r.inquiries + meter.advances + joined
    print(f"DynamoDB writes per inquiry            {writes / max(1, r.inquiries):9.2f}  optimum "
          f"{best_writes / max(1, r.inquiries):.2f}  (one put per inquiry, {meter.advances:,} checkpoint advances, "
          f"{joined} thread joins; {writes:,} writes in all)")

    # --- X: search requests per poll against the packing optimum, reads against the tier's cap -----------------
    limit = QUERY_LENGTH[level]  # type: ignore[index]
    catalogue = default_catalogue()
    packed, lower = len(pack_queries(catalogue, limit)), optimum_queries(catalogue, limit)
    try:  # ambiguous keywords grouped with their context (issue 16), as the poller packs them by default
        from activecare.keywords.grouped import grouped_optimum, pack_for
        from activecare.settings import Settings

        grouping = Settings().x_group_ambiguous
        if grouping != "off":
            packed = len(pack_for(catalogue, limit, group_ambiguous=grouping))
            lower = grouped_optimum(catalogue, limit, only_noisy=grouping == "noisy")
    except ImportError:
        pass
    searches = r.api_requests.get("search", 0) + r.api_requests.get("mentions", 0)
    print(f"X requests per poll (search+mentions)  {searches / minutes:9.2f}  optimum {lower + len(DEFAULT_ACCOUNTS)} "
          f"({packed} packed queries, packing lower bound {lower}, + {len(DEFAULT_ACCOUNTS)} mentions)")
    print(f"X requests in all                      {sum(r.api_requests.values()):9,d}  {dict(r.api_requests)}")
    print(f"tweets fetched per relevant tweet      {r.fetched / max(1, r.relevant_truth):9.2f}  "
          f"({r.fetched:,} fetched, {r.relevant_truth} relevant on X, {r.missed_relevant} relevant missed)")
    read = sum(meter.posts_read.values())
    month = read * DAYS_PER_MONTH * (11 * 60 / minutes)
    caps = ", ".join(f"{tier} cap {cap:,}: {month / cap:.1f}x" for tier, cap in X_READ_CAP.items())
    print(f"X posts read                           {read:9,d}  {dict(meter.posts_read)}")
    print(f"  per 30 days of 09-20 service         {month:9,.0f}  ({caps})")

    # --- the AWS bill per day at seed volume ------------------------------------------------------------------
    bill = estimate_bill(r, meter, minutes)
    scale = 11 * 60 / minutes
    note = "" if scale == 1 else f"; request-priced rows scaled x{scale:.2f} to 11 h"
    print(f"estimated AWS cost per day (USD; Tokyo list prices as of {PRICES_AS_OF}{note})")
    total = 0.0
    for label, qty, usd, per_request in bill:
        usd *= scale if per_request else 1
        total += usd
        print(f"  {label:<66}{qty:>10}  {usd:9.4f}")
    print(f"  {'total':<66}{'':>10}  {total:9.4f}")
    print("  prices assumed: " + ", ".join(f"{k} {v:.8g}" for k, v in PRICES.items()))
    d = r.desk
    print(f"X API cost of the desk's posts at pay-per-use: ${d['api_cost_usd']:.3f} ({d['api_posts']} API posts, "
          f"{d['api_posts_with_url']} with a URL; {d['manual_posts']} sent by hand cost nothing); campaign DMs: see "
          f"the day's summary ($0.015 each)")


def estimate_bill(r: DayResult, meter: DayMeter, minutes: int) -> list[tuple[str, str, float, bool]]:
    """(label, quantity, USD, priced per request) rows; fixed monthly prices are taken at 1/30 a day."""
    p = PRICES
    calls: Counter[tuple[str, str]] = Counter()
    for (ch, svc, op), n in r.inspected["calls"].items():
        if ch != "bench":
            calls[(svc, op)] += n
    memory = template_memory_mb()
    desk_requests = sum(meter.desk_requests.values())
    runs = {  # Lambda invocations and measured local wall seconds (an over-estimate of billed duration)
        "poller": (minutes, r.phase_s["poller"]),
        "worker": (r.worker_invocations, r.phase_s["worker"]),
        "desk": (desk_requests, r.phase_s["desk"]),
        "publisher": (r.posts.get("runs", 0), r.phase_s["publisher"]),
        "campaign": (meter.campaign_invocations, r.phase_s["campaign"]),
        "reporter": (len([row for row in r.reports if row[0].startswith("reports ") and "sent" in row[0]]),
                     r.phase_s["reports"]),
    }
    invocations = sum(n for n, _ in runs.values())
    gb_s = sum(seconds * memory.get(fn, 512) / 1024 for fn, (_, seconds) in runs.items())
    ddb_writes = sum(n for (svc, op), n in calls.items() if svc == "dynamodb" and op in DYNAMODB_WRITES)
    ddb_reads = sum(n for (svc, op), n in calls.items() if svc == "dynamodb" and op not in DYNAMODB_WRITES)
    kb = r.inspected.get("inquiry_kb", 1.0)
    sqs = sum(n for (svc, _), n in calls.items() if svc == "sqs")
    secrets = sum(n for (svc, _), n in calls.items() if svc == "secretsmanager")
    emails = sum(n for (svc, op), n in calls.items() if svc == "ses" and op in ("SendRawEmail", "SendEmail", "POST"))
    scheduled = minutes + r.posts.get("runs", 0) + 2 + max(0, meter.campaign_invocations // 2)
    metrics = 5  # poller: ServiceHourPolls, TweetsMatched; reporter: ReportsSent, ReportSendFailures, ReportsInDoubt
    alarms = template_alarms()
    day_share = 1 / DAYS_PER_MONTH
    return [
        ("Lambda requests", f"{invocations:,}", invocations * p["lambda_request"], True),
        ("Lambda GB-s (local wall time x template memory)", f"{gb_s:,.0f}", gb_s * p["lambda_gb_s"], True),
        ("API Gateway HTTP API requests (desk)", f"{desk_requests:,}", desk_requests * p["http_api_request"], True),
        (f"DynamoDB writes (1 WRU each; inquiry items ~{kb:.1f} KB -> up to {math.ceil(kb)} WRU)", f"{ddb_writes:,}",
         ddb_writes * p["dynamodb_wru"], True),
        ("DynamoDB reads (1 RRU per request, strongly consistent <= 4 KB)", f"{ddb_reads:,}",
         ddb_reads * p["dynamodb_rru"], True),
        ("SQS requests", f"{sqs:,}", sqs * p["sqs_request"], True),
        ("Secrets Manager API calls", f"{secrets:,}", secrets * p["secrets_api_call"], True),
        ("Secrets Manager: 2 secrets (month share)", "2", 2 * p["secret_month"] * day_share, False),
        ("SES e-mails", f"{emails:,}", emails * p["ses_email"], True),
        ("EventBridge Scheduler invocations", f"{scheduled:,}", scheduled * p["scheduler_invocation"], True),
        (f"CloudWatch: {metrics} custom metrics + {alarms} alarms (month share)", f"{metrics}+{alarms}",
         (metrics * p["cw_metric_month"] + alarms * p["cw_alarm_month"]) * day_share, False),
    ]


if __name__ == "__main__":
    main()
