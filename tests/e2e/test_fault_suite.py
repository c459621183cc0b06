"""The fault suite (issue #7, infra/fault_suite.py): every fault, injected into a short stretch of the simulated
day, really fires and reaches the system, and nothing is lost or doubled - tweets, inquiries, posts, DMs, report
e-mails - and nothing is left half-done once the stretch has recovered.

All scenarios run once (in two processes where there are two cores), then one test per scenario reads its row."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest

from infra.fault_suite import SCENARIOS, Outcome, print_table, run_suite


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    began = time.perf_counter()
    rows = run_suite(jobs=min(2, os.cpu_count() or 1))
    print_table(rows, time.perf_counter() - began)  # shown with -s, and in the report of a failing test
    return {o.scenario: o for o in rows}


@pytest.mark.parametrize("key", [s.key for s in SCENARIOS])
def test_the_fault_fires_and_nothing_is_lost_or_doubled(outcomes: dict[str, Outcome], key: str) -> None:
    o = outcomes[key]
    assert o.injected > 0, f"{key}: the fault was never injected ({o})"
    assert o.reached > 0, f"{key}: the fault never reached the system ({o})"
    counts = {"tweets lost": o.lost, "duplicate inquiries": o.dup_inquiries, "duplicate posts": o.dup_posts,
              "duplicate DMs": o.dup_dms, "duplicate e-mails": o.dup_mails, "unrecovered": o.unrecovered}
    assert counts == dict.fromkeys(counts, 0), f"{key}: {o.notes}"
    assert o.relevant > 0, f"{key}: the window holds no relevant tweet, so 'tweets lost' proves nothing"


def test_lost_counts_relevant_tweets_the_baseline_stored_and_the_faulted_run_did_not() -> None:
    from infra import fault_suite
    from infra.fault_suite import NIGHT, score

    fault_suite._truth_cache[(NIGHT, -1)] = frozenset({"1", "2", "3", "4"})  # the generator's relevant tweets
    base = Outcome("baseline", "none", NIGHT, stored=frozenset({"1", "2", "3", "9"}))  # "4": missed by both
    faulted = Outcome("x", "fault", NIGHT, injected=1, reached=1, stored=frozenset({"1", "9"}))
    scored = score(faulted, base, -1)
    assert (scored.lost, scored.relevant, scored.ok) == (2, 3, False)
    assert score(replace(faulted, stored=base.stored), base, -1).ok
