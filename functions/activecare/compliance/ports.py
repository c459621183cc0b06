"""The sweep's ports: what we hold (and its erasure), the sweep's progress record, and X's compliance side."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from activecare.compliance.models import Job, Kind, LookupResult, SweepRun, Verdict


class Holdings(Protocol):
    """The X content stored across the tables, and its erasure."""

    def tweets(self) -> dict[str, str]:
        """Every tweet id we hold a copy of (inquiries, their surrounding tweets and conversations) -> author id."""
        ...

    def users(self) -> set[str]:
        """Every user id we hold content of (inquiry authors, campaign entrants and winners)."""
        ...

    def erase_tweets(self, refs: Mapping[str, str | None]) -> dict[str, int]:
        """Remove every stored copy of these tweets (id -> author id or None); counts of items removed, per kind.
        Idempotent: what is gone already is not counted again."""
        ...

    def erase_users(self, user_ids: Iterable[str]) -> dict[str, int]:
        """Remove everything stored of these users; counts per kind, idempotent."""
        ...


class RunStore(Protocol):
    def load(self) -> SweepRun | None:
        """The latest sweep (running or complete), None before the first."""
        ...

    def save(self, run: SweepRun) -> bool:
        """Store the run if the stored one still has `run.version` (or none exists and the version is 0);
        the stored version becomes version + 1. False: someone else moved it."""
        ...


class ComplianceLookup(Protocol):
    """GET /2/tweets?ids= and GET /2/users?ids=, at most 100 ids a request."""

    def tweets(self, ids: list[str]) -> LookupResult: ...

    def users(self, ids: list[str]) -> LookupResult: ...


class ComplianceJobs(Protocol):
    """X's batch compliance: POST/GET /2/compliance/jobs, the upload and download URLs."""

    def create(self, kind: Kind, name: str) -> Job: ...

    def find(self, kind: Kind, name: str) -> Job | None:
        """A live (not failed or expired) job of ours by name (GET /2/compliance/jobs?type=)."""
        ...

    def get(self, job_id: str) -> Job: ...

    def upload(self, job: Job, ids: list[str]) -> None: ...

    def download(self, job: Job) -> list[Verdict]: ...
