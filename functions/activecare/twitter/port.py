"""The port the domain uses to reach X. The tweepy gateway implements it; unit
tests use an in-memory fake."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from activecare.twitter.models import Page, User


class TwitterError(Exception):
    """Base class for every failure reaching X."""


class RateLimited(TwitterError):
    """HTTP 429: stop now, keep checkpoints, continue after `reset_at`."""

    def __init__(self, endpoint: str, reset_at: datetime | None) -> None:
        super().__init__(f"rate limited on {endpoint} until {reset_at}")
        self.endpoint = endpoint
        self.reset_at = reset_at


class TwitterUnavailable(TwitterError):
    """5xx, timeouts, connection errors, malformed bodies: retry on the next run."""


class TwitterRejected(TwitterError):
    """4xx other than 429: the request itself is wrong (query too long, bad id...)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class DuplicateContent(TwitterRejected):
    """The API refused a post whose text repeats a recent one."""


class ResourceGone(TwitterRejected):
    """X answered a read with only a resource error for what was asked: the tweet or user is deleted, suspended or
    protected (`reason`: "deleted" | "suspended" | "protected"). X's rules: erase what we hold of it (24 h)."""

    def __init__(self, status: int, detail: str, *, resource_type: str, resource_id: str, reason: str) -> None:
        super().__init__(status, detail)
        self.resource_type = resource_type
        self.resource_id = resource_id
        self.reason = reason


# X's 403 to a reply (or quote) whose tweet is deleted or not visible to us (its author protected or suspended).
REPLY_TARGET_GONE = "deleted or not visible"


class TwitterPort(Protocol):
    def search_recent(
        self,
        query: str,
        *,
        since_id: str | None = None,
        until_id: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        next_token: str | None = None,
        max_results: int = 100,
    ) -> Page: ...

    def mentions(
        self,
        user_id: str,
        *,
        since_id: str | None = None,
        until_id: str | None = None,
        start_time: datetime | None = None,
        pagination_token: str | None = None,
        max_results: int = 100,
    ) -> Page: ...

    def user_tweets(
        self,
        user_id: str,
        *,
        since_id: str | None = None,
        until_id: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        max_results: int = 5,
    ) -> Page: ...

    def lookup_users(self, user_ids: list[str]) -> list[User]:
        """GET /2/users?ids= (at most 100): id, name and username of each account found (others are left out)."""
        ...

    def me(self) -> User: ...

    def post(self, text: str, *, in_reply_to: str | None = None) -> str:
        """Create a post; returns its id."""
        ...
