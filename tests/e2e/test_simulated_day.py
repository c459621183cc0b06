"""A short stretch of the simulated day through the real handlers on the local stack."""

from __future__ import annotations

from datetime import datetime

from activecare.clock import JST
from infra.simulate_day import run_day


def test_a_morning_loses_nothing_and_doubles_nothing() -> None:
    result = run_day(seed=3, start=datetime(2026, 11, 25, 9, 0, tzinfo=JST), minutes=20, tweets=1500,
                     progress=False)
    assert result.inquiries > 0
    assert result.duplicates == 0
    assert result.dlq_depth == 0
    assert result.worker_failures == 0
    # Ground truth: relevant tweets the catalogue covers reach the desk.
    assert result.missed_relevant <= max(1, result.relevant_truth // 10), result
    assert sum(result.by_topic.values()) == result.inquiries
