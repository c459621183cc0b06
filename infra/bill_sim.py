"""The simulated day's X bill: what the fake X API metered (infra/fake_twitter/billing.py: each post and user
once per UTC day, owned reads apart), by category and per search query, per answered inquiry; and whether
every inquiry an agent handled shows the author's tweets before and after (read on open, desk/context.py).

`make day`, `make demo` (infra/simulate_day.py) and tests/bench/bench_day.py print these rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from activecare.twitter.pricing import CATEGORIES, LABELS, PRICES, breakdown_usd, cost_usd

CAMPAIGN_ENDPOINTS = frozenset({"retweeted_by", "followers", "follow_check", "dm_send", "dm_events"})


def summary(stack: Any, inquiries: Iterable[Any], answered: int) -> dict[str, Any]:
    """The fake X's bill of the stretch (all its UTC days), per query (query key, topics) and per answered
    inquiry; `inquiries`: the stored Inquiry items (context on the handled ones)."""
    report = stack.twitter.billing.report()
    counts = dict.fromkeys(CATEGORIES, 0)
    for day in report["days"].values():
        for c, n in day["counts"].items():
            counts[c] += n
    by_text: dict[str, int] = {}
    for day in report["by_query"].values():
        for text, n in day.items():
            by_text[text] = by_text.get(text, 0) + n
    queries = stack.runtime.listening()[2]
    per_query = sorted(((by_text.get(q.query, 0), q.key, ",".join(q.topics)) for q in queries), reverse=True)
    by_endpoint: dict[str, int] = {}
    for day in report.get("by_endpoint", {}).values():
        for key, n in day.items():
            by_endpoint[key] = by_endpoint.get(key, 0) + n
    # The campaign's reads (retweeters, followers: user objects) and DMs are not the desk's: apart.
    campaign = {k: n for k, n in by_endpoint.items() if k.split()[0] in CAMPAIGN_ENDPOINTS}
    # Posts of their own (the publisher's schedule, outage status posts, the campaign's announcement) answer no
    # inquiry: apart too. The desk's answers are the replies.
    own_posts = {k: n for k, n in by_endpoint.items() if k.split()[0] == "post"}
    desk_counts = dict(counts)
    for key, n in [*campaign.items(), *own_posts.items()]:
        desk_counts[key.split()[1]] -= n
    handled = [i for i in inquiries if i.status != "new"]
    total = cost_usd(counts)
    desk_total = cost_usd(desk_counts)
    own_total = cost_usd({k.split()[1]: n for k, n in own_posts.items()})
    return {
        "counts": counts,
        "usd": breakdown_usd(counts),
        "total_usd": total,
        "answered": answered,
        "by_endpoint": by_endpoint,
        "listening_desk_counts": desk_counts,
        "listening_desk_usd": breakdown_usd(desk_counts),
        "listening_desk_total_usd": desk_total,
        "own_posts_usd": own_total,
        "campaign_usd": round(total - desk_total - own_total, 4),
        "per_answered_usd": round(desk_total / answered, 4) if answered else None,
        "per_query": [{"key": k, "topics": t, "post_reads": n, "usd": round(n * PRICES["post_reads"], 3)}
                      for n, k, t in per_query],
        "handled": len(handled),
        "handled_with_context": sum(1 for i in handled if i.context_status == "ok"),
        "context_pending": sum(1 for i in inquiries if i.context_status == "pending"),
    }


def summary_rows(bill: dict[str, Any], top: int = 8) -> list[tuple[str, object]]:
    if not bill:
        return []
    rows: list[tuple[str, object]] = [("X bill of the day (USD, pay-per-use; the fake X's meter, once per UTC day)",
                                       f'{bill["total_usd"]:.2f}')]
    for c in CATEGORIES:
        rows.append((f"  {LABELS[c]} ({PRICES[c]:g} each)", f'{bill["counts"][c]:,} = {bill["usd"][c]:.2f}'))
    rows.append(("  of which the campaign (retweeters, followers, DMs)", f'{bill["campaign_usd"]:.2f}'))
    rows.append(("  of which posts of their own (scheduled, status, announcements)", f'{bill["own_posts_usd"]:.2f}'))
    rows.append(("  listening and the desk", f'{bill["listening_desk_total_usd"]:.2f}'))
    per = bill["per_answered_usd"]
    rows.append(("  listening and the desk per answered inquiry",
                 "-" if per is None else f"{per:.3f} ({bill['answered']} answered)"))
    rows.append(("  by endpoint (first billed through)",
                 ", ".join(f"{k} {n:,}" for k, n in sorted(bill["by_endpoint"].items())) or "-"))
    shown = bill["per_query"][:top]
    rows.append((f"  post reads per search query (top {len(shown)} of {len(bill['per_query'])})", ""))
    rows += [(f"    {q['key']} ({q['topics'][:40]})", f"{q['post_reads']:,} = {q['usd']:.2f}") for q in shown]
    rows.append(("inquiries handled by agents with the author's tweets before/after read on open",
                 f'{bill["handled_with_context"]} of {bill["handled"]} ({bill["context_pending"]} never opened)'))
    return rows
