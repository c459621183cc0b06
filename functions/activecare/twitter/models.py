"""Plain domain types for posts and users, independent of tweepy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class User:
    id: str
    username: str
    name: str = ""
    created_at: datetime | None = None
    followers_count: int | None = None


@dataclass(frozen=True)
class Tweet:
    id: str
    text: str
    author_id: str
    created_at: datetime
    conversation_id: str | None = None
    in_reply_to_user_id: str | None = None
    # (type, id) pairs: type is "replied_to", "quoted" or "retweeted"
    referenced_tweets: tuple[tuple[str, str], ...] = ()
    lang: str | None = None
    author: User | None = None

    @property
    def is_retweet(self) -> bool:
        return any(kind == "retweeted" for kind, _ in self.referenced_tweets)

    @property
    def replied_to(self) -> str | None:
        return next((tid for kind, tid in self.referenced_tweets if kind == "replied_to"), None)


@dataclass(frozen=True)
class Page:
    """One page of a timeline or search, with the API's meta."""

    tweets: list[Tweet] = field(default_factory=list)
    newest_id: str | None = None
    oldest_id: str | None = None
    next_token: str | None = None
    result_count: int = 0
    users: int = 0  # user objects the response carried (expansions): billed as user reads
