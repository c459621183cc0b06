"""Access tiers and rate limits: per endpoint, per 15-minute window on the fake clock."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(minutes=15)
TIERS = ("basic", "pro", "pay_per_use", "enterprise")
ENDPOINTS = ("search", "mentions", "user_tweets", "me", "post")
_GENEROUS = 100_000

QUERY_MAX_LENGTH = {"basic": 512, "pro": 512, "pay_per_use": 512, "enterprise": 4096}

# tier -> endpoint -> (per app with app-only auth, per user with user-context auth), per 15 min.
_SELF_SERVE = {
    "search": (450, 300),
    "mentions": (450, 300),
    "user_tweets": (1500, 900),
    "me": (75, 75),
    "post": (100, 100),
}
LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "basic": {
        "search": (60, 60),
        "mentions": (15, 10),
        "user_tweets": (10, 5),
        "me": (75, 75),
        "post": (100, 100),
    },
    "pro": _SELF_SERVE,
    "pay_per_use": _SELF_SERVE,
    "enterprise": {ep: (_GENEROUS, _GENEROUS) for ep in ENDPOINTS} | {"post": (100, 100)},
}
# The campaign's endpoints (per app, per user) / 15 min, the same on every tier: retweeted_by 75,
# followers 15, DM lookups 300 (a conversation's and the account's), DM sends 15 per user (and 1,440 / 24 h,
# enforced by the state); user lookups by id (300 / 900) are the compliance sweep's `users_lookup` below.
CAMPAIGN_LIMITS = {"retweeted_by": (75, 75), "followers": (15, 15), "dm_events": (300, 300), "dm_send": (15, 15),
                   "dm_events_all": (300, 300)}
# Compliance (the sweep): lookups by id and batch compliance jobs, per 15 min.
COMPLIANCE_LIMITS = {"tweets_lookup": (450, 900), "users_lookup": (300, 900), "compliance_jobs": (150, 150)}
for _limits in LIMITS.values():
    _limits.update(CAMPAIGN_LIMITS)
    _limits.update(COMPLIANCE_LIMITS)


def check_tier(tier: str) -> str:
    """Validate a tier name."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; expected one of {TIERS}")
    return tier


@dataclass(frozen=True)
class Decision:
    """The outcome of one request against its bucket, and the headers to send."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds

    def headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(self.reset),
        }


class RateLimiter:
    """Fixed windows that open with the first request and last 15 minutes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], list[Any]] = {}  # key -> [window_start, used]

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def take(
        self, tier: str, endpoint: str, user_id: str | None, now: datetime, *, consume: bool = True
    ) -> Decision:
        """Count one request (unless `consume` is False) and say whether it is within budget."""
        per_app, per_user = LIMITS[tier][endpoint]
        limit = per_user if user_id else per_app
        key = (endpoint, f"user:{user_id}" if user_id else "app")
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or now >= bucket[0] + WINDOW:
                bucket = self._buckets[key] = [now, 0]
            reset = int((bucket[0] + WINDOW).timestamp())
            if bucket[1] >= limit:
                return Decision(False, limit, 0, reset)
            if consume:
                bucket[1] += 1
            return Decision(True, limit, max(limit - bucket[1], 0), reset)


@dataclass
class Stats:
    """Requests per endpoint (`by_endpoint`), 429s served per endpoint, faults served per kind, and
    `identical_across_accounts`: posts whose text another of the app's accounts had posted within 24 h
    (X's 2026 developer rules call that spam / platform manipulation), as (new id, earlier id) pairs."""

    by_endpoint: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    identical: list[tuple[str, str]] = field(default_factory=list)
    unsolicited: list[str] = field(default_factory=list)  # API DMs to users who had not DMed the sender first
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, endpoint: str) -> None:
        with self._lock:
            self.by_endpoint[endpoint] += 1

    def count_429(self, endpoint: str) -> None:
        with self._lock:
            self.rate_limited[endpoint] += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def count_identical(self, tweet_id: str, earlier_id: str) -> None:
        with self._lock:
            self.identical.append((tweet_id, earlier_id))

    def count_unsolicited(self, dm_event_id: str) -> None:
        with self._lock:
            self.unsolicited.append(dm_event_id)

    @property
    def unsolicited_dms(self) -> int:
        return len(self.unsolicited)

    @property
    def identical_across_accounts(self) -> int:
        return len(self.identical)

    @property
    def total(self) -> int:
        return sum(self.by_endpoint.values())

    @property
    def rate_limited_total(self) -> int:
        return sum(self.rate_limited.values())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "by_endpoint": dict(self.by_endpoint),
                "total": sum(self.by_endpoint.values()),
                "rate_limited": dict(self.rate_limited),
                "rate_limited_total": sum(self.rate_limited.values()),
                "faults": dict(self.faults),
                "identical_across_accounts": len(self.identical),
                "unsolicited_dms": len(self.unsolicited),
            }

    def reset(self) -> None:
        with self._lock:
            self.by_endpoint.clear()
            self.rate_limited.clear()
            self.faults.clear()
            self.identical.clear()
            self.unsolicited.clear()
