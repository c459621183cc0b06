"""Ports of the outage radar, with DynamoDB/SNS adapters (dynamo.py) and in-memory fakes (memory.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from activecare.outage.models import Baseline, DetectorState, Incident, Sample, Signal


class SignalStore(Protocol):
    def record(self, signal: Signal, sample: Sample | None) -> None:
        """Add the signal to its minute (idempotent on the tweet id); keep the sample if the minute has fewer
        than a few for the topic."""
        ...

    def signals(self, minutes: list[datetime]) -> list[Signal]:
        """Every signal of these minutes."""
        ...

    def samples(self, minutes: list[datetime], topics: list[str]) -> list[Sample]: ...


class RadarStore(Protocol):
    def load_state(self) -> DetectorState: ...

    def save_state(self, state: DetectorState, expected_version: int) -> bool:
        """Write the state (version bumped by the caller) only if the stored one is still `expected_version`:
        two overlapping runs cannot both apply a minute."""
        ...

    def baseline(self, hour_of_week: int) -> Baseline: ...

    def save_baseline(self, hour_of_week: int, baseline: Baseline) -> None: ...

    def incident(self, incident_id: str) -> Incident | None: ...

    def put_incident(self, incident: Incident) -> bool:
        """Write the incident only if the stored one is still at `incident.rev` (then `rev` moves on by one);
        False when someone wrote it in between (reload and apply again)."""
        ...

    def create_incident(self, incident: Incident) -> bool:
        """Store a new incident; False if one with its id exists (a repeated run or a double declaration)."""
        ...


class AlertNotSent(Exception):
    """The alert topic answered that it did not take the alert (it may be sent again). Any other failure of
    `publish` leaves the outcome unknown."""


class AlertSink(Protocol):
    def publish(self, subject: str, message: str, dedup_id: str) -> None:
        """Send one ops alert. Nothing personal is in `message`; `dedup_id` names the alert (incident:event),
        the same on a re-send."""
        ...


class StatusPoster(Protocol):
    def post(self, account: str, text: str) -> str:
        """Post `text` as the support account; the new tweet's id."""
        ...


class AccountPosts(Protocol):
    def count(self, account: str, now: datetime) -> int:
        """Every post the account made in the last 15 minutes, whichever feature made it (the desk's replies, the
        publisher's posts, a campaign's announcement, status posts): activecare/twitter/post_window.py."""
        ...
