"""The compliance sweep's data: what X says of an id, the sweep's persisted progress, and what a run answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["tweets", "users"]
KINDS: tuple[Kind, ...] = ("users", "tweets")  # users first: an erased account takes its tweets with it
Reason = Literal["deleted", "suspended", "protected", "deactivated"]
REASONS: tuple[Reason, ...] = get_args(Reason)
Mode = Literal["jobs", "lookup"]
JobStatus = Literal["created", "in_progress", "complete", "failed", "expired"]
Phase = Literal["running", "complete"]

# Pay-per-use prices (shared/reference, PITFALLS.md): each resource read is billed once per UTC day.
TWEET_READ_USD = 0.005
USER_READ_USD = 0.010
LOOKUP_BATCH = 100  # ids per GET /2/tweets or /2/users


class Verdict(BaseModel):
    """One id X reports non-compliant: it must leave our systems."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: Kind
    reason: Reason


class LookupResult(BaseModel):
    """One lookup request: the ids found gone, and how many were returned live (what X bills)."""

    gone: list[Verdict] = Field(default_factory=list)
    live: int = 0


class Job(BaseModel):
    """A batch compliance job as X describes it."""

    id: str
    kind: Kind
    name: str
    status: str
    upload_url: str = ""
    download_url: str = ""


class JobProgress(BaseModel):
    """A sweep's job of one kind: created, its ids uploaded, its results erased."""

    job_id: str = ""
    uploaded: int | None = None  # ids uploaded (None: not yet)
    done: bool = False


class SweepRun(BaseModel):
    """The sweep's persisted state (one record, rewritten after every step so a crash loses nothing).

    Lookup mode walks the held ids in ascending order: `cursors[kind]` is the last id already checked and
    erased, so a re-run goes on after it. Jobs mode keeps each kind's job id (named after the run, found again by
    name if the crash came before it was stored) and whether its results were erased."""

    run_id: str
    mode: Mode
    started_at: datetime
    phase: Phase = "running"
    finished_at: datetime | None = None
    cursors: dict[str, str] = Field(default_factory=dict)
    done_kinds: list[str] = Field(default_factory=list)
    jobs: dict[str, JobProgress] = Field(default_factory=dict)
    checked: dict[str, int] = Field(default_factory=lambda: {"tweets": 0, "users": 0})
    gone: dict[str, int] = Field(default_factory=lambda: {"tweets": 0, "users": 0})
    erased: dict[str, int] = Field(default_factory=dict)  # stored items removed, per kind of record
    requests: int = 0
    cost_usd: float = 0.0
    # The budget is per UTC day, as X bills (each resource once per UTC day): a run stopped by it goes on the next day.
    budget_day: str = ""
    day_cost_usd: float = 0.0
    stopped: str = ""  # why the last step stopped short: "budget", "time", "" (it did not)
    version: int = 0  # optimistic concurrency: each save expects the version it read

    def job_name(self, kind: Kind) -> str:
        return f"activecare-{self.run_id}-{kind}"

    @property
    def erased_total(self) -> int:
        return sum(self.erased.values())


class SweepReport(BaseModel):
    """What one invocation did (the handler's answer and its metrics; counts and ids of runs only, no text)."""

    run_id: str
    mode: Mode
    action: Literal["started", "resumed", "nothing_to_do"]
    complete: bool
    completed_now: bool = False  # this invocation finished the run (the metric the alarm watches)
    finished_at: datetime | None = None
    checked: dict[str, int]
    gone: dict[str, int]
    erased: dict[str, int]
    erased_now: int = 0  # removed by this invocation
    requests: int
    cost_usd: float
    stopped: str = ""


class ErasureResult(BaseModel):
    """What an erasure call removed, per kind of stored record."""

    counts: dict[str, int] = Field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, other: dict[str, int]) -> None:
        for kind, n in other.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
