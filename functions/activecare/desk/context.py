"""The author's tweets before and after an inquiry's tweet, read from X when an agent opens the inquiry.

Read at ingest, every inquiry found by keyword cost two timeline reads (up to ten posts), most of them for
tweets nobody opened. Now the worker stores the inquiry with its context "pending", and the desk reads it on
the first open (DeskService.show), stores it on the inquiry (so it is read once) and keeps what it read per
author for the UTC day X bills a post on: a second inquiry of the same author that day whose tweet lies
inside what was read, with enough tweets on both sides, needs no request. The cache lives in the desk
function's memory (a warm Lambda keeps it); the inquiry item is the durable copy.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta

from aws_lambda_powertools import Logger

from activecare.clock import Clock
from activecare.twitter.models import Tweet
from activecare.twitter.port import ResourceGone, TwitterError, TwitterPort
from activecare.twitter.pricing import utc_day
from activecare.twitter.snowflake import snowflake_time

logger = Logger(child=True)

CONTEXT_SIZE = 5  # X's smallest page of a timeline
# Only the author's tweets within this time of the inquiry's tweet are read: X bills every post returned, and
# a timeline page reaching days back costs up to five posts a side that say nothing about this trouble.
CONTEXT_WINDOW = timedelta(hours=3)
MAX_AUTHORS = 2_000  # cached (author, day) entries kept; the oldest go first


@dataclass
class _Read:
    tweets: dict[str, Tweet] = field(default_factory=dict)
    around: set[str] = field(default_factory=set)  # tweet ids whose before/after were read


class AuthorContext:
    """`around(author_id, tweet_id)` -> (before, after, ok): up to `size` of the author's tweets each side."""

    def __init__(self, reader: TwitterPort, clock: Clock, *, size: int = CONTEXT_SIZE,
                 window: timedelta = CONTEXT_WINDOW, max_authors: int = MAX_AUTHORS) -> None:
        self.reader = reader
        self.clock = clock
        self.size = size
        self.window = window
        self.max_authors = max_authors
        self._cache: OrderedDict[tuple[str, str], _Read] = OrderedDict()
        self.requests = 0  # X requests made (the figures; a cache hit makes none)
        self.hits = 0
        self.failures = 0  # reads X answered with an error (the inquiry stays pending)

    def around(self, author_id: str, tweet_id: str) -> tuple[list[Tweet], list[Tweet], bool]:
        key = (author_id, utc_day(self.clock()))
        at = snowflake_time(tweet_id)
        read = self._cache.get(key)
        if read is None or not self._covers(read, tweet_id):
            end = at + self.window
            try:
                before = self.reader.user_tweets(author_id, until_id=tweet_id, start_time=at - self.window,
                                                 max_results=self.size).tweets
                self.requests += 1
                after = self.reader.user_tweets(author_id, since_id=tweet_id,
                                                end_time=end if end < self.clock() else None,
                                                max_results=self.size).tweets
                self.requests += 1
            except ResourceGone as gone:
                if gone.reason in ("suspended", "protected"):
                    raise  # the desk erases our copy (DeskService._author_gone)
                self.failures += 1  # not found: deactivated since, or never there; the sweep settles it
                logger.warning("context unavailable", extra={"tweet_id": tweet_id, "error": type(gone).__name__})
                return [], [], False
            except TwitterError as exc:
                self.failures += 1
                logger.warning("context unavailable", extra={"tweet_id": tweet_id, "error": type(exc).__name__})
                return [], [], False
            read = self._cache.pop(key, None) or _Read()
            read.tweets.update({t.id: t for t in [*before, *after]})
            read.around.add(tweet_id)
            self._cache[key] = read
            while len(self._cache) > self.max_authors:
                self._cache.popitem(last=False)
        else:
            self.hits += 1
        ordered = sorted((t for t in read.tweets.values() if abs(t.created_at - at) <= self.window),
                         key=lambda t: int(t.id))
        return ([t for t in ordered if int(t.id) < int(tweet_id)][-self.size:],
                [t for t in ordered if int(t.id) > int(tweet_id)][: self.size], True)

    def _covers(self, read: _Read, tweet_id: str) -> bool:
        """Read around this very tweet already, or it sits inside what was read with `size` tweets each side within
        the window of this tweet (a read window holds fewer when the author tweeted less: then the next inquiry
        reads its own)."""
        if tweet_id in read.around:
            return True
        at = snowflake_time(tweet_id)
        ids = [int(t.id) for t in read.tweets.values() if abs(t.created_at - at) <= self.window]  # what is shown
        n = int(tweet_id)
        return sum(1 for i in ids if i < n) >= self.size and sum(1 for i in ids if i > n) >= self.size
