"""The fault suite (issue #7): short stretches of the simulated support day, each with one fault
injected, counted against ground truth.

    python -m infra.fault_suite                 # every scenario, the table, exit 1 on any non-zero cell
    python -m infra.fault_suite --only x-429 crash-desk-reply
    python -m infra.fault_suite --list

Each scenario runs `simulate_day.run_day` through `DayHooks`: `setup` arms the fault (the fake X
API's faults, server-side AWS errors in the metered moto server, the SQS mapping's at-least-once
deliveries, or a port wrapped so one step raises right after its side effect, as a Lambda killed
there), `before_minute` times it, `inspect` reads the outcome from the stack itself:

- tweets lost: relevant tweets (the generator's truth) a fault-free run of the same window stores and
  the faulted run does not (baselines are cached per window). A tweet left in the DLQ is lost.
- duplicate inquiries: tweet ids stored in more than one place (inquiries' tweet_ids).
- duplicate posts: the same (account, text) twice, or two replies by our accounts to one tweet, on X.
- duplicate DMs: more than one DM from an account to a participant, on X.
- duplicate e-mails: more than one message per report id (window, department) in moto's SES.

`injected` counts what the fault really did (errors served, crashes raised, deliveries repeated);
`reached` what the system saw of it (failed invocations, poll failures, failed worker records,
desk errors, reports failed or in doubt...): a row of zeros only counts when both are non-zero.

A crash is a Lambda crash: the handler invocation raises after the side effect happened. The local
Lambda service (`LambdaService`) records the failed invocation and, for asynchronously invoked
functions (EventBridge), retries it after 1 and 2 more minutes as Lambda does; the next scheduled
run continues. Windows end with a fast-forward: the last simulated minute runs at a later time
(the next campaign tick, leases and claims expired, the next report time) so recovery is part of
the window; the fault-free baseline of the window does the same.

Time is compressed in three places, each said where it is done: the 429's rate-limit window opens
12 minutes before the stretch (so its reset comes 3 minutes in), the X client's read timeout is
0.5 s in the timeout scenario (10 s in production), and the fast-forward above. Faults served by
AWS itself (throttling, an answer lost after the work was done) need moto in this process
(`moto="thread"`): the metered server's `AwsFaults` live in its WSGI wrapper.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from activecare.clock import JST, ManualClock, iso_z
from infra.local_stack import LocalStack
from infra.simulate_day import DEFAULT_DATE, DayResult, run_day

SEED = 7
CAMPAIGN_ID = "fault-campaign"


class InjectedCrash(RuntimeError):
    """The function's process dies here (timeout, OOM, kill): raised right after a side effect."""


# ---- windows and baselines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A stretch of the day: `minutes` simulated minutes from `start` (JST), `tweets` posted on X in it; the
    last minute runs at `fast_forward` instead (recovery: the next tick, expired leases, the next report)."""

    name: str
    start: str
    minutes: int
    tweets: int
    fast_forward: str | None = None

    def at(self, hhmm: str, date: str = DEFAULT_DATE) -> datetime:
        return datetime.fromisoformat(f"{date}T{hhmm}:00").replace(tzinfo=JST)

    @property
    def begin(self) -> datetime:
        return self.at(self.start)

    def describe(self) -> str:
        end = self.begin + timedelta(minutes=self.minutes - (1 if self.fast_forward else 0))
        ff = f" + {self.fast_forward}" if self.fast_forward else ""
        return f"{self.start}–{end:%H:%M}{ff}"


# Listening at night: no desk, posts or reports run, so the poller and the worker are all that is timed.
NIGHT = Window("night", "20:30", 6, 220)
# The morning: greeting and posts (09:05), the desk, the campaign's draw (09:00) and DM drain (next tick).
MORNING = Window("morning", "09:00", 6, 140, fast_forward="09:20")
# Around the 14:00 report; the last minute is the 20:00 report, which retries what 14:00 could not send.
AFTERNOON = Window("afternoon", "13:58", 5, 100, fast_forward="20:00")


def fault_mix() -> Any:
    """More of the tweets that matter (trouble, mentions, praise) than the seed day, so a short window still
    holds a few dozen relevant tweets for the lost count."""
    from infra.seed.tweets import DEFAULT_MIX

    return replace(DEFAULT_MIX, trouble=0.06, mention=0.03, praise=0.01, news=0.02, bot=0.02)


_truth_cache: dict[tuple[Window, int], frozenset[str]] = {}


def relevant_truth(window: Window, seed: int) -> frozenset[str]:
    """The generator's relevant tweets of the window (retweets aside), as run_day counts missed_relevant."""
    key = (window, seed)
    if key not in _truth_cache:
        from infra.seed.tweets import generate_day

        end = window.begin + timedelta(minutes=window.minutes)
        day = generate_day(seed, window.begin, end, window.tweets, mix=fault_mix())
        _truth_cache[key] = frozenset(tid for tid, t in day.truth.items() if t.relevant and t.kind != "retweet")
    return _truth_cache[key]


# ---- the Lambda service around the handlers run_day calls ------------------------------------------------

ASYNC_RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=2))  # Lambda's two retries of an async event


def _poll_failed(event: dict[str, Any], error: str) -> dict[str, Any]:
    return {"requests": 0, "sqs_calls": 0, "fetched": 0, "matched": 0, "enqueued": 0, "own": 0,
            "sources_done": 0, "sources_deferred": 0, "failures": [f"invocation failed: {error}"], "backlogged": [],
            "rejected": [], "beyond_window": [], "beyond_window_minutes": 0}


def _report_failed(event: dict[str, Any], error: str) -> dict[str, Any]:
    return {"window": "", "sent": [], "already_sent": [], "failed": [], "in_doubt": [], "busy": [],
            "recipients": 0, "invocation_error": error}


def _campaign_failed(event: dict[str, Any], error: str) -> dict[str, Any]:
    return {"ok": False, "error": f"invocation failed: {error}", "code": "invocation_failed", "status": 500}


@dataclass
class _Retry:
    at: datetime
    function: str
    event: dict[str, Any]
    attempt: int


class LambdaService:
    """Invocations of the handlers as the Lambda service makes them: a handler that raises is a failed
    invocation (logged, counted, the caller gets the error's result, the simulation goes on); an event
    invoked asynchronously is retried twice, 1 and 2 minutes apart; SQS deliveries are recorded."""

    def __init__(self, stack: LocalStack, clock: ManualClock) -> None:
        self.stack, self.clock = stack, clock
        self.errors: Counter[str] = Counter()
        self.retries: list[_Retry] = []
        self.deliveries: Counter[str] = Counter()  # SQS message id -> times handed to the worker
        self._patched: list[tuple[ModuleType, str, Any]] = []
        self._invokers: dict[str, Callable[[dict[str, Any], int], Any]] = {}

    def guard(self, module: ModuleType, function: str, fallback: Callable[[dict[str, Any], str], dict[str, Any]],
              *, asynchronous: bool | Callable[[dict[str, Any]], bool], channel: str) -> Callable[..., Any]:
        """Replace `module.handler` (run_day looks it up at each call) until `restore`. `asynchronous`: whether an
        event is invoked asynchronously (EventBridge: retried on error) or synchronously (ops: not retried)."""
        from infra.lambda_runtime import context_for

        original = module.handler

        def invoke(event: dict[str, Any], attempt: int = 0) -> Any:
            try:
                return original(event, context_for(function))
            except Exception as exc:  # the invocation failed: Lambda logs it; an async event is retried
                self.errors[function] += 1
                retried = asynchronous(event) if callable(asynchronous) else asynchronous
                if retried and attempt < len(ASYNC_RETRY_DELAYS):
                    self.retries.append(_Retry(self.clock() + ASYNC_RETRY_DELAYS[attempt], function, event,
                                               attempt + 1))
                return fallback(event, type(exc).__name__)

        def handler(event: dict[str, Any], context: Any = None) -> Any:
            return invoke(event)

        self._invokers[function] = lambda event, attempt: self._in(channel, invoke, event, attempt)
        self._patched.append((module, "handler", original))
        module.handler = handler  # type: ignore[attr-defined]
        return handler

    def _in(self, channel: str, invoke: Callable[[dict[str, Any], int], Any], event: dict[str, Any],
            attempt: int) -> Any:
        with self.stack.aws_meter.channel(channel):
            return invoke(event, attempt)

    def count_deliveries(self, module: ModuleType) -> None:
        original = module.handler

        def handler(event: dict[str, Any], context: Any) -> Any:
            for record in event.get("Records", []):
                self.deliveries[record["messageId"]] += 1
            return original(event, context)

        self._patched.append((module, "handler", original))
        module.handler = handler  # type: ignore[attr-defined]

    def run_due(self) -> None:
        """Lambda's retries of failed asynchronous invocations that are due now."""
        now = self.clock()
        due = [r for r in self.retries if r.at <= now]
        self.retries = [r for r in self.retries if r.at > now]
        for retry in due:
            self._invokers[retry.function](retry.event, retry.attempt)

    def restore(self) -> None:
        for module, name, original in reversed(self._patched):
            setattr(module, name, original)
        self._patched.clear()

    @property
    def redelivered(self) -> int:
        return sum(n - 1 for n in self.deliveries.values() if n > 1)


# ---- the campaign, driven by the suite (its draw is where a crash must land) ------------------------------


class CampaignDriver:
    """A small campaign on the window's clock: ops draw at the start (and, after a failed draw, run it again the
    next minute, as the runbook says), the EventBridge rule ticks every 15 minutes."""

    def __init__(self, run: FaultRun, *, retweeters: int = 80, winners: int = 20) -> None:
        from functions.campaign import app

        self.run, self.retweeters, self.winners = run, retweeters, winners
        self.invoke = run.lam.guard(app, "CampaignFunction", _campaign_failed, channel="campaign",
                                    asynchronous=lambda event: event.get("source") == "aws.events")
        self.draw_event: dict[str, Any] = {}
        self.drawn = False
        self.last_tick: datetime | None = None

    def start(self) -> None:
        from infra.campaign_sim import SALT, SALT_SHA256, seed_campaign

        stack, clock = self.run.stack, self.run.clock
        world = seed_campaign(stack.twitter, at=clock(), retweeters=self.retweeters, winners=self.winners,
                              dm_closed=2)
        self.draw_event = {"action": "draw", "campaign_id": CAMPAIGN_ID, "tweet_id": world.tweet_id,
                           "account": world.account.key, "winners": self.winners, "rules": world.rules(),
                           "salt": SALT, "salt_sha256": SALT_SHA256, "notify": "api"}
        self.last_tick = clock()
        self._draw()

    def _draw(self) -> None:
        with self.run.stack.aws_meter.channel("campaign"):
            self.drawn = bool(self.invoke(self.draw_event).get("ok"))

    def minute(self) -> None:
        if not self.drawn:
            self._draw()  # ops saw the error and run the draw again (it never draws twice)
        assert self.last_tick is not None
        if self.run.clock() - self.last_tick >= timedelta(minutes=15):
            self.last_tick = self.run.clock()
            with self.run.stack.aws_meter.channel("campaign"):
                self.invoke({"source": "aws.events", "detail-type": "Scheduled Event"})


# ---- port wrappers: a step that raises right after its side effect ----------------------------------------


class _Delegate:
    def __init__(self, inner: Any, run: FaultRun, step: str) -> None:
        self._inner, self._run, self._step = inner, run, step

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CheckpointsCrashAfterEnqueue(_Delegate):
    """The poller's checkpoint store: the first advance after a source's matches were queued dies."""

    def advance(self, key: str, since_id: int, *, query: str, polled_at: datetime, matched: int) -> bool:
        if matched:
            self._run.crash(self._step)
        return bool(self._inner.advance(key, since_id, query=query, polled_at=polled_at, matched=matched))


class _PosterCrashAfterReply(_Delegate):
    """An account's X client as the desk uses it: the reply is on X, then the desk function dies (the agent's
    call gets API Gateway's 502)."""

    def post(self, text: str, *, in_reply_to: str | None = None) -> str:
        from activecare.desk.errors import DeskError

        tweet_id = str(self._inner.post(text, in_reply_to=in_reply_to))
        try:
            self._run.crash(self._step)
        except InjectedCrash:
            err = DeskError("the desk API answered 502: the function crashed after POST /2/tweets", code="internal")
            err.status = 502
            raise err from None
        return tweet_id


class _PublishStoreCrashAfterPost(_Delegate):
    """The publisher's store: `finish` (the record of a post that is on X) is where the run dies."""

    def finish(self, key: str, tweet_id: str, posted_at: datetime) -> bool:
        self._run.crash(self._step)
        return bool(self._inner.finish(key, tweet_id, posted_at))


class _MailerCrashAfterSend(_Delegate):
    """The reporter's SES adapter: SES accepted the mail, then the function dies before the ledger write."""

    def send(self, sender: str, recipients: tuple[str, ...], raw: bytes) -> str:
        message_id = str(self._inner.send(sender, recipients, raw))
        self._run.crash(self._step)
        return message_id


def _campaign_x_crash_after_dm(run: FaultRun, step: str) -> Callable[[Any, str], Any]:
    from activecare.campaign.x import TweepyCampaignX

    class CrashAfterDm(TweepyCampaignX):
        def send_dm(self, participant_id: str, text: str) -> str:
            event_id = super().send_dm(participant_id, text)
            run.crash(step)
            return event_id

    return CrashAfterDm


# ---- one faulted (or baseline) run -----------------------------------------------------------------------


@dataclass
class Outcome:
    scenario: str
    fault: str
    window: Window
    injected: int = 0
    reached: int = 0
    lost: int = 0
    dup_inquiries: int = 0
    dup_posts: int = 0
    dup_dms: int = 0
    dup_mails: int = 0
    dlq: int = 0
    unrecovered: int = 0  # work a crash left half-done at the end: replies/posts unrecorded, DMs still in doubt
    relevant: int = 0
    notes: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0
    stored: frozenset[str] = frozenset()
    burst_lost: int = 0  # a burst's tweets never stored (they are not in the seed's truth: counted apart)
    requeued: int = 0  # tweets the poller queued more than once (the worker hides it; the poller must not)
    starved: int = 0  # polls another source missed while a burst was read (beyond its turn in the rotation)

    @property
    def fired(self) -> bool:
        return self.injected > 0 and self.reached > 0

    @property
    def ok(self) -> bool:
        return self.fired and not (self.lost or self.dup_inquiries or self.dup_posts or self.dup_dms
                                   or self.dup_mails or self.unrecovered or self.requeued or self.starved)


class FaultRun:
    """DayHooks for one scenario (or a baseline when `scenario` is None)."""

    def __init__(self, scenario: Scenario | None, window: Window) -> None:
        self.scenario, self.window = scenario, window
        self.crash_budget: Counter[str] = Counter()
        self.crashes: Counter[str] = Counter()
        self.campaign: CampaignDriver | None = None
        self.inspected: dict[str, Any] = {}
        self.cpu_s = 0.0
        self.burst: Burst | None = None

    # -- DayHooks
    def setup(self, stack: LocalStack, clock: ManualClock) -> None:
        from infra.lambda_runtime import DELIVERY_FAULTS
        from poller import app as poller_app
        from reporter import app as reporter_app
        from worker import app as worker_app

        self.stack, self.clock = stack, clock
        DELIVERY_FAULTS.reset()
        self.lam = LambdaService(stack, clock)
        self.lam.guard(poller_app, "poller", _poll_failed, asynchronous=False, channel="listening")
        self.lam.guard(reporter_app, "reporter", _report_failed, asynchronous=True, channel="reports")
        self.lam.count_deliveries(worker_app)
        if self.scenario and self.scenario.campaign:
            self.campaign = CampaignDriver(self)
        if self.scenario:
            self.scenario.arm(self)
        if self.campaign:
            self.campaign.start()

    def before_minute(self, stack: LocalStack, minute: int) -> None:
        if self.window.fast_forward and minute == self.window.minutes:
            self.clock.set(self.window.at(self.window.fast_forward))
        if self.scenario and minute in self.scenario.timeline:
            self.scenario.timeline[minute](self)
        self.lam.run_due()
        if self.campaign:
            self.campaign.minute()

    def inspect(self, stack: LocalStack) -> dict[str, Any]:
        from infra.lambda_runtime import DELIVERY_FAULTS

        self.inspected = observe(stack)
        self.inspected["sqs_repeated"] = DELIVERY_FAULTS.duplicated + DELIVERY_FAULTS.redelivered
        if self.burst:
            self.burst.score(self.inspected["stored"])
        if self.campaign:
            with stack.aws_meter.channel("campaign"):
                winners = stack.runtime.campaign().store.winners(CAMPAIGN_ID)
            self.inspected["dm_attempts_failed"] = sum(int(w.attempts or 0) for w in winners)
            self.inspected["dm_status"] = dict(Counter(w.status for w in winners))
            self.inspected["dms_in_doubt"] = sum(1 for w in winners if w.status == "sending")
        return self.inspected

    # -- helpers for the scenarios
    def crash(self, step: str) -> None:
        if self.crash_budget[step] > 0:
            self.crash_budget[step] -= 1
            self.crashes[step] += 1
            raise InjectedCrash(f"killed after the side effect of {step}")

    def close(self) -> None:
        from infra.lambda_runtime import DELIVERY_FAULTS

        if hasattr(self, "lam"):
            self.lam.restore()
        DELIVERY_FAULTS.reset()


def observe(stack: LocalStack) -> dict[str, Any]:
    """What happened, read from the stack's own ground: the inquiry table, the fake X's posts and DMs, the mail
    moto's SES accepted, the queues, the fake's fault counters and the AWS faults served."""
    from activecare.publishing.dynamo import PostItem
    from activecare.publishing.models import PENDING
    from activecare.reporting.dynamo import ReportItem
    from activecare.reporting.render import REPORT_ID_HEADER
    from activecare.storage.models import Inquiry
    from infra.reporting_sim import sent_mail

    inquiries = list(Inquiry.scan())
    ids = Counter(t for i in inquiries for t in i.tweet_ids)
    own = {a.user_id for a in stack.settings.accounts}
    posts = [t for t in [*stack.twitter.posted, *stack.twitter.posted_by_hand] if t["author_id"] in own]
    replies = Counter((t["author_id"], r["id"]) for t in posts for r in t.get("referenced_tweets") or []
                      if r["type"] == "replied_to")
    originals = Counter((t["author_id"], t["text"]) for t in posts if not t.get("referenced_tweets"))
    dms = Counter((d["sender_id"], d["participant_id"]) for d in stack.twitter.social.dms)
    mails = Counter(str(m["message"][REPORT_ID_HEADER] or m["id"]) for m in sent_mail(stack.aws_endpoint))
    reports = list(ReportItem.scan(ReportItem.pk.startswith("report#")))
    ledger = Counter(item.report_status for item in reports)
    pending_posts = sum(1 for item in PostItem.scan(PostItem.pk.startswith("post#")) if item.status == PENDING)
    unrecorded = sum(1 for t in posts if t.get("referenced_tweets") and t["id"] not in ids)
    stats = stack.twitter.stats.snapshot()
    return {
        "stored": frozenset(ids),
        "dup_inquiries": sum(n - 1 for n in ids.values() if n > 1),
        "dup_posts": sum(n - 1 for n in replies.values() if n > 1) + sum(n - 1 for n in originals.values() if n > 1),
        "dup_dms": sum(n - 1 for n in dms.values() if n > 1),
        "dup_mails": sum(n - 1 for n in mails.values() if n > 1),
        "dms": len(stack.twitter.social.dms),
        "mails": sum(mails.values()),
        "posts": len(posts),
        "unrecorded_replies": unrecorded,  # replies on X the desk never recorded on their inquiry
        "pending_posts": pending_posts,  # scheduled posts reserved, not (yet) known to be posted
        # Context reads X failed (read on open by the desk since issue 16; the inquiry stays pending, retried on
        # the next open), plus inquiries stored "unavailable" by older code.
        "context_unavailable": stack.runtime.author_context.failures
        + sum(1 for i in inquiries if i.context_status == "unavailable"),
        "dlq": stack.queue_depth(stack.dlq_url),
        "queue": stack.queue_depth(),
        "ledger": dict(ledger),
        "reports_throttled": sum(1 for item in reports if "Throttling" in (item.last_error or "")),
        "x_faults": dict(stats["faults"]),
        "x_429": stats["rate_limited_total"],
        "aws_faults": sum(faults.fired.values()) if (faults := getattr(stack.moto, "faults", None)) else 0,
    }


# ---- scenarios ------------------------------------------------------------------------------------------

Step = Callable[[FaultRun], None]


@dataclass
class Scenario:
    key: str
    fault: str
    window: Window
    arm: Step
    injected: Callable[[FaultRun, DayResult], int]
    reached: Callable[[FaultRun, DayResult], int]
    timeline: dict[int, Step] = field(default_factory=dict)
    campaign: bool = False
    moto: str = "process"  # "thread": moto in this process, where the metered server's AwsFaults live
    notes: Callable[[FaultRun, DayResult], str] = lambda run, result: ""


def _x(endpoint_times: Iterable[tuple[str, int]], kind: str, seconds: float = 1.0) -> Step:
    def arm(run: FaultRun) -> None:
        for endpoint, times in endpoint_times:
            run.stack.twitter.faults.inject(endpoint, kind, times=times, seconds=seconds)
    return arm


def _at(minute: int, step: Step) -> dict[int, Step]:
    return {minute: step}


def _nothing(run: FaultRun) -> None:
    pass


def _listening_reached(run: FaultRun, result: DayResult) -> int:
    return (result.poll_failures + result.worker_failures + sum(run.lam.errors.values())
            + run.inspected["context_unavailable"])


LISTEN_FAULT = (("search", 3), ("mentions", 1), ("user_tweets", 2))


def _arm_429(run: FaultRun) -> None:
    # The search and mentions windows open 12 minutes before the stretch, so the 429's reset (the window's
    # end, x-rate-limit-reset) comes 3 minutes in: the poller waits for it, then re-reads.
    opened = run.clock() - timedelta(minutes=12)
    for endpoint in ("search", "mentions"):
        run.stack.twitter.limiter.take(run.stack.twitter.tier, endpoint, None, opened)


def _short_x_timeout(run: FaultRun) -> None:
    """The poller's and worker's X client with a 0.5 s read timeout (10 s in production), so a slow answer
    times out within the stretch; the fake answers after 1 s."""
    from activecare.twitter.gateway import make_gateway
    from infra.local_stack import BEARER

    run.stack.runtime.__dict__["twitter"] = make_gateway(BEARER, base_url=run.stack.twitter_url, timeout=0.5)
    _x(LISTEN_FAULT, "slow", seconds=1.0)(run)


def _arm_sqs(run: FaultRun) -> None:
    from infra.lambda_runtime import DELIVERY_FAULTS

    DELIVERY_FAULTS.duplicate_batches = 2
    DELIVERY_FAULTS.redeliver_batches = 2


def _sqs_injected(run: FaultRun, result: DayResult) -> int:
    return int(run.inspected["sqs_repeated"])


def _crash_in(run: FaultRun, part: str, port: str, wrap: Callable[[Any], Any], crashes: int) -> None:
    """Each `runtime.<part>()` the handler builds gets its `port` wrapped to crash after the side effect."""
    rt = run.stack.runtime
    original = getattr(rt, part)

    def build() -> Any:
        service = original()
        setattr(service, port, wrap(getattr(service, port)))
        return service

    setattr(rt, part, build)
    run.crash_budget[part] = crashes


def _arm_poller_crash(run: FaultRun) -> None:
    _crash_in(run, "poller", "checkpoints", lambda c: _CheckpointsCrashAfterEnqueue(c, run, "poller"), 2)


def _arm_ddb_throttle(run: FaultRun) -> None:
    faults = run.stack.moto.faults
    # Bursts of 5: pynamodb's client makes 4 attempts, so every burst reaches the code once; a burst of 2 is
    # absorbed by the retries. Only the listening functions' requests (the poller and the worker).
    faults.inject("dynamodb", "ProvisionedThroughputExceededException", burst=5, gap=25, bursts=3,
                  channel="listening")
    faults.inject("dynamodb", "ThrottlingException", burst=2, gap=20, bursts=3, channel="listening")


def _arm_ddb_answer_lost(run: FaultRun) -> None:
    # Writes that DynamoDB made, answered with a 500: botocore writes again (conditions must hold the line), and a
    # burst of 4 (pynamodb's attempts) hands the error to the code after the write is in.
    run.stack.moto.faults.inject("dynamodb", "InternalServerError", burst=4, gap=15, bursts=3, after=True,
                                 operations=("PutItem", "UpdateItem"), channel="listening")


def _aws_fired(run: FaultRun, result: DayResult) -> int:
    return int(run.inspected["aws_faults"])


def _x_fired(kind: str) -> Callable[[FaultRun, DayResult], int]:
    return lambda run, result: int(run.inspected["x_faults"].get(kind, 0))


def _arm_desk_crash(run: FaultRun) -> None:
    _crash_in(run, "desk", "poster_for",
              lambda poster_for: lambda key: _PosterCrashAfterReply(poster_for(key), run, "desk"), 1)


def _arm_publisher_crash(run: FaultRun) -> None:
    _crash_in(run, "publisher", "store", lambda store: _PublishStoreCrashAfterPost(store, run, "publisher"), 1)


def _arm_campaign_crash(run: FaultRun) -> None:
    rt = run.stack.runtime
    original = rt.campaign
    factory = _campaign_x_crash_after_dm(run, "campaign")
    rt.campaign = lambda x_factory=None: original(x_factory=x_factory or factory)  # type: ignore[method-assign]
    run.crash_budget["campaign"] = 1


def _arm_reporter_crash(run: FaultRun) -> None:
    rt = run.stack.runtime
    original = rt.reporter

    def reporter(mailer: Any = None) -> Any:
        from activecare.reporting.ses import SesMailer, ses_client

        return original(mailer=mailer or _MailerCrashAfterSend(SesMailer(ses_client(rt.settings.region)), run,
                                                                "reporter"))

    rt.reporter = reporter  # type: ignore[method-assign]
    run.crash_budget["reporter"] = 1


def _arm_ses_throttle(run: FaultRun) -> None:
    run.stack.moto.faults.inject("ses", "Throttling", burst=3, channel="reports")


def _arm_ses_answer_lost(run: FaultRun) -> None:
    # SES accepts the mail, then answers 500: sending again would be a second e-mail.
    run.stack.moto.faults.inject("ses", "InternalFailure", burst=2, channel="reports", after=True)


def _arm_lost_responses(run: FaultRun) -> None:
    # POST /2/tweets and the DM send are made on X, then the connection drops before the answer arrives.
    run.stack.twitter.faults.inject("dm_send", "disconnect", times=2)


def _post_disconnect(run: FaultRun) -> None:
    run.stack.twitter.faults.inject("post", "disconnect", times=1)


def _crashes(step: str) -> Callable[[FaultRun, DayResult], int]:
    return lambda run, result: run.crashes[step]


def _errors(function: str) -> Callable[[FaultRun, DayResult], int]:
    return lambda run, result: run.lam.errors[function]


def _desk_errors(run: FaultRun, result: DayResult) -> int:
    return sum(result.desk.get("errors", {}).values())


def _ledger_note(run: FaultRun, result: DayResult) -> str:
    led = run.inspected["ledger"]
    return ", ".join(f"{k} {v}" for k, v in sorted(led.items())) + " (reports)"


# ---- bursts: more tweets on one query than one poll reads (issue #14) ---------------------------------------


class _RecordingQueue(_Delegate):
    """The poller's queue: every tweet id it sends, so a tweet queued twice is seen (the worker would hide it)."""

    def send(self, bodies: list[str]) -> int:
        import json

        calls = int(self._inner.send(bodies))
        messages = [json.loads(b) for b in bodies]
        # Per source: two queries finding one tweet is two messages by design (the worker makes one inquiry).
        self._run.burst.queued.update(  # type: ignore[union-attr]
            f"{m['source']}#{m['source_key']}#{m['tweet']['id']}" for m in messages)
        return calls


class _RecordingX(_Delegate):
    """The poller's X client: which search queries each run asked (a starved query is one never asked)."""

    def search_recent(self, query: str, **kw: Any) -> Any:
        self._run.burst.asked[self._run.burst.minute].add(query)  # type: ignore[union-attr]
        return self._inner.search_recent(query, **kw)


RELEVANT_EVERY = 20


@dataclass
class Burst:
    """`tweets` relevant tweets on X at `minute`, spread over the `span` before it (one minute: a burst; hours:
    the poller was stopped that long, as the clock jumps). Scored on the stack: lost (never stored), queued twice
    by the poller, and starvation: a query not asked in a run although it was its turn (Pro: every run)."""

    tweets: int
    span: timedelta
    first_minute: int = 2  # the minute the burst is on X
    minute: int = 0  # the minute being run
    ids: list[str] = field(default_factory=list)
    queued: Counter[str] = field(default_factory=Counter)
    asked: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    backlogged_runs: int = 0
    drained_after: int | None = None  # runs until the backlog was read
    lost: int = 0
    requeued: int = 0
    starved: int = 0
    queries: int = 0
    budget: int = 0

    def post(self, run: FaultRun) -> None:
        from activecare.twitter.snowflake import snowflake

        now = run.clock()
        users = [{"id": str(8_100_000_000 + i), "username": f"burst_user{i}", "name": f"利用者{i}"}
                 for i in range(500)]
        run.stack.twitter.add_users(users)
        step = self.span / self.tweets
        first = now - self.span
        # One searched term (障害中, ambiguous: it counts only with a phone/net word, never searched itself), so
        # one packed query finds them all; one in RELEVANT_EVERY has the net word (an inquiry), the others are
        # a game's outage (X returns them, the local matcher drops them): the poller reads every page.
        tweets = []
        for n in range(self.tweets):
            at = first + step * n
            tid = snowflake(at, n % 4096, 900 + (n // 4096) % 100)
            relevant = n % RELEVANT_EVERY == 0
            text = "障害中でネットが使えない、いつ直るの" if relevant else "ゲームのサーバーが障害中で遊べない"
            tweets.append({"id": tid, "text": f"{text} ({n})", "author_id": users[n % len(users)]["id"],
                           "created_at": iso_z(at)})
            if relevant:
                self.ids.append(tid)
        run.stack.twitter.add_tweets(tweets)

    def score(self, stored: frozenset[str]) -> None:
        self.lost = len(set(self.ids) - stored)
        self.requeued = sum(n - 1 for n in self.queued.values() if n > 1)
        every = -(-self.queries // max(1, self.budget))  # a query's turn comes every `every` runs
        runs = sorted(self.asked)
        if runs:
            allq = set().union(*self.asked.values())
            for query in allq:
                seen = [m for m in runs if query in self.asked[m]]
                gaps = [b - a for a, b in zip([runs[0] - 1, *seen], [*seen, runs[-1] + 1], strict=False)]
                self.starved += sum(max(0, g - every) for g in gaps)

    def describe(self) -> str:
        drained = f"drained after {self.drained_after} polls" if self.drained_after else "NOT drained"
        return (f"burst {self.tweets} over {_span(self.span)}: {drained}, {self.backlogged_runs} polls left a "
                f"backlog; re-queued {self.requeued}, polls missed by other queries {self.starved}")


def _span(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes >= 60 else f"{minutes} min"


def _arm_burst(tweets: int, span: timedelta) -> Step:
    def arm(run: FaultRun) -> None:
        run.burst = Burst(tweets, span)
        rt = run.stack.runtime
        original = rt.poller

        def build() -> Any:
            poller = original()
            poller.queue = _RecordingQueue(poller.queue, run, "poller")
            poller.twitter = _RecordingX(poller.twitter, run, "poller")
            burst = run.burst
            assert burst is not None
            burst.queries, burst.budget = len(poller.queries), poller.search_budget
            inner_run = poller.run

            def run_and_count() -> Any:
                report = inner_run()
                if report.backlogged:
                    burst.backlogged_runs += 1
                elif burst.backlogged_runs and burst.drained_after is None:
                    burst.drained_after = burst.minute - burst.first_minute + 1
                return report

            poller.run = run_and_count  # type: ignore[method-assign]
            return poller

        rt.poller = build  # type: ignore[method-assign]
    return arm


def _burst_timeline(window: Window, jump: timedelta) -> dict[int, Step]:
    """Minute 2: the burst is on X (after a stopped poller's `jump`, the clock runs that much later from then on);
    every minute: which run the recorders are in."""

    def step(minute: int) -> Step:
        def at(run: FaultRun) -> None:
            burst = run.burst
            assert burst is not None
            burst.minute = minute
            if minute >= burst.first_minute:
                run.clock.set(run.clock() + jump)
            if minute == burst.first_minute:
                burst.post(run)
        return at

    return {m: step(m) for m in range(1, window.minutes + 1)}


def _burst_fired(run: FaultRun, result: DayResult) -> int:
    return len(run.burst.ids) if run.burst else 0


def _burst_reached(run: FaultRun, result: DayResult) -> int:
    return run.burst.backlogged_runs if run.burst else 0


# Night listening, long enough for a burst's backlog to be read (Pro: 1,000 tweets a poll per source).
BURST_NIGHT = Window("burst-night", "20:30", 14, 500)
OUTAGE_NIGHT = Window("outage-night", "20:30", 10, 360)


SCENARIOS: list[Scenario] = [
    Scenario("x-429", "X answers 429 (search, mentions)", NIGHT, _arm_429, lambda r, res: r.inspected["x_429"],
             _listening_reached, timeline=_at(2, _x((("search", 1), ("mentions", 1)), "429"))),
    Scenario("x-5xx", "X answers 503", NIGHT, _nothing, _x_fired("5xx"), _listening_reached,
             timeline=_at(2, _x(LISTEN_FAULT, "5xx"))),
    Scenario("x-malformed", "X answers 200 with a non-JSON body", NIGHT, _nothing, _x_fired("malformed"),
             _listening_reached, timeline=_at(2, _x(LISTEN_FAULT, "malformed"))),
    Scenario("x-truncated", "X answers 200 with half the JSON", NIGHT, _nothing, _x_fired("truncated"),
             _listening_reached, timeline=_at(2, _x(LISTEN_FAULT, "truncated"))),
    Scenario("x-timeout", "X answers after the client's timeout", NIGHT, _nothing, _x_fired("slow"),
             _listening_reached, timeline=_at(2, _short_x_timeout)),
    Scenario("sqs-duplicates", "SQS delivers batches twice / again after success", NIGHT, _nothing, _sqs_injected,
             lambda run, res: run.lam.redelivered, timeline=_at(2, _arm_sqs)),
    Scenario("ddb-throttle", "DynamoDB throttles bursts (listening)", NIGHT, _nothing, _aws_fired,
             _listening_reached, timeline=_at(2, _arm_ddb_throttle), moto="thread"),
    Scenario("ddb-answer-lost", "DynamoDB writes, then answers 500 (listening)", NIGHT, _nothing, _aws_fired,
             _listening_reached, timeline=_at(2, _arm_ddb_answer_lost), moto="thread"),
    Scenario("crash-poller", "crash after enqueue, before checkpoint", NIGHT, _nothing, _crashes("poller"),
             _errors("poller"), timeline=_at(2, _arm_poller_crash)),
    Scenario("x-burst", "10,000 tweets on one query in one minute", BURST_NIGHT,
             _arm_burst(10_000, timedelta(minutes=1)), _burst_fired, _burst_reached,
             timeline=_burst_timeline(BURST_NIGHT, timedelta(0))),
    Scenario("x-burst-3h", "the poller stopped 3 hours, a burst on X meanwhile", OUTAGE_NIGHT,
             _arm_burst(4_000, timedelta(hours=3)), _burst_fired, _burst_reached,
             timeline=_burst_timeline(OUTAGE_NIGHT, timedelta(hours=3))),
    Scenario("crash-desk-reply", "crash after the reply is posted, before its record", MORNING, _arm_desk_crash,
             _crashes("desk"), _desk_errors),
    Scenario("crash-publisher", "crash after a scheduled post, before its record", MORNING, _arm_publisher_crash,
             _crashes("publisher"), lambda run, res: int(res.posts.get("failed_runs", 0))),
    Scenario("crash-campaign-dm", "crash after a DM, before its record", MORNING, _arm_campaign_crash,
             _crashes("campaign"), _errors("CampaignFunction"), campaign=True),
    Scenario("x-lost-responses", "post / DM made, the answer cut off", MORNING, _arm_lost_responses,
             _x_fired("disconnect"),
             lambda run, res: _desk_errors(run, res) + int(res.posts.get("outcomes", {}).get("unavailable", 0))
             + run.inspected.get("dm_attempts_failed", 0),
             timeline={1: _post_disconnect, 5: _post_disconnect}, campaign=True),
    Scenario("crash-reporter", "crash after SES accepted a report, before the ledger", AFTERNOON,
             _arm_reporter_crash, _crashes("reporter"), _errors("reporter"), notes=_ledger_note),
    Scenario("ses-throttle", "SES throttles report sends", AFTERNOON, _arm_ses_throttle, _aws_fired,
             lambda run, res: int(run.inspected["reports_throttled"]), notes=_ledger_note, moto="thread"),
    Scenario("ses-answer-lost", "SES sends, then answers 500", AFTERNOON, _arm_ses_answer_lost, _aws_fired,
             lambda run, res: int(run.inspected["ledger"].get("in_doubt", 0)), notes=_ledger_note, moto="thread"),
]
BY_KEY = {s.key: s for s in SCENARIOS}


# ---- running --------------------------------------------------------------------------------------------

_baselines: dict[tuple[Window, int], Outcome] = {}


def _run(scenario: Scenario | None, window: Window, seed: int) -> tuple[FaultRun, DayResult, float]:
    hooks = FaultRun(scenario, window)
    began, cpu = time.perf_counter(), _cpu_s()
    try:
        result = run_day(seed=seed, start=window.begin, minutes=window.minutes, tweets=window.tweets,
                         progress=False, mix=fault_mix(), campaign_retweeters=0, hooks=hooks,
                         moto=scenario.moto if scenario else "process")  # type: ignore[arg-type]
    finally:
        hooks.close()
    hooks.cpu_s = _cpu_s() - cpu
    return hooks, result, time.perf_counter() - began


def _cpu_s() -> float:
    """CPU seconds of this process, its finished children and the moto server kept for the next stack (the
    moto server process of each stack)."""
    import resource

    from infra.moto_process import spare_cpu_s

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + spare_cpu_s()


def _baseline_job(window: Window, seed: int) -> Outcome:
    hooks, _result, wall = _run(None, window, seed)
    seen = hooks.inspected
    return Outcome("baseline", "none", window, stored=seen["stored"], dlq=seen["dlq"],
                   dup_inquiries=seen["dup_inquiries"], dup_posts=seen["dup_posts"], dup_dms=seen["dup_dms"],
                   dup_mails=seen["dup_mails"], wall_s=wall, cpu_s=hooks.cpu_s)


def baseline(window: Window, seed: int = SEED) -> Outcome:
    """The fault-free run of the window (cached in-process)."""
    key = (window, seed)
    if key not in _baselines:
        _baselines[key] = _baseline_job(window, seed)
    return _baselines[key]


def _scenario_job(key: str, seed: int) -> Outcome:
    """The faulted run; `lost` is scored against the window's baseline afterwards (see `score`)."""
    scenario = BY_KEY[key]
    hooks, result, wall = _run(scenario, scenario.window, seed)
    seen = hooks.inspected
    notes = []
    if seen["dlq"]:
        notes.append(f"DLQ {seen['dlq']}")
    if seen["queue"]:
        notes.append(f"still queued {seen['queue']}")
    extra = scenario.notes(hooks, result)
    if extra:
        notes.append(extra)
    burst = hooks.burst
    if burst is not None:
        notes.append(burst.describe())
    return Outcome(scenario.key, scenario.fault, scenario.window, injected=int(scenario.injected(hooks, result)),
                   burst_lost=burst.lost if burst else 0, requeued=burst.requeued if burst else 0,
                   starved=burst.starved if burst else 0,
                   reached=int(scenario.reached(hooks, result)), dup_inquiries=seen["dup_inquiries"],
                   dup_posts=seen["dup_posts"], dup_dms=seen["dup_dms"], dup_mails=seen["dup_mails"],
                   dlq=seen["dlq"], notes="; ".join(notes), wall_s=wall, cpu_s=hooks.cpu_s, stored=seen["stored"],
                   unrecovered=seen["unrecorded_replies"] + seen["pending_posts"] + seen.get("dms_in_doubt", 0))


def score(outcome: Outcome, base: Outcome, seed: int) -> Outcome:
    """Tweets lost: relevant (ground truth) ones the fault-free run stored and the faulted run did not."""
    expected = base.stored & relevant_truth(outcome.window, seed)
    notes = "; ".join(filter(None, [f"relevant {len(expected)}", outcome.notes]))
    return replace(outcome, lost=len(expected - outcome.stored) + outcome.burst_lost, relevant=len(expected),
                   notes=notes)


def run_scenario(scenario: Scenario, seed: int = SEED) -> Outcome:
    base = baseline(scenario.window, seed)
    return score(_scenario_job(scenario.key, seed), base, seed)


def run_suite(keys: Iterable[str] | None = None, seed: int = SEED,
              progress: Callable[[Outcome], None] | None = None, jobs: int = 1) -> list[Outcome]:
    """The chosen scenarios (all by default); `jobs` > 1 runs them (and the baselines) in that many processes,
    each with its own local stack."""
    chosen = [BY_KEY[k] for k in keys] if keys else SCENARIOS
    if jobs <= 1:
        outcomes = []
        for scenario in chosen:
            outcomes.append(run_scenario(scenario, seed))
            if progress:
                progress(outcomes[-1])
        return outcomes
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    windows = list(dict.fromkeys(s.window for s in chosen if (s.window, seed) not in _baselines))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        # The slowest first, so the last job to start is a short one.
        order = sorted(chosen, key=lambda s: (s.moto != "thread", s.window.name == "night"))
        futures: dict[str, Future[Outcome]] = {s.key: pool.submit(_scenario_job, s.key, seed) for s in order[:1]}
        bases = {w: pool.submit(_baseline_job, w, seed) for w in windows}
        futures |= {s.key: pool.submit(_scenario_job, s.key, seed) for s in order[1:]}
        for window, future in bases.items():
            _baselines[(window, seed)] = future.result()
        outcomes = []
        for scenario in chosen:
            outcomes.append(score(futures[scenario.key].result(), _baselines[(scenario.window, seed)], seed))
            if progress:
                progress(outcomes[-1])
    return outcomes


def print_table(outcomes: list[Outcome], wall_s: float | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Fault suite: every cell must be 0, and every fault must have fired")
    for col, justify in (("scenario", "left"), ("fault", "left"), ("window (JST)", "left"),
                         ("fired: injected / reached", "right"), ("tweets lost", "right"),
                         ("dup inquiries", "right"), ("dup posts", "right"), ("dup DMs", "right"),
                         ("dup e-mails", "right"), ("unrecovered", "right"), ("notes", "left"),
                         ("wall / CPU s", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]

    def cell(n: int) -> str:
        return "0" if n == 0 else f"[bold red]{n}[/]"

    for o in outcomes:
        fired = f"{o.injected} / {o.reached}" if o.fired else f"[bold red]{o.injected} / {o.reached} (not fired)[/]"
        table.add_row(o.scenario, o.fault, o.window.describe(), fired, cell(o.lost), cell(o.dup_inquiries),
                      cell(o.dup_posts), cell(o.dup_dms), cell(o.dup_mails), cell(o.unrecovered), o.notes,
                      f"{o.wall_s:.0f} / {o.cpu_s:.0f}")
    console = Console(width=200)
    console.print(table)
    bases = ", ".join(f"{b.window.name} {b.wall_s:.0f} / {b.cpu_s:.0f} s" for b in _baselines.values())
    console.print(f"baselines (fault-free runs of each window, wall / CPU): {bases}")
    cpu = sum(o.cpu_s for o in [*outcomes, *_baselines.values()])
    if wall_s is not None:
        console.print(f"wall time {wall_s:.1f} s; CPU time of the runs {cpu:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="SCENARIO", choices=sorted(BY_KEY),
                        help="run these scenarios only")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="scenarios run in this many processes at once (default: 2, or 1 on one core)")
    args = parser.parse_args(argv)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")  # the faults' expected warnings would flood the table
    if args.list:
        for s in SCENARIOS:
            print(f"{s.key:20} {s.window.name:10} {s.fault}")
        return 0
    began = time.perf_counter()

    def progress(o: Outcome) -> None:
        print(f"  {o.scenario}: {'ok' if o.ok else 'FAILED'} ({o.wall_s:.1f} s)", file=sys.stderr, flush=True)

    outcomes = run_suite(args.only, args.seed, progress, jobs=args.jobs)
    print_table(outcomes, time.perf_counter() - began)
    return 0 if all(o.ok for o in outcomes) else 1


__all__ = ["SCENARIOS", "FaultRun", "LambdaService", "Outcome", "Scenario", "Window", "baseline", "main",
           "run_scenario", "run_suite"]

if __name__ == "__main__":
    sys.exit(main())
