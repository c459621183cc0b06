"""`activecare figures [--day YYYY-MM-DD] [--json]`: a day's figures in Japan time, for the ops check-in.

Inquiries opened that day by status and topic (the by_status index, as the reports read it), the desk's
replies and resolutions (the day's tallies), each account's posts against the calendar's caps, and the
depth of the listen queue and its DLQ (with --stack), and the day's X bill (the UTC day X bills, which starts
at 09:00 JST of that day): the poller's read counters (listening/usage.py; responses as read, so an upper bound
of X's once-a-day billing) and the desk's posts, by category, per answered inquiry and per search query, with
the month's forecast against X_MONTHLY_BUDGET_USD. Counts only: no tweet text, no authors.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from activecare.cli.common import CliError, runtime, target

if TYPE_CHECKING:
    from activecare.wiring import Runtime


def _day(value: str | None, now: datetime) -> tuple[str, datetime, datetime]:
    from activecare.clock import JST, to_jst

    day = value or to_jst(now).strftime("%Y-%m-%d")
    try:
        start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=JST)
    except ValueError:
        raise CliError(f"--day {day!r} must be YYYY-MM-DD") from None
    return day, start, start + timedelta(days=1)


def _posts(rt: Runtime, day: str) -> dict[str, Any]:
    """Per account, per category: posted against the cap (empty when no calendar was imported)."""
    from pydantic import TypeAdapter

    from activecare.publishing.dynamo import DynamoPublishStore
    from activecare.publishing.models import PostsSummary
    from activecare.publishing.service import CalendarMissing, Planner

    planner = Planner(accounts=rt.settings.accounts, store=DynamoPublishStore(), clock=rt.clock)  # reads only
    try:
        summary = planner.summary(day)
    except CalendarMissing:
        return {}
    return TypeAdapter(PostsSummary).dump_python(summary, mode="json")


def _queues(rt: Runtime) -> dict[str, int | None]:
    import boto3

    sqs = boto3.client("sqs", region_name=rt.settings.region)
    stack = target.stack()
    urls = {"listen": rt.settings.queue_url or None,
            "dead_letters": stack.output("ListenDeadLetterQueueUrl") if stack else None}
    depths: dict[str, int | None] = {}
    for name, url in urls.items():
        depths[name] = None if not url else int(sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
    return depths


def collect(day_arg: str | None) -> dict[str, Any]:
    from activecare.desk.dynamo import DynamoTally
    from activecare.desk.figures import day_figures
    from activecare.reporting.dynamo import DynamoReportInquiries

    rt = runtime()
    day, start, end = _day(day_arg, rt.clock())
    rows = DynamoReportInquiries().created_between(start - timedelta(microseconds=1), end - timedelta(microseconds=1))
    desk = day_figures(day, DynamoTally().read(day)).model_dump(mode="json")
    return {
        "day": day,
        "inquiries": {"total": len(rows), "by_status": dict(Counter(r.status for r in rows)),
                      "by_topic": dict(Counter(r.topic for r in rows).most_common()),
                      "by_sentiment": dict(Counter(r.sentiment for r in rows))},
        "desk": {k: desk["desk"][k] for k in ("replies", "api_posts", "manual_posts", "email_form_guidance",
                                              "resolved", "reopened", "median_first_response_s")},
        "agents": len(desk["agents"]),
        "posts": _posts(rt, day),
        "queues": _queues(rt),
        "x_bill": _x_bill(rt, day, desk["desk"]),
    }


def _x_bill(rt: Runtime, day: str, desk: dict[str, Any]) -> dict[str, Any]:
    from activecare.listening.dynamo import DynamoUsage
    from activecare.listening.usage import forecast_usd
    from activecare.twitter.pricing import CATEGORIES, breakdown_usd, cost_usd

    usage = DynamoUsage().get(day[:7])
    counts = dict.fromkeys(CATEGORIES, 0)
    counts.update(usage.days.get(day[8:], {}))
    with_url = int(desk.get("posts_with_url") or 0)
    counts["posts_with_url"] = with_url
    counts["posts"] = max(int(desk.get("api_posts") or 0) - with_url, 0)
    total = cost_usd(counts)
    replies = int(desk.get("replies") or 0)
    queries = sorted(usage.reads, key=lambda k: -usage.reads[k])
    budget = rt.settings.x_monthly_budget_usd
    return {"utc_day": day, "counts": counts, "usd": breakdown_usd(counts), "total_usd": total,
            "per_answered_usd": round(total / replies, 4) if replies else None,
            "month_reads_usd": usage.usd(), "month_forecast_usd": forecast_usd(usage, rt.clock()),
            "budget_usd": budget,
            # yield: the matcher's keeps per post read; the desk's verdicts (resolved, of them answered) scale it
            # in the plan that degrades low-yield searches (listening/usage.py yield_of)
            "per_query_month": [{"source": k, "posts_read": usage.reads[k], "matched": usage.matched.get(k, 0),
                                 "yield": round(usage.matched.get(k, 0) / usage.reads[k], 3),
                                 "desk_resolved": usage.resolved.get(k, 0), "desk_answered": usage.answered.get(k, 0)}
                                for k in queries]}


def _text(f: dict[str, Any]) -> str:
    inq, desk, q = f["inquiries"], f["desk"], f["queues"]
    median = desk["median_first_response_s"]
    lines = [f"{f['day']} (JST)",
             f"お問い合わせ {inq['total']} 件: " + ", ".join(f"{k} {v}" for k, v in sorted(inq["by_status"].items())),
             "  トピック: " + (", ".join(f"{k} {v}" for k, v in inq["by_topic"].items()) or "—"),
             f"返信 {desk['replies']} 件（API {desk['api_posts']} / 手動 {desk['manual_posts']}）、"
             f"フォーム案内 {desk['email_form_guidance']}、解決 {desk['resolved']}、担当者 {f['agents']} 名、"
             f"初回返信の中央値 {'—' if median is None else median} 秒"]
    if not f["posts"]:
        lines.append("投稿: カレンダー未登録（activecare posts import FILE）")
    for account, cats in f["posts"].items():
        lines.append(f"投稿 @{account}: " + ", ".join(f"{c} {v['posted']}/{v['cap']}" for c, v in cats.items()))
    depth = {k: ("—" if v is None else str(v)) for k, v in q.items()}
    lines.append(f"キュー: listen {depth['listen']}, DLQ {depth['dead_letters']}"
                 + ("（activecare dlq list）" if q.get("dead_letters") else ""))
    bill = f["x_bill"]
    per = bill["per_answered_usd"]
    lines.append(f"X 料金（UTC {bill['utc_day']}、従量課金）${bill['total_usd']:.2f}: "
                 + ", ".join(f"{k} {n:,} ${bill['usd'][k]:.2f}" for k, n in bill["counts"].items())
                 + f"; 返信 1 件あたり {'—' if per is None else f'${per:.3f}'}")
    budget = f" / 予算 ${bill['budget_usd']:.2f}" if bill["budget_usd"] else ""
    lines.append(f"  今月の読み取り ${bill['month_reads_usd']:.2f}、月末予測 ${bill['month_forecast_usd']:.2f}{budget}")
    for row in bill["per_query_month"][:5]:
        lines.append(f"  {row['source']}: 読み取り {row['posts_read']:,}、一致 {row['matched']:,}"
                     f"（{row['yield']:.1%}）、デスクで解決 {row['desk_resolved']:,} うち回答 {row['desk_answered']:,}")
    return "\n".join(lines)


def cmd_figures(args: argparse.Namespace) -> int:
    figures = collect(args.day)
    print(json.dumps(figures, ensure_ascii=False, indent=2) if args.json else _text(figures))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("figures", help="a day's inquiries, replies, posts vs caps and queue depths (JST)")
    p.add_argument("--day", help="JST date YYYY-MM-DD (default: today in Japan)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_figures)
