"""InMemoryTwitter: a tiny TwitterPort for unit tests (no HTTP, no tweepy).

Search matches with a small built-in matcher (space = AND, ``OR``, ``"phrases"``, ``-term``,
``lang:``, ``is:retweet``, ``is:reply``, ``from:``; no parentheses; NFKC + case-insensitive
substrings). Pass ``matcher=infra.fake_twitter.matches_domain_tweet`` for the full language.
Errors can be scripted per endpoint with `fail_next`.
"""

from __future__ import annotations

import shlex
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import Clock, system_clock
from activecare.twitter.models import Page, Tweet, User
from activecare.twitter.port import DuplicateContent, TwitterError, TwitterRejected
from activecare.twitter.post_window import PostCounter
from activecare.twitter.snowflake import snowflake

Matcher = Callable[[str, Tweet], bool]
DUPLICATE_WINDOW = timedelta(hours=24)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def simple_match(query: str, tweet: Tweet) -> bool:
    """A minimal X query evaluator (see module docstring)."""
    text = _norm(tweet.text)
    try:
        words = shlex.split(query, posix=True)
    except ValueError:
        words = query.split()
    groups: list[list[str]] = [[]]
    for word in words:
        if word == "OR":
            groups.append([])
        else:
            groups[-1].append(word)
    return any(group and all(_clause(w, tweet, text) for w in group) for group in groups)


def _clause(word: str, tweet: Tweet, text: str) -> bool:
    if word.startswith("-") and len(word) > 1:
        return not _clause(word[1:], tweet, text)
    name, _, value = word.partition(":")
    if value and name == "lang":
        return (tweet.lang or "") == value
    if value and name == "is":
        return {"retweet": tweet.is_retweet, "reply": tweet.replied_to is not None}.get(value, False)
    if value and name == "from":
        return tweet.author is not None and tweet.author.username.lower() == value.lstrip("@").lower()
    return _norm(word) in text


class InMemoryTwitter:
    """TwitterPort over dictionaries: add tweets/users, read `posted` and `calls` afterwards."""

    def __init__(self, me: User | None = None, *, clock: Clock = system_clock,
                 matcher: Matcher = simple_match) -> None:
        self._me = me or User(DEFAULT_ACCOUNTS[0].user_id, DEFAULT_ACCOUNTS[0].username, "サポート")
        self.clock = clock
        self.matcher = matcher
        self.tweets: dict[str, Tweet] = {}
        self.users: dict[str, User] = {self._me.id: self._me}
        self.posted: list[Tweet] = []
        self.calls: Counter[str] = Counter()
        self._failures: dict[str, list[TwitterError]] = {}
        self.post_counter: PostCounter | None = None
        self._seq = 0

    # --- set-up -----------------------------------------------------------------------

    def add(self, *tweets: Tweet | Iterable[Tweet]) -> None:
        """Add tweets (their author, if set, is added to the users too)."""
        for item in tweets:
            for tweet in [item] if isinstance(item, Tweet) else item:
                self.tweets[tweet.id] = tweet
                if tweet.author is not None:
                    self.users.setdefault(tweet.author.id, tweet.author)

    def add_users(self, *users: User) -> None:
        for user in users:
            self.users[user.id] = user

    def fail_next(self, endpoint: str, error: TwitterError, times: int = 1) -> None:
        """Raise `error` on the next `times` calls to `endpoint` ("search", "mentions", ...)."""
        self._failures.setdefault(endpoint, []).extend([error] * times)

    # --- TwitterPort ------------------------------------------------------------------

    def search_recent(self, query: str, *, since_id: str | None = None, until_id: str | None = None,
                      start_time: datetime | None = None, end_time: datetime | None = None,
                      next_token: str | None = None, max_results: int = 100) -> Page:
        self._enter("search")
        now = self.clock()
        found = [t for t in self._visible(since_id=since_id, until_id=until_id, start=start_time, end=end_time)
                 if not t.is_retweet and t.created_at >= now - timedelta(days=7) and self.matcher(query, t)]
        return self._page(found, next_token, max_results, authors=False)

    def mentions(self, user_id: str, *, since_id: str | None = None, until_id: str | None = None,
                 start_time: datetime | None = None, pagination_token: str | None = None,
                 max_results: int = 100) -> Page:
        self._enter("mentions")
        user = self.users.get(user_id)
        handle = f"@{user.username}".lower() if user else f"@{user_id}"
        found = [t for t in self._visible(since_id=since_id, until_id=until_id, start=start_time)
                 if handle in t.text.lower()]
        return self._page(found, pagination_token, max_results)

    def user_tweets(self, user_id: str, *, since_id: str | None = None, until_id: str | None = None,
                    start_time: datetime | None = None, end_time: datetime | None = None,
                    max_results: int = 5) -> Page:
        self._enter("user_tweets")
        found = [t for t in self._visible(since_id=since_id, until_id=until_id, start=start_time, end=end_time)
                 if t.author_id == user_id]
        return self._page(found, None, max_results)

    def lookup_users(self, user_ids: list[str]) -> list[User]:
        self._enter("users")
        return [self.users[u] for u in user_ids if u in self.users]

    def me(self) -> User:
        self._enter("me")
        return self._me

    def post(self, text: str, *, in_reply_to: str | None = None) -> str:
        if self.post_counter is not None:  # the account's 15-minute post window, as the gateway keeps it
            return self.post_counter.around(text, in_reply_to, lambda: self._post(text, in_reply_to))
        return self._post(text, in_reply_to)

    def _post(self, text: str, in_reply_to: str | None) -> str:
        self._enter("post")
        now = self.clock()
        for earlier in self.tweets.values():
            recent = now - earlier.created_at < DUPLICATE_WINDOW
            if earlier.author_id == self._me.id and earlier.text == text and recent:
                raise DuplicateContent(403, "You are not allowed to create a Tweet with duplicate content.")
        parent = self.tweets.get(in_reply_to) if in_reply_to else None
        if in_reply_to and parent is None:
            raise TwitterRejected(403, "You attempted to reply to a Tweet that is deleted or not visible "
                                       "to you.")
        self._seq += 1
        tid = snowflake(now, self._seq)
        tweet = Tweet(
            id=tid, text=text, author_id=self._me.id, created_at=now,
            conversation_id=(parent.conversation_id or parent.id) if parent else tid,
            in_reply_to_user_id=parent.author_id if parent else None,
            referenced_tweets=(("replied_to", parent.id),) if parent else (), author=self._me,
        )
        self.tweets[tid] = tweet
        self.posted.append(tweet)
        return tid

    # --- helpers ------------------------------------------------------------------------

    def _enter(self, endpoint: str) -> None:
        self.calls[endpoint] += 1
        queue = self._failures.get(endpoint)
        if queue:
            raise queue.pop(0)

    def _visible(self, *, since_id: str | None = None, until_id: str | None = None,
                 start: datetime | None = None, end: datetime | None = None) -> list[Tweet]:
        now = self.clock()
        out = [
            t for t in self.tweets.values()
            if t.created_at <= now
            and (since_id is None or int(t.id) > int(since_id))
            and (until_id is None or int(t.id) < int(until_id))
            and (start is None or t.created_at >= start)
            and (end is None or t.created_at < end)
        ]
        return sorted(out, key=lambda t: int(t.id), reverse=True)

    def _page(self, found: list[Tweet], token: str | None, max_results: int, *, authors: bool = True) -> Page:
        """`authors`: the response carries the user objects (expansions=author_id); search asks for none."""
        offset = int(token) if token else 0
        chunk = [replace(t, author=(t.author or self.users.get(t.author_id)) if authors else None)
                 for t in found[offset : offset + max_results]]
        more = offset + max_results < len(found)
        return Page(
            tweets=chunk,
            newest_id=chunk[0].id if chunk else None,
            oldest_id=chunk[-1].id if chunk else None,
            next_token=str(offset + max_results) if more else None,
            result_count=len(chunk),
            users=len({t.author_id for t in chunk if t.author is not None}),  # as X's includes.users
        )
