"""In-memory fakes of the compliance ports (unit tests): a small store of held tweets and users, the progress
record, and an X that knows which ids are gone, answering lookups and batch jobs, with crash points."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from activecare.compliance.models import Job, Kind, LookupResult, Reason, SweepRun, Verdict
from activecare.twitter.port import RateLimited


@dataclass
class MemoryHoldings:
    """Held tweets (id -> author) and the users we hold content of; erasure drops them and counts."""

    tweets_held: dict[str, str] = field(default_factory=dict)
    users_held: set[str] = field(default_factory=set)
    erase_calls: int = 0

    def tweets(self) -> dict[str, str]:
        return dict(self.tweets_held)

    def users(self) -> set[str]:
        return set(self.users_held)

    def erase_tweets(self, refs: Mapping[str, str | None]) -> dict[str, int]:
        self.erase_calls += 1
        removed = [t for t in refs if self.tweets_held.pop(t, None) is not None]
        return {"tweets": len(removed)}

    def erase_users(self, user_ids: Iterable[str]) -> dict[str, int]:
        self.erase_calls += 1
        ids = set(user_ids)
        gone_tweets = [t for t, a in self.tweets_held.items() if a in ids]
        for t in gone_tweets:
            del self.tweets_held[t]
        users = len(ids & self.users_held)
        self.users_held -= ids
        return {"users": users, "tweets": len(gone_tweets)}


@dataclass
class MemoryRuns:
    run: SweepRun | None = None
    saves: int = 0

    def load(self) -> SweepRun | None:
        return self.run.model_copy(deep=True) if self.run else None

    def save(self, run: SweepRun) -> bool:
        stored = self.run.version if self.run else 0
        if run.version != stored:
            return False
        self.run = run.model_copy(deep=True, update={"version": run.version + 1})
        self.saves += 1
        return True


class Crash(Exception):
    """A simulated crash (the process dies here)."""


@dataclass
class MemoryX:
    """X's compliance side: `gone` says which ids are not compliant and why. `crash_after` raises Crash after
    that many calls (a process that dies mid-sweep); `rate_limit_after` answers 429 from then on."""

    gone: dict[str, tuple[Kind, Reason]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    crash_after: int | None = None
    rate_limit_after: int | None = None
    jobs: dict[str, Job] = field(default_factory=dict)
    uploads: dict[str, list[str]] = field(default_factory=dict)
    polls_to_complete: int = 1  # GETs of an uploaded job before it is complete

    def _call(self, what: str) -> None:
        if self.crash_after is not None and len(self.calls) >= self.crash_after:
            self.crash_after = None
            raise Crash(what)
        if self.rate_limit_after is not None and len(self.calls) >= self.rate_limit_after:
            raise RateLimited(what, None)
        self.calls.append(what)

    # ComplianceLookup
    def tweets(self, ids: list[str]) -> LookupResult:
        return self._lookup("tweets", ids)

    def users(self, ids: list[str]) -> LookupResult:
        return self._lookup("users", ids)

    def _lookup(self, kind: Kind, ids: list[str]) -> LookupResult:
        assert 1 <= len(ids) <= 100
        self._call(f"lookup {kind}")
        gone = [Verdict(id=i, kind=kind, reason=self.gone[i][1]) for i in ids
                if i in self.gone and self.gone[i][0] == kind]
        return LookupResult(gone=gone, live=len(ids) - len(gone))

    # ComplianceJobs
    def create(self, kind: Kind, name: str) -> Job:
        self._call(f"create {kind}")
        job = Job(id=str(len(self.jobs) + 1), kind=kind, name=name, status="created")
        self.jobs[job.id] = job
        return job

    def find(self, kind: Kind, name: str) -> Job | None:
        self._call(f"find {kind}")
        return next((j for j in self.jobs.values() if j.kind == kind and j.name == name
                     and j.status not in ("failed", "expired")), None)

    def get(self, job_id: str) -> Job:
        self._call(f"get {job_id}")
        job = self.jobs[job_id]
        if job.status == "in_progress":
            self.polls_to_complete -= 1
            if self.polls_to_complete <= 0:
                job = self.jobs[job_id] = job.model_copy(update={"status": "complete"})
        return job

    def upload(self, job: Job, ids: list[str]) -> None:
        self._call(f"upload {job.id}")
        self.uploads[job.id] = list(ids)
        self.jobs[job.id] = self.jobs[job.id].model_copy(update={"status": "in_progress"})

    def download(self, job: Job) -> list[Verdict]:
        self._call(f"download {job.id}")
        assert self.jobs[job.id].status == "complete"
        return [Verdict(id=i, kind=job.kind, reason=self.gone[i][1]) for i in self.uploads[job.id]
                if i in self.gone and self.gone[i][0] == job.kind]
