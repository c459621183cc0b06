"""One poll: search every packed query and the support accounts' mentions since
their checkpoints, re-match locally, queue the matches, then advance checkpoints.

Order matters for "never lose, never skip": a checkpoint moves only after every
page of that source was read and every match was queued. A burst longer than a
source's share of one run (PAGES_PER_SOURCE) is queued as far as it was read and
its progress kept in the checkpoint (the oldest id read, the first page's newest
id); the next runs read below that oldest id (`until_id`, not the page token: a
fresh query each run, so nothing depends on a token outliving its minute) until
the backlog is finished, then the checkpoint moves to that newest id. Anything that stops a
source half-way (429, 5xx, a queue failure, a crash) leaves its checkpoint where
it was, so the next run reads the same tweets again; the worker is idempotent on
tweet id, so a re-read never makes a second inquiry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from aws_lambda_powertools import Logger

from activecare.accounts import SupportAccount
from activecare.clock import Clock, month_of
from activecare.listening.models import ListenedTweet, MatchInfo
from activecare.listening.ports import Checkpoint, CheckpointStore, EnqueueFailed, MessageQueue, UsageStore
from activecare.listening.usage import Plan, plan
from activecare.twitter.models import Page, Tweet, User
from activecare.twitter.port import RateLimited, TwitterError, TwitterPort, TwitterRejected, TwitterUnavailable
from activecare.twitter.snowflake import snowflake, snowflake_time

logger = Logger(child=True)

USERS_PER_LOOKUP = 100  # GET /2/users?ids= takes at most 100
PAGES_PER_SOURCE = 10  # one source's share of a run (1,000 tweets); a longer burst reads on over the next runs
# A source read this recently may wait for the next run while another works through a burst; one read longer ago
# (it waited last run) never waits again. 90 s, not 120: the scheduler's runs are about, not exactly, a minute apart.
MAY_WAIT_WITHIN = timedelta(seconds=90)
RATE_LIMIT_FALLBACK = timedelta(minutes=15)
SEARCH_HORIZON = timedelta(days=7) - timedelta(minutes=5)


class KeywordMatch(Protocol):
    topic: str
    department: str
    account: str
    keywords: tuple[str, ...]


class Matcher(Protocol):
    def match(self, text: str) -> KeywordMatch | None: ...

    def opts_out(self, text: str) -> bool: ...


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
    opt_outs: int = 0  # replies to our accounts queued with an opt-out phrase (返信不要...): do-not-contact records
    sources_done: int = 0
    sources_deferred: int = 0
    failures: list[str] = field(default_factory=list)
    backlogged: list[str] = field(default_factory=list)  # sources with a burst still to read (next runs)
    rejected: list[str] = field(default_factory=list)  # sources X answered 400: silent until fixed
    # Sources whose checkpoint was older than X's 7-day search window, and the longest stretch of time they
    # could not read: tweets posted then are out of the API's reach (lost, unless found by other means).
    beyond_window: list[str] = field(default_factory=list)
    beyond_window_minutes: int = 0
    # What X will bill (listening/usage.py): posts read per source key, user objects, our own mentions (owned
    # reads), the matcher's keeps per source (the yield), and the budget plan's effect.
    reads: dict[str, int] = field(default_factory=dict)
    matched_by: dict[str, int] = field(default_factory=dict)
    users_read: int = 0
    user_lookups: int = 0  # GET /2/users?ids= requests for the matched tweets' authors
    already_queued: int = 0  # tweets another source of this run had queued (found by several queries)
    owned_reads: int = 0
    degraded: list[str] = field(default_factory=list)  # low-yield searches reading only the last minute
    skipped_for_budget: int = 0  # low-yield searches not run this minute
    bill_forecast_usd: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


Fetch = Callable[[str | None, str | None, str | None, datetime | None], Page]  # since, until, token, start


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
        usage: UsageStore | None = None,
        budget_usd: float = 0.0,
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
        self.usage = usage  # the month's read counters; with `budget_usd`, the plan that degrades before it
        self.budget_usd = budget_usd

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

    def _mentions(self, user_id: str, since: str | None, until: str | None, token: str | None,
                  start: datetime | None) -> Page:
        return self.twitter.mentions(user_id, since_id=since, until_id=until, start_time=start,
                                     pagination_token=token)

    def _search(self, query: str, since: str | None, until: str | None, token: str | None,
                start: datetime | None) -> Page:
        return self.twitter.search_recent(query, since_id=since, until_id=until, start_time=start,
                                          next_token=token)

    def run(self) -> PollReport:
        report = PollReport()
        now = self.clock()
        sources = self.sources()
        mentions = [s for s in sources if s.kind == "mention"]
        budget = {"mentions": len(mentions) * PAGES_PER_SOURCE, "search": self.search_budget}
        # One read for every checkpoint and both endpoints' rate-limit marks.
        marks, blocked = self.checkpoints.load_all([s.key for s in sources], list(budget))
        self._start_new_sources(sources, marks, now)
        # Search budget (Basic tier has 4 requests a minute): stalest first, then most productive. A source
        # working through a backlog records each run's progress with its poll time, so it takes its turn
        # like the others and never holds the front of the queue.
        searches = sorted(
            (s for s in sources if s.kind == "search"),
            key=lambda s: (marks[s.key].polled_at or datetime.min.replace(tzinfo=now.tzinfo),
                           -marks[s.key].matched_last),
        )
        budget_plan = Plan()
        if self.usage is not None and self.budget_usd > 0:
            budget_plan = plan(self.usage.get(month_of(now)), [s.key for s in searches], now, self.budget_usd)
            report.bill_forecast_usd = budget_plan.forecast_usd
        skipped = [s for s in searches if not budget_plan.runs(s.key, now)]
        report.skipped_for_budget = len(skipped)
        order = [*mentions, *(s for s in searches if s not in skipped)]
        # Tweets this run has queued already: a tweet found by several queries (a keyword and a context group)
        # is queued once; an id enters only after its batch was sent, so a failed send leaves it to the others.
        queued: set[str] = set()
        for i, source in enumerate(order):
            until = blocked[source.endpoint]
            if (until and until > now) or budget[source.endpoint] <= 0:
                report.sources_deferred += 1
                continue
            if source.key in budget_plan.degraded and marks[source.key].backlog_until is None:
                report.degraded.append(source.key)
            # Fairness: a source may read up to PAGES_PER_SOURCE pages, but leaves one request for each source
            # after it on the same endpoint that is due; a source read last run is not due and may wait for the
            # next run, where it goes first (stalest first), so a burst drains without starving anyone: every
            # source is read at least every other minute. A longer burst reads on over the next runs.
            later = sum(1 for s in order[i + 1:] if s.endpoint == source.endpoint and self._due(marks[s.key], now))
            pages = min(PAGES_PER_SOURCE, max(1, budget[source.endpoint] - later))
            self._poll(source, marks[source.key], now, pages, budget, report, blocked, queued)
        self._record_usage(report, now)
        if report.rejected:
            logger.error("X rejected sources; they stay silent until fixed",
                         extra={"rejected": report.rejected})
        logger.info("poll finished", extra=report.as_dict())
        return report

    @staticmethod
    def _due(mark: Checkpoint, now: datetime) -> bool:
        return mark.polled_at is None or now - mark.polled_at >= MAY_WAIT_WITHIN

    def _record_usage(self, report: PollReport, now: datetime) -> None:
        """One atomic counter update a run (usage.py); a failure is logged, never fails the poll."""
        if self.usage is None or not (report.reads or report.users_read or report.owned_reads):
            return
        searched = sum(n for k, n in report.reads.items() if k.startswith("search#"))
        counts = {"post_reads": searched, "user_reads": report.users_read, "owned_reads": report.owned_reads}
        try:
            self.usage.add(month_of(now), now.astimezone(UTC).strftime("%d"), counts, report.reads,
                           report.matched_by)
        except Exception as exc:  # the counters are figures: the tweets are queued already
            logger.warning("usage counters not updated", extra={"error": type(exc).__name__})

    def _poll(self, source: Source, mark: Checkpoint, now: datetime, pages: int, budget: dict[str, int],
              report: PollReport, blocked: dict[str, datetime | None], queued: set[str]) -> None:
        since = self._since(source, mark, now, report)
        if source.key in report.degraded:
            # The budget plan: a low-yield search reads only the last minute; what came before is skipped.
            since = str(max(int(since), int(snowflake(now - timedelta(minutes=1)))))
        backlog_until = mark.backlog_until
        floor: int | None = None  # where the checkpoint moves if this run reads nothing new
        if backlog_until is not None and mark.backlog_newest is not None and backlog_until <= int(since):
            # The rest of the backlog fell out of the search window: it is over; read on from its newest id.
            backlog_until = None
            floor = max(mark.backlog_newest, int(since))  # X takes no since_id older than its window
            since = str(floor)
        until = str(backlog_until) if backlog_until is not None else None
        start = None
        tweets: list[Tweet] = []
        newest: str | None = None
        oldest: int | None = None
        token: str | None = None
        done = False
        try:
            for page_no in range(pages):
                if page_no and budget[source.endpoint] <= 0:
                    break
                page = source.fetch(since, until, token, start)
                budget[source.endpoint] -= 1
                report.requests += 1
                if page_no == 0:
                    newest = page.newest_id
                ids = [int(t.id) for t in page.tweets]
                if page.oldest_id or ids:
                    low = int(page.oldest_id) if page.oldest_id else min(ids)
                    oldest = low if oldest is None else min(oldest, low)
                tweets.extend(page.tweets)
                if source.kind == "mention":
                    report.owned_reads += len(page.tweets) + page.users
                else:
                    report.users_read += page.users
                token = page.next_token
                if not token:
                    done = True
                    break
        except RateLimited as exc:
            until_at = exc.reset_at if exc.reset_at and exc.reset_at > now else now + RATE_LIMIT_FALLBACK
            self.checkpoints.set_rate_limited(source.endpoint, until_at)
            blocked[source.endpoint] = until_at
            report.failures.append(f"{source.key}: rate limited until {until_at.isoformat()}")
            return
        except TwitterRejected as exc:
            # A 400 repeats every run: the source is silent until someone fixes it. Named in the report, the
            # log and the per-source metric (functions/poller/app.py), never with the tweets' text.
            logger.error("X rejected the source", extra={"source": source.key, "error": str(exc)})
            report.failures.append(f"{source.key}: {exc}")
            report.rejected.append(source.key)
            return
        except TwitterUnavailable as exc:
            logger.warning("source skipped this run", extra={"source": source.key, "error": str(exc)})
            report.failures.append(f"{source.key}: {exc}")
            return

        report.fetched += len(tweets)
        if tweets:
            report.reads[source.key] = report.reads.get(source.key, 0) + len(tweets)
        fresh = [t for t in tweets if t.id not in queued]
        report.already_queued += len(tweets) - len(fresh)
        bodies = self._messages(source, fresh, report)
        if bodies:
            report.matched_by[source.key] = report.matched_by.get(source.key, 0) + len(bodies)
        try:
            report.sqs_calls += self.queue.send(bodies) if bodies else 0
        except EnqueueFailed as exc:
            logger.error("enqueue failed; checkpoint kept", extra={"source": source.key, "error": str(exc)})
            report.failures.append(f"{source.key}: enqueue failed")
            return
        report.enqueued += len(bodies)
        queued.update(t.id for t in fresh)
        # The checkpoint a finished read moves to: the newest id of the burst's first page when this run ended a
        # backlog, else this run's first page.
        target = mark.backlog_newest if backlog_until is not None else (int(newest) if newest else floor)
        if not done and oldest is not None:
            # More pages than this run's share: what was read is queued; the next runs read below `oldest`.
            first = target if target is not None else int(newest or oldest)
            self.checkpoints.save_progress(source.key, since_id=int(since), read_from=mark.since_id,
                                           until_id=oldest, newest_id=first, query=source.text, polled_at=now,
                                           matched=len(bodies))
            report.backlogged.append(source.key)
        elif target is not None:
            self.checkpoints.advance(source.key, target, query=source.text, polled_at=now, matched=len(bodies))
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
            gap = max(0, int((snowflake_time(str(oldest)) - snowflake_time(str(mark.since_id))).total_seconds()
                             // 60))
            report.failures.append(f"{source.key}: checkpoint older than 7 days; tweets before "
                                   f"{(now - SEARCH_HORIZON).isoformat()} are out of the API's reach")
            report.beyond_window.append(source.key)
            report.beyond_window_minutes = max(report.beyond_window_minutes, gap)
            logger.error("checkpoint beyond the search window: tweets lost",
                         extra={"source": source.key, "gap_minutes": gap})
            return str(oldest)
        return str(mark.since_id)

    def _messages(self, source: Source, tweets: list[Tweet], report: PollReport) -> list[str]:
        found: list[ListenedTweet] = []
        seen: set[str] = set()
        for tweet in tweets:
            if tweet.id in seen or tweet.is_retweet:
                continue
            seen.add(tweet.id)
            if tweet.author_id in self.own_ids:
                report.own += 1
                continue
            message = listened(tweet, source.kind, source.name, self.matcher, self.mention_topics, self.own_ids)
            if message is None:
                continue  # the API's tokeniser matched, our stricter local rules did not
            report.matched += 1
            report.opt_outs += message.opt_out
            found.append(message)
        return [m.model_dump_json() for m in self._named(found, report)]

    def _named(self, found: list[ListenedTweet], report: PollReport) -> list[ListenedTweet]:
        """The matched tweets' authors, looked up by id (search asks X for no user objects: most of what it
        returns is dropped above, and each user object is billed). A failed lookup costs only the names: the
        tweets are queued without them (the desk shows the id link, replies open with no name)."""
        missing = sorted({m.tweet.author_id for m in found if not m.tweet.author_username})
        names: dict[str, User] = {}
        for i in range(0, len(missing), USERS_PER_LOOKUP):
            try:
                users = self.twitter.lookup_users(missing[i:i + USERS_PER_LOOKUP])
            except TwitterError as exc:
                logger.warning("author lookup failed; queued without names", extra={"error": type(exc).__name__})
                break
            report.user_lookups += 1
            report.users_read += len(users)
            names.update((u.id, u) for u in users)
        for m in found:  # messages built this run for these tweets: filled in place
            if (user := names.get(m.tweet.author_id)) is not None:
                m.tweet.author_username, m.tweet.author_name = user.username, user.name
        return found


def listened(tweet: Tweet, kind: Literal["search", "mention"], name: str, matcher: Matcher,
             mention_topics: dict[str, MatchInfo], own_ids: frozenset[str]) -> ListenedTweet | None:
    """The queue message of a found tweet (the poller's and the webhook's): matched again locally, a mention
    without a keyword in its account's topic, the opt-out flag on a reply to us; None: a search hit our rules
    do not match."""
    hit = matcher.match(tweet.text)
    if hit is None and kind == "search":
        return None
    if hit is None:
        info = mention_topics[name]
    else:
        info = MatchInfo(topic=hit.topic, department=hit.department, account=hit.account,
                         keywords=list(hit.keywords))
    opt_out = tweet.in_reply_to_user_id in own_ids and matcher.opts_out(tweet.text)
    return ListenedTweet.of(tweet, kind, name, info, opt_out)


