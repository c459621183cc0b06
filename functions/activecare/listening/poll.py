"""One poll: search every packed query and the support accounts' mentions since
their checkpoints, re-match locally, queue the matches, then advance checkpoints.

Order matters for "never lose, never skip": a checkpoint moves only after every
page of that source was read and every match was queued. Anything that stops a
source half-way (429, 5xx, a queue failure, a crash) leaves its checkpoint where
it was, so the next run reads the same tweets again; the worker is idempotent on
tweet id, so a re-read never makes a second inquiry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from aws_lambda_powertools import Logger

from activecare.accounts import SupportAccount
from activecare.clock import Clock
from activecare.listening.models import ListenedTweet, MatchInfo
from activecare.listening.ports import Checkpoint, CheckpointStore, EnqueueFailed, MessageQueue
from activecare.twitter.models import Page, Tweet
from activecare.twitter.port import RateLimited, TwitterPort, TwitterRejected, TwitterUnavailable
from activecare.twitter.snowflake import snowflake

logger = Logger(child=True)

MAX_PAGES = 10  # 1,000 tweets for one source in one minute is far beyond the seed volume
RATE_LIMIT_FALLBACK = timedelta(minutes=15)
SEARCH_HORIZON = timedelta(days=7) - timedelta(minutes=5)


class KeywordMatch(Protocol):
    topic: str
    department: str
    account: str
    keywords: tuple[str, ...]


class Matcher(Protocol):
    def match(self, text: str) -> KeywordMatch | None: ...


class Query(Protocol):
    key: str
    query: str


@dataclass
class PollReport:
    requests: int = 0
    sqs_calls: int = 0
    fetched: int = 0
    matched: int = 0
    enqueued: int = 0
    own: int = 0
    sources_done: int = 0
    sources_deferred: int = 0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


Fetch = Callable[[str | None, str | None, datetime | None], Page]


@dataclass(frozen=True)
class Source:
    key: str  # checkpoint key
    kind: Literal["search", "mention"]
    name: str  # packed query key or account key
    endpoint: str  # rate-limit bucket
    text: str  # query text, recorded with the checkpoint for ops
    fetch: Fetch


class Poller:
    def __init__(
        self,
        *,
        twitter: TwitterPort,
        queue: MessageQueue,
        checkpoints: CheckpointStore,
        matcher: Matcher,
        queries: Sequence[Query],
        accounts: Sequence[SupportAccount],
        clock: Clock,
        search_budget: int,
        mention_topics: dict[str, MatchInfo],
        first_lookback: timedelta = timedelta(minutes=5),
    ) -> None:
        self.twitter = twitter
        self.queue = queue
        self.checkpoints = checkpoints
        self.matcher = matcher
        self.queries = list(queries)
        self.accounts = list(accounts)
        self.clock = clock
        self.search_budget = search_budget
        self.first_lookback = first_lookback
        self.mention_topics = mention_topics  # a mention with no keyword goes to its account's topic
        self.own_ids = frozenset(a.user_id for a in accounts)

    def sources(self) -> list[Source]:
        found: list[Source] = []
        for acc in self.accounts:
            found.append(Source(
                key=f"mention#{acc.key}", kind="mention", name=acc.key, endpoint="mentions",
                text=f"@{acc.username}",
                fetch=functools.partial(self._mentions, acc.user_id),
            ))
        for q in self.queries:
            found.append(Source(
                key=f"search#{q.key}", kind="search", name=q.key, endpoint="search", text=q.query,
                fetch=functools.partial(self._search, q.query),
            ))
        return found

    def _mentions(self, user_id: str, since: str | None, token: str | None, start: datetime | None) -> Page:
        return self.twitter.mentions(user_id, since_id=since, start_time=start, pagination_token=token)

    def _search(self, query: str, since: str | None, token: str | None, start: datetime | None) -> Page:
        return self.twitter.search_recent(query, since_id=since, start_time=start, next_token=token)

    def run(self) -> PollReport:
        report = PollReport()
        now = self.clock()
        sources = self.sources()
        mentions = [s for s in sources if s.kind == "mention"]
        budget = {"mentions": len(mentions) * MAX_PAGES, "search": self.search_budget}
        # One read for every checkpoint and both endpoints' rate-limit marks.
        marks, blocked = self.checkpoints.load_all([s.key for s in sources], list(budget))
        self._start_new_sources(sources, marks, now)
        # Search budget (Basic tier has 4 requests a minute): stalest first, then most productive.
        searches = sorted(
            (s for s in sources if s.kind == "search"),
            key=lambda s: (marks[s.key].polled_at or datetime.min.replace(tzinfo=now.tzinfo),
                           -marks[s.key].matched_last),
        )
        for source in [*mentions, *searches]:
            until = blocked[source.endpoint]
            if (until and until > now) or budget[source.endpoint] <= 0:
                report.sources_deferred += 1
                continue
            self._poll(source, marks[source.key], now, budget, report, blocked)
        logger.info("poll finished", extra=report.as_dict())
        return report

    def _poll(self, source: Source, mark: Checkpoint, now: datetime, budget: dict[str, int],
              report: PollReport, blocked: dict[str, datetime | None]) -> None:
        since = self._since(source, mark, now, report)
        start = None
        tweets: list[Tweet] = []
        newest: str | None = None
        token: str | None = None
        try:
            for page_no in range(MAX_PAGES):
                if page_no and budget[source.endpoint] <= 0:
                    raise _OutOfBudget
                page = source.fetch(since, token, start)
                budget[source.endpoint] -= 1
                report.requests += 1
                if page_no == 0:
                    newest = page.newest_id
                tweets.extend(page.tweets)
                token = page.next_token
                if not token:
                    break
            else:
                raise _OutOfBudget
        except RateLimited as exc:
            until = exc.reset_at if exc.reset_at and exc.reset_at > now else now + RATE_LIMIT_FALLBACK
            self.checkpoints.set_rate_limited(source.endpoint, until)
            blocked[source.endpoint] = until
            report.failures.append(f"{source.key}: rate limited until {until.isoformat()}")
            return
        except (TwitterUnavailable, TwitterRejected) as exc:
            logger.warning("source skipped this run", extra={"source": source.key, "error": str(exc)})
            report.failures.append(f"{source.key}: {exc}")
            return
        except _OutOfBudget:
            report.failures.append(f"{source.key}: more pages than this run's budget; re-read next run")
            return

        report.fetched += len(tweets)
        bodies = self._messages(source, tweets, report)
        try:
            report.sqs_calls += self.queue.send(bodies) if bodies else 0
        except EnqueueFailed as exc:
            logger.error("enqueue failed; checkpoint kept", extra={"source": source.key, "error": str(exc)})
            report.failures.append(f"{source.key}: enqueue failed")
            return
        report.enqueued += len(bodies)
        if newest:
            self.checkpoints.advance(source.key, int(newest), query=source.text, polled_at=now,
                                     matched=len(bodies))
        elif source.kind == "search" and self.search_budget < len(self.queries):
            # Only a rotating poller (budget below one request per query) needs to know when an
            # empty query last ran; otherwise an empty minute costs no write.
            self.checkpoints.touch(source.key, query=source.text, polled_at=now, matched=0)
        report.sources_done += 1

    def _start_new_sources(self, sources: list[Source], marks: dict[str, Checkpoint], now: datetime) -> None:
        """A source seen for the first time starts `first_lookback` ago. That start is stored at
        once, for every new source, so one deferred or failed by this run loses nothing later."""
        start = int(snowflake(now - self.first_lookback))
        for source in sources:
            if marks[source.key].since_id is None:
                self.checkpoints.advance(source.key, start, query=source.text, polled_at=now, matched=0)
                marks[source.key] = Checkpoint(source.key, start, None, 0)

    def _since(self, source: Source, mark: Checkpoint, now: datetime, report: PollReport) -> str:
        assert mark.since_id is not None
        oldest = int(snowflake(now - SEARCH_HORIZON))
        if mark.since_id < oldest:  # the API rejects a since_id older than 7 days
            report.failures.append(f"{source.key}: checkpoint older than 7 days; tweets before "
                                   f"{(now - SEARCH_HORIZON).isoformat()} are out of the API's reach")
            return str(oldest)
        return str(mark.since_id)

    def _messages(self, source: Source, tweets: list[Tweet], report: PollReport) -> list[str]:
        bodies: list[str] = []
        seen: set[str] = set()
        for tweet in tweets:
            if tweet.id in seen or tweet.is_retweet:
                continue
            seen.add(tweet.id)
            if tweet.author_id in self.own_ids:
                report.own += 1
                continue
            hit = self.matcher.match(tweet.text)
            if hit is None and source.kind == "search":
                continue  # the API's tokeniser matched, our stricter local rules did not
            report.matched += 1
            if hit is None:
                info = self.mention_topics[source.name]
            else:
                info = MatchInfo(topic=hit.topic, department=hit.department, account=hit.account,
                                 keywords=list(hit.keywords))
            bodies.append(ListenedTweet.of(tweet, source.kind, source.name, info).model_dump_json())
        return bodies


class _OutOfBudget(Exception):
    pass
