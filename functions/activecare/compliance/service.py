"""The compliance sweep: once a day every tweet id and user id we hold is checked with X, and what X reports
deleted, suspended, protected or deactivated is erased (X's developer rules: within 24 hours).

Two ways to ask X, chosen by the setting COMPLIANCE_MODE (README "Deletions on X"):

- `jobs`: X's batch compliance. One job per kind (users, tweets) named after the run; the ids are uploaded to the
  job's upload URL, the job polled until complete, its results downloaded and erased. No per-id charge.
- `lookup`: GET /2/users?ids= and GET /2/tweets?ids=, 100 ids a request, within a budget (USD per UTC day, the
  pay-per-use prices; a run stopped by it goes on the next day, late, and the alarm says so): an id answered with
  a resource error (not found, suspended, not authorized) is gone.

Every step is saved in one progress record before the next begins (lookup: the last id checked per kind; jobs:
each kind's job id, its upload, whether its results were erased), and every erasure is conditional, so a crash,
a Lambda timeout, a 429 or an exhausted budget loses nothing: the next invocation (the hourly resume) continues
the same run, and erasing again removes nothing twice. Users go first: an erased account takes its tweets along,
which the tweet step then no longer holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, timedelta
from functools import partial
from itertools import islice
from typing import Literal, TypeVar

from aws_lambda_powertools import Logger

from activecare.clock import Clock, to_jst
from activecare.compliance.models import (
    KINDS,
    LOOKUP_BATCH,
    TWEET_READ_USD,
    USER_READ_USD,
    ErasureResult,
    Job,
    JobProgress,
    Kind,
    Mode,
    SweepReport,
    SweepRun,
    Verdict,
)
from activecare.compliance.ports import ComplianceJobs, ComplianceLookup, Holdings, RunStore
from activecare.hours import jst_date
from activecare.twitter.port import RateLimited, TwitterUnavailable

logger = Logger(child=True)

MIN_INTERVAL = timedelta(hours=20)  # a daily start within this of the last run's start is a retry: nothing new
MARGIN_S = 60.0  # stop (saved) when less than this much of the invocation is left
Action = Literal["started", "resumed", "nothing_to_do"]
PRICE: dict[str, float] = {"tweets": TWEET_READ_USD, "users": USER_READ_USD}
T = TypeVar("T")


class Stop(Exception):
    """The run stops here for now (saved); `reason`: budget | time | rate_limited | unavailable | waiting."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ComplianceService:
    def __init__(self, *, holdings: Holdings, runs: RunStore, clock: Clock, mode: Mode,
                 lookup: ComplianceLookup | None = None, jobs: ComplianceJobs | None = None,
                 budget_usd: float = 25.0, poll_s: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 time_left: Callable[[], float] | None = None) -> None:
        if (mode == "lookup" and lookup is None) or (mode == "jobs" and jobs is None):
            raise ValueError(f"compliance mode {mode!r} needs its X adapter")
        self.holdings = holdings
        self.runs = runs
        self.clock = clock
        self.mode = mode
        self.lookup = lookup
        self.jobs = jobs
        self.budget_usd = budget_usd
        self.poll_s = poll_s
        self.sleep = sleep
        self.time_left = time_left or (lambda: float("inf"))

    # --- erasure (also for the paths that learn of a deletion otherwise) ------------------------------

    def erase_tweets(self, refs: Mapping[str, str | None] | Iterable[str]) -> ErasureResult:
        """Erase these tweets wherever stored: `{tweet_id: author_id or None}` or bare ids (an account activity
        delete event gives both). Idempotent; the counts are of records removed by this call."""
        wanted = dict(refs) if isinstance(refs, Mapping) else dict.fromkeys(refs)
        result = ErasureResult()
        if wanted:
            result.add(self.holdings.erase_tweets(wanted))
            logger.info("tweets erased", extra={"tweets": len(wanted), "removed": result.total})
        return result

    def erase_users(self, user_ids: Iterable[str]) -> ErasureResult:
        """Erase everything stored of these accounts (deleted, suspended, protected, deactivated). Idempotent."""
        ids = sorted(set(user_ids))
        result = ErasureResult()
        if ids:
            result.add(self.holdings.erase_users(ids))
            logger.info("users erased", extra={"users": len(ids), "removed": result.total})
        return result

    # --- the sweep -------------------------------------------------------------------------------

    def sweep(self, *, start: bool = True) -> SweepReport:
        """Continue the unfinished run, else (with `start`) begin today's unless one began within MIN_INTERVAL."""
        now = self.clock()
        run = self.runs.load()
        action: Action
        if run is not None and run.phase == "running":
            action = "resumed"
        elif start and (run is None or now - run.started_at >= MIN_INTERVAL):
            version = run.version if run is not None else 0
            run = SweepRun(run_id=jst_date(now).replace("-", "") + to_jst(now).strftime("T%H%M"), mode=self.mode,
                           started_at=now, version=version)
            if not self.runs.save(run):
                return self._report(run, "nothing_to_do", 0, False)  # another invocation started it just now
            run.version += 1
            action = "started"
        else:
            return self._report(run, "nothing_to_do", 0, False) if run else SweepReport(
                run_id="", mode=self.mode, action="nothing_to_do", complete=False, checked={}, gone={}, erased={},
                requests=0, cost_usd=0.0)
        before = run.erased_total
        run.stopped = ""
        try:
            if run.mode == "lookup":
                self._lookup_run(run)
            else:
                self._jobs_run(run)
        except Stop as stop:
            run.stopped = stop.reason
            if stop.reason != "concurrent" and self.runs.save(run):
                run.version += 1
            logger.warning("compliance sweep paused", extra={"run_id": run.run_id, "reason": stop.reason})
            return self._report(run, action, run.erased_total - before, False)
        run.phase, run.finished_at = "complete", self.clock()
        self._save(run)
        logger.info("compliance sweep complete", extra={"run_id": run.run_id, "erased": run.erased_total,
                                                         "requests": run.requests})
        return self._report(run, action, run.erased_total - before, True)

    # --- lookup mode -------------------------------------------------------------------------------

    def _lookup_run(self, run: SweepRun) -> None:
        assert self.lookup is not None
        for kind in KINDS:
            if kind in run.done_kinds:
                continue
            held = self._held(kind)
            cursor = int(run.cursors.get(kind) or 0)
            pending = sorted((i for i in held if int(i) > cursor), key=int)
            for chunk in _batches(pending, LOOKUP_BATCH):
                self._check_time()
                today = self.clock().astimezone(UTC).date().isoformat()
                if run.budget_day != today:
                    run.budget_day, run.day_cost_usd = today, 0.0
                if run.day_cost_usd + len(chunk) * PRICE[kind] > self.budget_usd + 1e-9:
                    raise Stop("budget")
                try:
                    result = self.lookup.users(chunk) if kind == "users" else self.lookup.tweets(chunk)
                except RateLimited:
                    raise Stop("rate_limited") from None
                except TwitterUnavailable:
                    raise Stop("unavailable") from None
                run.requests += 1
                run.cost_usd = round(run.cost_usd + result.live * PRICE[kind], 6)
                run.day_cost_usd = round(run.day_cost_usd + result.live * PRICE[kind], 6)
                run.checked[kind] = run.checked.get(kind, 0) + len(chunk)
                self._erase(run, kind, result.gone, held)
                run.cursors[kind] = chunk[-1]
                self._save(run)
            run.done_kinds.append(kind)
            self._save(run)

    # --- jobs mode ---------------------------------------------------------------------------------

    def _jobs_run(self, run: SweepRun) -> None:
        assert self.jobs is not None
        jobs = self.jobs
        live: dict[Kind, Job] = {}
        for kind in KINDS:  # create and upload both, then wait for both: X works on them side by side
            if kind in run.done_kinds:
                continue
            if kind not in run.jobs and not self._held(kind):  # nothing of this kind held: no job to ask for
                run.done_kinds.append(kind)
                self._save(run)
                continue
            live[kind] = self._uploaded_job(run, kind)
        for kind, job in live.items():
            while job.status != "complete":
                if job.status in ("failed", "expired"):  # X gave up on it: a new job, uploaded again
                    run.jobs[kind] = JobProgress()
                    self._save(run)
                    job = self._uploaded_job(run, kind)
                    continue
                if self.time_left() < MARGIN_S + self.poll_s:
                    raise Stop("waiting")
                self.sleep(self.poll_s)
                job = self._call(partial(jobs.get, job.id))
                run.requests += 1
            verdicts = self._call(partial(jobs.download, job))
            self._erase(run, kind, [v for v in verdicts if v.kind == kind], self._held(kind))
            run.jobs[kind].done = True
            run.done_kinds.append(kind)
            self._save(run)

    def _uploaded_job(self, run: SweepRun, kind: Kind) -> Job:
        """The run's job of this kind, created (or found by name after a crash) and its ids uploaded."""
        assert self.jobs is not None
        jobs = self.jobs
        progress = run.jobs.setdefault(kind, JobProgress())
        if progress.job_id:
            job = self._call(lambda: jobs.get(progress.job_id))
        else:
            self._check_time()
            job = self._call(lambda: jobs.find(kind, run.job_name(kind))) or self._call(
                lambda: jobs.create(kind, run.job_name(kind)))
            progress.job_id = job.id
            run.requests += 1
            self._save(run)
        if progress.uploaded is None and job.status == "created":
            ids = sorted(self._held(kind), key=int)
            self._call(lambda: jobs.upload(job, ids))
            progress.uploaded = len(ids)
            run.checked[kind] = len(ids)
            self._save(run)
            job = self._call(lambda: jobs.get(job.id))
        elif progress.uploaded is None:  # uploaded before a crash (X is on it): the count is not known
            progress.uploaded = 0
            self._save(run)
        run.requests += 1
        return job

    # --- plumbing ----------------------------------------------------------------------------------

    def _held(self, kind: str) -> dict[str, str | None]:
        if kind == "users":
            return dict.fromkeys(self.holdings.users())
        return dict(self.holdings.tweets())

    def _erase(self, run: SweepRun, kind: str, gone: list[Verdict], held: Mapping[str, str | None]) -> None:
        ids = [v.id for v in gone if v.id in held]
        run.gone[kind] = run.gone.get(kind, 0) + len(ids)
        if not ids:
            return
        result = self.erase_users(ids) if kind == "users" else self.erase_tweets({i: held[i] for i in ids})
        for what, n in result.counts.items():
            run.erased[what] = run.erased.get(what, 0) + n

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except RateLimited:
            raise Stop("rate_limited") from None
        except TwitterUnavailable:
            raise Stop("unavailable") from None

    def _check_time(self) -> None:
        if self.time_left() < MARGIN_S:
            raise Stop("time")

    def _save(self, run: SweepRun) -> None:
        if not self.runs.save(run):
            raise Stop("concurrent")  # another invocation moved the run: leave it to that one
        run.version += 1

    def _report(self, run: SweepRun, action: Action, erased_now: int, completed_now: bool) -> SweepReport:
        return SweepReport(run_id=run.run_id, mode=run.mode, action=action,
                           complete=run.phase == "complete", completed_now=completed_now,
                           finished_at=run.finished_at, checked=dict(run.checked), gone=dict(run.gone),
                           erased=dict(run.erased), erased_now=erased_now, requests=run.requests,
                           cost_usd=run.cost_usd, stopped=run.stopped)


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
