"""What the poller reads from X, by source and query, the month's X bill forecast against the budget, and the
plan that degrades before the budget runs out.

Each run adds its counts to one state-table item per UTC month, ``search#usage#YYYY-MM`` (the poller's own
``search#`` prefix, one UpdateItem a run, never a write per tweet): posts read by search, users read (the
authors expanded), owned reads (our mentions), each per UTC day (``dDD_<category>``), and per source key the
posts read (``r_<key>``) and the tweets the matcher kept (``m_<key>``): the query's yield. The desk adds its
verdict when an agent first resolves an inquiry a search found: ``o_<key>`` resolved, ``a_<key>`` of them
answered (a reply or the e-mail form, not 返信不要); once a query has `MIN_RESOLVED_FOR_YIELD` of them, its yield
is the matcher's keeps scaled by the share the desk answered. The counts are what
the responses held; X bills a post once per UTC day however often it is read, so they bound the bill from above
(the fake X's /_fake/billing applies the dedup).

Degradation: with a budget (X_MONTHLY_BUDGET_USD) and a forecast above 80 % of it, the searches with the lowest
yield run every 2nd minute (every 4th above 100 %), and when they run they read only the last minute: they skip
what came in between, on purpose, so fewer posts are read (reading less often alone would read the same posts
later). Requests never fail for the budget; the mentions are never degraded.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from activecare.twitter.pricing import cost_usd

READ_CATEGORIES = ("post_reads", "user_reads", "owned_reads")
ALERT_SHARE = 0.8  # the forecast share of the budget from which low-yield searches are degraded (and alarmed)
LOW_YIELD_SHARE = 0.5  # the share of searches, lowest yield first, that are degraded
MIN_READS_FOR_YIELD = 100  # a query's yield counts once it read this many posts this month
MIN_RESOLVED_FOR_YIELD = 10  # the desk's verdict counts in a query's yield once it resolved this many of its finds


def usage_key(month: str) -> str:
    return f"search#usage#{month}"


@dataclass
class MonthUsage:
    month: str
    days: dict[str, dict[str, int]] = field(default_factory=dict)  # "DD" -> category -> n
    reads: dict[str, int] = field(default_factory=dict)  # source key -> posts read
    matched: dict[str, int] = field(default_factory=dict)  # source key -> tweets the matcher kept
    resolved: dict[str, int] = field(default_factory=dict)  # source key -> its inquiries the desk resolved
    answered: dict[str, int] = field(default_factory=dict)  # source key -> of those, answered

    def totals(self) -> dict[str, int]:
        return {c: sum(d.get(c, 0) for d in self.days.values()) for c in READ_CATEGORIES}

    def usd(self) -> float:
        return cost_usd(self.totals())

    def yield_of(self, key: str) -> float | None:
        """Relevant tweets per post read: the matcher's keeps, times the share of them the desk answered once
        it has resolved enough (a query whose finds the agents close as 返信不要 yields little)."""
        read = self.reads.get(key, 0)
        if read < MIN_READS_FOR_YIELD:
            return None
        kept = self.matched.get(key, 0) / read
        resolved = self.resolved.get(key, 0)
        return kept * self.answered.get(key, 0) / resolved if resolved >= MIN_RESOLVED_FOR_YIELD else kept


def forecast_usd(usage: MonthUsage, now: datetime) -> float:
    """The month's read bill at the month-to-date rate (UTC month, as X bills)."""
    now = now.astimezone(UTC)
    days = calendar.monthrange(now.year, now.month)[1]
    elapsed = (now - now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)).total_seconds() / 86400
    return round(usage.usd() * days / max(elapsed, 1 / 24), 4)


@dataclass(frozen=True)
class Plan:
    """Which searches run this minute and which of them read only the last minute."""

    forecast_usd: float = 0.0
    budget_usd: float = 0.0
    every: int = 1  # degraded searches run every `every` minutes
    degraded: frozenset[str] = frozenset()

    @property
    def share(self) -> float:
        return self.forecast_usd / self.budget_usd if self.budget_usd else 0.0

    def runs(self, key: str, now: datetime) -> bool:
        if key not in self.degraded or self.every <= 1:
            return True
        minute = int(now.timestamp() // 60)
        return (minute + sum(map(ord, key))) % self.every == 0


def plan(usage: MonthUsage, keys: list[str], now: datetime, budget_usd: float) -> Plan:
    if budget_usd <= 0:
        return Plan()
    forecast = forecast_usd(usage, now)
    share = forecast / budget_usd
    if share <= ALERT_SHARE:
        return Plan(forecast, budget_usd)
    known = sorted((y, k) for k in keys if (y := usage.yield_of(k)) is not None)
    low = frozenset(k for _, k in known[: max(1, int(len(known) * LOW_YIELD_SHARE))]) if known else frozenset()
    return Plan(forecast, budget_usd, every=4 if share > 1 else 2, degraded=low)
