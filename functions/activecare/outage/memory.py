"""In-memory fakes of the outage ports: unit tests and the simulator's counts-only mode."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from activecare.clock import minute_key
from activecare.outage.models import Baseline, DetectorState, Incident, Sample, Signal


class MemorySignals:
    def __init__(self, samples_per_topic: int = 5) -> None:
        self.by_minute: dict[str, dict[str, Signal]] = defaultdict(dict)
        self.sample_by_minute: dict[tuple[str, str], dict[str, Sample]] = defaultdict(dict)
        self.samples_per_topic = samples_per_topic

    def record(self, signal: Signal, sample: Sample | None) -> None:
        m = minute_key(signal.at)
        self.by_minute[m].setdefault(signal.tweet_id, signal)
        if sample is not None:
            kept = self.sample_by_minute[(m, signal.topic)]
            if len(kept) < self.samples_per_topic:
                kept.setdefault(sample.tweet_id, sample)

    def signals(self, minutes: list[datetime]) -> list[Signal]:
        return [s for m in minutes for s in self.by_minute.get(minute_key(m), {}).values()]

    def samples(self, minutes: list[datetime], topics: list[str]) -> list[Sample]:
        return [s for m in minutes for t in topics for s in self.sample_by_minute.get((minute_key(m), t), {}).values()]

    def forget_before(self, minute: datetime) -> None:
        """The simulator's long runs: drop old minutes (TTL does it in DynamoDB)."""
        cut = minute_key(minute)
        for m in [m for m in self.by_minute if m < cut]:
            del self.by_minute[m]
        for k in [k for k in self.sample_by_minute if k[0] < cut]:
            del self.sample_by_minute[k]


class MemoryRadar:
    def __init__(self) -> None:
        self.state = DetectorState()
        self.baselines: dict[int, Baseline] = {}
        self.incidents: dict[str, Incident] = {}

    def load_state(self) -> DetectorState:
        return self.state.model_copy(deep=True)

    def save_state(self, state: DetectorState, expected_version: int) -> bool:
        if self.state.version != expected_version:
            return False
        self.state = state.model_copy(deep=True)
        return True

    def baseline(self, hour_of_week: int) -> Baseline:
        return self.baselines.get(hour_of_week, Baseline()).model_copy(deep=True)

    def save_baseline(self, hour_of_week: int, baseline: Baseline) -> None:
        self.baselines[hour_of_week] = baseline.model_copy(deep=True)

    def incident(self, incident_id: str) -> Incident | None:
        inc = self.incidents.get(incident_id)
        return inc.model_copy(deep=True) if inc else None

    def put_incident(self, incident: Incident) -> bool:
        stored = self.incidents.get(incident.id)
        if (stored.rev if stored else 0) != incident.rev:
            return False
        incident.rev += 1
        self.incidents[incident.id] = incident.model_copy(deep=True)
        return True

    def create_incident(self, incident: Incident) -> bool:
        if incident.id in self.incidents:
            return False
        self.incidents[incident.id] = incident.model_copy(deep=True)
        return True


class MemoryAlerts:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def publish(self, subject: str, message: str, dedup_id: str) -> None:
        self.sent.append((subject, message, dedup_id))
