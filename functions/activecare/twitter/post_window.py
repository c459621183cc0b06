"""X's 100 posts per 15 minutes per account, counted over every feature that posts.

Every post we make goes through a gateway's `post`: the desk's API replies, the publisher's scheduled posts, the
campaign's announcement, an incident's status posts. A gateway given a `PostCounter` (the composition root gives
one to each posting account) adds the post to its account's window *before* sending it, keyed by a hash of the
text and the tweet it answers: a retried post (X refuses the same text twice) lands on the same key and counts
once; a post X refused for good (4xx, not a duplicate) is taken out again; a post whose outcome is unknown (a 5xx,
a timeout) stays counted - the window errs on the side of waiting. The crisis desk reads the window before a
grouped reply (activecare/outage/service.py `check_rate`).

The window is kept in minute buckets (one small set of keys per account and minute): the count is of the last 15
minutes plus the current minute's start, one read of 16 keys.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from activecare.clock import Clock, minute_key
from activecare.twitter.port import DuplicateContent, TwitterRejected

WINDOW = timedelta(minutes=15)
POSTS_PER_WINDOW = 100


def post_key(text: str, in_reply_to: str | None = None) -> str:
    """One post's key in the window: the same text to the same tweet is the same post."""
    return hashlib.sha256(f"{in_reply_to or ''}\n{text}".encode()).hexdigest()[:20]


def bucket(at: datetime) -> str:
    """The minute bucket of `at` (UTC, YYYYmmddHHMM)."""
    return minute_key(at)


def window_buckets(now: datetime) -> list[str]:
    """The buckets a post of the last 15 minutes can be in (16: the oldest minute may be partly inside)."""
    minutes = int(WINDOW.total_seconds() // 60)
    return [bucket(now - timedelta(minutes=back)) for back in range(minutes, -1, -1)]


class PostWindow(Protocol):
    def add(self, account: str, key: str, at: datetime) -> None:
        """Count the post `key` in `at`'s minute (idempotent)."""
        ...

    def remove(self, account: str, key: str, at: datetime) -> None:
        """Take back a post X refused (from `at`'s minute)."""
        ...

    def count(self, account: str, now: datetime) -> int:
        """The account's posts in the last 15 minutes (each key once)."""
        ...


class MemoryPostWindow:
    """The in-memory fake (unit tests, the simulator)."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, account: str, key: str, at: datetime) -> None:
        self.buckets[(account, bucket(at))].add(key)

    def remove(self, account: str, key: str, at: datetime) -> None:
        self.buckets[(account, bucket(at))].discard(key)

    def count(self, account: str, now: datetime) -> int:
        return len(set().union(*(self.buckets.get((account, b), set()) for b in window_buckets(now))))


class PostCounter:
    """One account's side of the window, wrapped around each post by the gateway."""

    def __init__(self, window: PostWindow, account: str, clock: Clock) -> None:
        self.window, self.account, self.clock = window, account, clock

    def around(self, text: str, in_reply_to: str | None, send: Callable[[], str]) -> str:
        key, at = post_key(text, in_reply_to), self.clock()
        self.window.add(self.account, key, at)
        try:
            return send()
        except DuplicateContent:
            raise  # the same text went out before (an earlier attempt): it stays counted
        except TwitterRejected:
            self.window.remove(self.account, key, at)
            raise
