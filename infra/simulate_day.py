"""The main job: a simulated stretch of a support day on the local stack.

Every simulated minute the real poller handler runs (as EventBridge Scheduler
would call it) and the queue is drained through the real worker handler (as the
SQS event source mapping would). Then a summary is printed.

    python -m infra.simulate_day --start 09:00 --hours 2
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO

from activecare.clock import JST, ManualClock, iso_z
from infra import bill_sim

if TYPE_CHECKING:
    from infra.local_stack import LocalStack

DEFAULT_DATE = "2026-11-25"
SEED_VOLUME_PER_HOUR = 50_000 / 11


@dataclass
class DayResult:
    minutes: int = 0
    generated: int = 0
    relevant_truth: int = 0
    fetched: int = 0
    matched: int = 0
    enqueued: int = 0
    poll_failures: int = 0
    worker_invocations: int = 0
    worker_failures: int = 0
    inquiries: int = 0
    duplicates: int = 0
    missed_relevant: int = 0
    missed_ids: list[str] = field(default_factory=list)  # the relevant tweets (retweets aside) never stored
    false_positives: int = 0
    by_topic: Counter[str] = field(default_factory=Counter)
    by_sentiment: Counter[str] = field(default_factory=Counter)
    direct: int = 0
    with_pii: int = 0
    with_history: int = 0
    with_context: int = 0
    api_requests: dict[str, int] = field(default_factory=dict)
    aws_requests: dict[str, int] = field(default_factory=dict)
    dynamodb_writes: int = 0
    dlq_depth: int = 0
    desk: dict[str, Any] = field(default_factory=dict)
    reports: list[tuple[str, object]] = field(default_factory=list)
    posts: dict[str, Any] = field(default_factory=dict)
    campaign: list[tuple[str, str]] = field(default_factory=list)
    compliance: list[tuple[str, object]] = field(default_factory=list)  # X's deletions honoured (compliance_sim)
    compliance_summary: dict[str, Any] = field(default_factory=dict)
    mailform: list[tuple[str, object]] = field(default_factory=list)  # the e-mail form's counts (mailform_sim)
    qa: list[tuple[str, object]] = field(default_factory=list)  # infra/qa_sim.py: reviews, approvals, SLA per agent
    wall_s: float = 0.0
    poll_ms: list[float] = field(default_factory=list)
    phase_s: Counter[str] = field(default_factory=Counter)  # wall seconds by part of the minute loop
    inspected: dict[str, Any] = field(default_factory=dict)
    outage: list[tuple[str, object]] = field(default_factory=list)  # the outage radar's rows (infra/outage_sim.py)
    x_bill: dict[str, Any] = field(default_factory=dict)  # infra/bill_sim.py: the fake X's meter


class DayHooks(Protocol):
    """Lets a caller (the fault suite) act on the day without copying its loop.

    `setup` runs once the stack is up and the day's tweets are on X, before the first
    minute (inject faults, wrap the runtime's ports); `before_minute` runs at the start
    of each simulated minute; `inspect` runs after the last minute, before the stack is
    torn down, and what it returns lands in `DayResult.inspected`.
    """

    def setup(self, stack: LocalStack, clock: ManualClock) -> None: ...

    def before_minute(self, stack: LocalStack, minute: int) -> None: ...

    def inspect(self, stack: LocalStack) -> dict[str, Any]: ...


def _quiet_logs() -> None:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("werkzeug", "botocore", "urllib3", "activecare", "poller", "worker"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in list(logging.Logger.manager.loggerDict):  # loggers a loud run in this process set to INFO
        if name.split(".")[0] in _APP_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


_APP_LOGGERS = ("activecare", "activecare-local", "service_undefined", "poller", "worker", "desk", "publisher",
                "reporter", "campaign")


def _info_logs() -> None:
    """quiet=False: the handlers log at INFO again, even after a quiet run in this process set them to WARNING
    (Powertools fixes a logger's level when the handler module is imported)."""
    os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    for name in list(logging.Logger.manager.loggerDict):
        if name.split(".")[0] in _APP_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)


def run_day(*, seed: int, start: datetime, minutes: int, tweets: int, access_level: str = "pro",
            progress: bool = True, mix: Any = None, quiet: bool = True,
            campaign_retweeters: int = 3000, hooks: DayHooks | None = None,
            moto: Literal["thread", "process"] = "process", reports_dir: str | os.PathLike[str] = "out/reports",
            campaign_notify: str = "claim",
            incidents: tuple[str, ...] = ()) -> DayResult:
    """Run the stretch; `mix` (a SeedMix) changes the generated day, `quiet=False` keeps INFO logs,
    `hooks` (see DayHooks) lets a caller inject faults and read the stack before it stops,
    `moto` says where moto serves from (see LocalStack: "thread" lets a hook reach moto's backends
    in this process; "process", the default, is faster), `reports_dir` where the day's report e-mails
    are written (<date>/<HHMM>/<department>.html, .txt, .eml)."""
    if quiet:
        _quiet_logs()
    else:
        _info_logs()
    # EMF metric lines are for CloudWatch; locally they would print a JSON blob every 100 polls.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    from activecare.storage.models import Inquiry
    from infra.agents import DeskAgents, work_queue
    from infra.aws_meter import DYNAMODB_WRITES
    from infra.campaign_sim import CampaignSim
    from infra.compliance_sim import ComplianceDay
    from infra.lambda_runtime import context_for, drain_queue
    from infra.local_stack import LocalStack
    from infra.publishing_sim import PublishingDay
    from infra.qa_sim import QaDay
    from infra.reporting_sim import DayReports
    from infra.seed.tweets import generate_day
    from poller import app as poller_app
    from worker import app as worker_app

    result = DayResult(minutes=minutes)
    began = time.perf_counter()
    clock = ManualClock(start)
    end = start + timedelta(minutes=minutes)
    day = generate_day(seed, start, end, tweets, **({"mix": mix} if mix is not None else {}))
    from infra.outage_sim import OutageDay

    outage = OutageDay(incidents, seed)  # --incident: outages injected into the day; the radar runs every minute
    outage.inject(day)
    result.generated = len(day.tweets)
    relevant = {tid for tid, truth in day.truth.items() if truth.relevant}
    result.relevant_truth = len(relevant)

    with LocalStack(clock, access_level=access_level, moto=moto) as stack:  # type: ignore[arg-type]
        stack.twitter.add_users(day.users)
        stack.twitter.add_tweets(day.tweets)
        noise = {tid for tid, truth in day.truth.items() if not truth.relevant}
        team = DeskAgents(stack, agents=10, seed=seed, not_a_customer=noise.__contains__, trainees=1)
        qa = QaDay(stack, team, seed=seed)  # the supervisor's approvals and reviews (issue 17)
        day_reports = DayReports(stack, reports_dir)  # writes <date>/<HHMM>/<department>.html (+ .txt, .eml)
        posts = PublishingDay(stack)  # imports the content calendar
        from infra.mailform_sim import MailformDay

        mail_day = MailformDay(stack, seed=seed)  # customers who fill the e-mail form and answer by e-mail
        campaign = (CampaignSim(stack, clock, retweeters=campaign_retweeters, winners=100, notify=campaign_notify)
                    if campaign_retweeters else None)
        if campaign:
            t0 = time.perf_counter()
            with stack.aws_meter.channel("campaign"):
                campaign.start()  # ops draw the lottery by hand at the start of the stretch
            result.phase_s["campaign"] += time.perf_counter() - t0
        # Tweets deleted and accounts suspended on X (not under the fault suite's hooks: it measures listening).
        deletions = ComplianceDay(stack, clock, start, minutes) if hooks is None else None
        if hooks:
            hooks.setup(stack, clock)
        result.phase_s["setup"] = time.perf_counter() - began - result.phase_s["campaign"]
        bar = _progress(progress, minutes)
        lap = _Lap(result.phase_s)
        for minute in range(1, minutes + 1):
            clock.set(start + timedelta(minutes=minute))
            if hooks:
                hooks.before_minute(stack, minute)
            if deletions:
                deletions.before_minute(minute)
            lap("hooks")
            if posts.due():
                with stack.aws_meter.channel("publisher"):
                    posts.publish_minute()  # the publisher's 5-minute schedule, in service hours
            lap("publisher")
            if campaign and campaign.due():
                with stack.aws_meter.channel("campaign"):
                    campaign.maybe_tick()  # the 15-minute DM drain
            lap("campaign")
            t0 = time.perf_counter()
            report = poller_app.handler({"scheduled_time": iso_z(clock())}, context_for("poller"))
            result.poll_ms.append((time.perf_counter() - t0) * 1000)
            lap("poller")
            result.fetched += report["fetched"]
            result.matched += report["matched"]
            result.enqueued += report["enqueued"]
            result.poll_failures += len(report["failures"])
            drained = drain_queue(stack.sqs, stack.settings.queue_url, worker_app.handler)
            result.worker_invocations += drained.invocations
            result.worker_failures += drained.failed
            team.notice(drained.received)  # the desk's list shows new work (nothing to poll for otherwise)
            lap("worker")
            with stack.aws_meter.channel("outage"):
                outage.minute(stack)
            lap("outage")
            if team.due():
                with stack.aws_meter.channel("desk"):  # the desk's AWS traffic is reported apart
                    work_queue(team)
            qa.minute()
            lap("desk")
            if mail_day.due():
                with stack.aws_meter.channel("mailform"):
                    mail_day.minute()
            lap("mailform")
            if day_reports.due(clock()):
                with stack.aws_meter.channel("reports"):
                    day_reports.tick(clock())  # the reporter handler at the report times (14:00, 20:00 JST)
            else:
                day_reports.tick(clock())  # nothing due: no AWS call, no channel switch
            lap("reports")
            bar(minute, result)
        # The system's work, counted before the summary's own reads below.
        result.api_requests = dict(stack.twitter.stats.by_endpoint)
        result.aws_requests = dict(stack.aws_meter.by_service())
        result.dynamodb_writes = stack.aws_meter.count("dynamodb", DYNAMODB_WRITES)
        result.desk = team.summary()
        result.reports = day_reports.summary_rows()
        result.posts = posts.summary()
        result.campaign = campaign.rows() if campaign else []
        result.mailform = mail_day.summary_rows()
        result.qa = qa.rows()
        result.outage = outage.summary_rows(stack)
        stored = list(Inquiry.scan())
        result.x_bill = bill_sim.summary(stack, stored, result.desk["replies"])
        result.dlq_depth = stack.queue_depth(stack.dlq_url)
        if hooks:
            result.inspected = hooks.inspect(stack)
        if deletions:
            t0 = time.perf_counter()
            deletions.finish()  # the compliance function the next morning (moves the clock: after the day's reads)
            result.compliance, result.compliance_summary = deletions.rows(), deletions.summary()
            result.phase_s["compliance"] += time.perf_counter() - t0

    tweet_ids = [t for inq in stored for t in inq.tweet_ids]
    result.inquiries = len(stored)
    result.duplicates = len(tweet_ids) - len(set(tweet_ids))
    found = set(tweet_ids)
    window_relevant = {tid for tid in relevant if day.truth[tid].kind != "retweet"}
    result.missed_ids = sorted(window_relevant - found, key=int)
    result.missed_relevant = len(result.missed_ids)
    result.false_positives = sum(1 for tid in found if tid in day.truth and not day.truth[tid].relevant)
    for inq in stored:
        result.by_topic[inq.topic] += 1
        result.by_sentiment[inq.sentiment] += 1
        result.direct += inq.direct
        result.with_pii += inq.has_pii
        result.with_history += bool(inq.history)
        result.with_context += bool(inq.context_before or inq.context_after)
    result.wall_s = time.perf_counter() - began
    return result


class _Lap:
    """Adds the wall time since the previous call to `phases[name]`."""

    def __init__(self, phases: Counter[str]) -> None:
        self.phases = phases
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] += now - self.last
        self.last = now


def _progress(enabled: bool, total: int):
    if not enabled:
        return lambda minute, result: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("simulated minutes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.fields[info]}"), redirect_stdout=False)
    prog.start()
    task = prog.add_task("day", total=total, info="")

    def update(minute: int, result: DayResult) -> None:
        prog.update(task, completed=minute,
                    info=f"fetched {result.fetched} · queued {result.enqueued}")
        if minute == total:
            prog.stop()

    return update


def print_summary(result: DayResult, start: datetime) -> None:
    from rich.console import Console
    from rich.table import Table

    from infra.publishing_sim import summary_rows

    console = Console()
    end = start + timedelta(minutes=result.minutes)
    table = Table(title=f"Simulated support day {start:%Y-%m-%d %H:%M}–{end:%H:%M} JST", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("tweets posted on X in the stretch (all of them: customers, news, bots, chatter, retweets)",
         f"{result.generated:,}"),
        ("  of which relevant to the desk (ground truth: trouble, praise, mentions)", result.relevant_truth),
        ("tweets fetched by the poller (keyword search + mentions; one found by two sources counts twice)",
         f"{result.fetched:,}"),
        ("matched locally and queued", result.enqueued),
        ("inquiries stored", result.inquiries),
        ("  of which direct (mentions / replies to us)", result.direct),
        ("  with personal data flagged", result.with_pii),
        ("  returning customers (history attached)", result.with_history),
        ("  with the author's surrounding tweets", result.with_context),
        ("relevant tweets missed (ground truth)", result.missed_relevant),
        ("noise stored as inquiries (ground truth)", result.false_positives),
        ("duplicate inquiries", result.duplicates),
        ("messages in the DLQ", result.dlq_depth),
        ("X API requests", sum(result.api_requests.values())),
        *((f"  {ep}", n) for ep, n in sorted(result.api_requests.items())),
        ("desk: claims by 10 agents (an inquiry is claimed again after a release)", result.desk["handled"]),
        ("  resolved without reply (no reply needed; of which news, bots, off-topic)",
         f'{result.desk.get("no_reply_needed", 0)} ({result.desk.get("not_customers", 0)})'),
        ("  desk errors", ", ".join(f"{k} {v}" for k, v in result.desk.get("errors", {}).items()) or "0"),
        ("  replies edited after X refused them as duplicate content", result.desk.get("duplicate_edits", 0)),
        ("  inquiries answered: replies sent (API / by hand via intent link)",
         f'{result.desk["replies"]} ({result.desk["api_posts"]} / {result.desk["manual_posts"]})'),
        ("  median first-response time (min)", _or_dash(result.desk["median_first_response_min"])),
        ("  e-mail form guidance", result.desk["email_form_guidance"]),
        ("  refusals by reason", ", ".join(f"{k} {v}" for k, v in result.desk["refusals"].items()) or "0"),
        ("  X API cost of posts (USD, pay-per-use prices)",
         f'{result.desk["api_cost_usd"]:.2f} ({result.desk["api_posts_with_url"]} with URL)'),
        *summary_rows(result.posts),
        *result.mailform,
        *bill_sim.summary_rows(result.x_bill),
        *result.campaign,
        *result.compliance,
        *result.reports,
        *result.qa,
        *result.outage,
        ("listening: AWS requests", sum(result.aws_requests.values())),
        *((f"  {svc}", n) for svc, n in sorted(result.aws_requests.items())),
        ("  DynamoDB writes per inquiry (incl. checkpoints)",
         round(result.dynamodb_writes / max(1, result.inquiries), 2)),
        ("poll failures (429/5xx, retried next minute)", result.poll_failures),
        ("median poll time (ms, local stack)", round(statistics.median(result.poll_ms or [0]), 1)),
        ("wall time (s)", round(result.wall_s, 1)),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)
    topics = Table(title="Inquiries by topic and sentiment")
    for col in ("topic", "inquiries"):
        topics.add_column(col)
    for topic, n in result.by_topic.most_common():
        topics.add_row(topic, str(n))
    topics.add_row("— sentiment —", ", ".join(f"{k} {v}" for k, v in result.by_sentiment.most_common()))
    console.print(topics)


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


METRICS_FILE = Path("out/metrics.jsonl")


class _MetricsStream(io.TextIOBase):
    """stdout with the functions' CloudWatch EMF lines (Powertools prints them, as Lambda expects) diverted to
    a file of their own, so the terminal shows the progress bar and the summary."""

    def __init__(self, terminal: TextIO, metrics: TextIO) -> None:
        self.terminal, self.metrics = terminal, metrics
        self._in_metric = False  # print() writes the line, then its newline

    def write(self, text: str) -> int:
        metric = text.startswith('{"_aws"') or (self._in_metric and text == "\n")
        self._in_metric = metric and text != "\n"
        (self.metrics if metric else self.terminal).write(text)
        return len(text)

    def flush(self) -> None:
        self.terminal.flush()
        self.metrics.flush()

    def isatty(self) -> bool:
        return self.terminal.isatty()

    def fileno(self) -> int:
        return self.terminal.fileno()


def divert_metrics(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout = _MetricsStream(sys.stdout, path.open("w", encoding="utf-8"))  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", default=DEFAULT_DATE, help="simulated day (JST), YYYY-MM-DD")
    parser.add_argument("--start", default="09:00", help="JST start time, HH:MM")
    parser.add_argument("--hours", type=float, default=2.0, help="length of the stretch")
    parser.add_argument("--full", action="store_true",
                        help="the whole support day: 09:00-20:00 JST at seed volume (same as --start 09:00 --hours 11)")
    parser.add_argument("--tweets", type=int, default=None,
                        help="tweets posted on X in the stretch (default: seed volume, 50,000 per 11-hour day)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--campaign-notify", choices=["claim", "hand", "api"], default="claim",
                        help="how the campaign's winners hear of it (infra/campaign_sim.py)")
    parser.add_argument("--access-level", default="pro", choices=["basic", "pro", "pay_per_use", "enterprise"])
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--incident", action="append", default=[], metavar="TOPIC,PLACE,START,DURATION,PEAK",
                        help="inject an outage, e.g. signal,大阪,10:30,45,40 (place 全国: nationwide; peak: "
                             "complaining authors per minute); repeatable")
    parser.add_argument("--moto", default="process", choices=["process", "thread"],
                        help="serve moto from a child process (default, faster) or a thread of this one")
    args = parser.parse_args(argv)
    from infra.outage_sim import IncidentSpec

    for spec in args.incident:
        try:
            IncidentSpec.parse(spec)
        except ValueError as exc:
            parser.error(str(exc))
    if args.full:
        args.start, args.hours = "09:00", 11.0
    start = datetime.fromisoformat(f"{args.date}T{args.start}:00").replace(tzinfo=JST)
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "false"  # the functions' metrics, in a file of their own
    divert_metrics(METRICS_FILE)
    tweets = args.tweets if args.tweets is not None else round(SEED_VOLUME_PER_HOUR * args.hours)
    result = run_day(seed=args.seed, start=start, minutes=int(args.hours * 60), tweets=tweets,
                     access_level=args.access_level, progress=not args.no_progress, moto=args.moto,
                     campaign_notify=args.campaign_notify,
                     incidents=tuple(args.incident))
    print_summary(result, start)
    print(f"the functions' CloudWatch metrics (EMF lines, as Lambda would print them): {METRICS_FILE}")
    ok = (result.duplicates == 0 and result.dlq_depth == 0 and not result.posts.get("over_cap")
          and result.posts.get("duplicates_on_x", 0) == 0
          and result.posts.get("identical_across_accounts", 0) == 0
          and dict(result.campaign).get("campaign unsolicited DMs", "0") == "0")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
