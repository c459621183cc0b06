"""X's pay-per-use prices and how X bills them: the one place the project keeps them.

Billing rule (X, pay-per-use 2026; /work/shared/PITFALLS.md): each post or user *resource* is billed once per
UTC day however often it is read that day (UTC midnight is 09:00 JST); reads of our own mentions, timeline and
followers ("owned reads") cost $0.001 a resource; a counts request $0.005; a post created $0.015, $0.20 when it
holds a URL; a DM sent $0.015. A monthly post-read cap applies to the fixed tiers.

The fake X API meters with `DailyBill` (infra/fake_twitter/billing.py); the gateway and the poller count what
they read; the desk prices its posts with `posts_cost_usd`; the campaign its DMs with `PRICES["dms"]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

# Billable categories, in the order reports print them.
CATEGORIES: tuple[str, ...] = ("post_reads", "user_reads", "owned_reads", "counts", "posts", "posts_with_url",
                               "dms")
PRICES: dict[str, float] = {
    "post_reads": 0.005,  # a post returned by search, a timeline or a lookup
    "user_reads": 0.010,  # a user object (expansions=author_id, lookups, followers of others)
    "owned_reads": 0.001,  # a post or user read from our own mentions, timeline or followers
    "counts": 0.005,  # per counts request
    "posts": 0.015,  # a post created without a URL
    "posts_with_url": 0.20,  # a post created holding a URL
    "dms": 0.015,  # a DM sent
}
LABELS: dict[str, str] = {
    "post_reads": "post reads", "user_reads": "user reads", "owned_reads": "owned reads",
    "counts": "counts requests", "posts": "posts", "posts_with_url": "posts with URL", "dms": "DMs",
}
# Monthly post-read caps of the fixed tiers, as assumed from X's developer docs (2025); pay-per-use has none of
# its own but the budget setting (X_MONTHLY_BUDGET_USD) plays that part.
MONTHLY_READ_CAP: dict[str, int] = {"basic": 15_000, "pro": 1_000_000}
PRICE_PER_POST_USD = PRICES["posts"]
PRICE_PER_POST_WITH_URL_USD = PRICES["posts_with_url"]
PRICE_PER_DM_USD = PRICES["dms"]


def utc_day(at: datetime) -> str:
    """The UTC day X bills a resource on (YYYY-MM-DD)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d")


def cost_usd(counts: Mapping[str, int | float]) -> float:
    """The price of billable quantities by category (unknown keys ignored)."""
    return round(sum(PRICES[k] * float(n) for k, n in counts.items() if k in PRICES), 4)


def breakdown_usd(counts: Mapping[str, int | float]) -> dict[str, float]:
    """Each category's cost, every category present."""
    return {k: round(PRICES[k] * float(counts.get(k, 0)), 4) for k in CATEGORIES}


def posts_cost_usd(api_posts: int, api_posts_with_url: int) -> float:
    """`api_posts` counts every post created; `api_posts_with_url` those of them holding a URL."""
    return cost_usd({"posts": max(api_posts - api_posts_with_url, 0), "posts_with_url": api_posts_with_url})


class DailyBill:
    """X's dedup rule: `read(category, ids, at)` bills each resource id once per UTC day and category;
    `add(category, n, at)` bills every unit (posts created, DMs, counts requests)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], set[str]] = {}
        self._units: dict[tuple[str, str], int] = {}

    def read(self, category: str, ids: Iterable[str], at: datetime) -> int:
        """Record resources read; returns how many were newly billed."""
        seen = self._seen.setdefault((utc_day(at), category), set())
        before = len(seen)
        seen.update(ids)
        return len(seen) - before

    def add(self, category: str, n: int, at: datetime) -> None:
        key = (utc_day(at), category)
        self._units[key] = self._units.get(key, 0) + n

    def days(self) -> list[str]:
        return sorted({day for day, _ in self._seen} | {day for day, _ in self._units})

    def counts(self, day: str) -> dict[str, int]:
        return {c: len(self._seen.get((day, c), ())) + self._units.get((day, c), 0) for c in CATEGORIES}

    def report(self, day: str | None = None) -> dict[str, object]:
        """{day: {counts, usd, total_usd}} for one day or all."""
        days = [day] if day else self.days()
        out: dict[str, object] = {}
        for d in days:
            counts = self.counts(d)
            out[d] = {"counts": counts, "usd": breakdown_usd(counts), "total_usd": cost_usd(counts)}
        return out
