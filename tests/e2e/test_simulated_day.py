"""A short stretch of the simulated day through the real handlers on the local stack: listening,
desk agents, scheduled posts and a small campaign together."""

from __future__ import annotations

from datetime import datetime

from activecare.clock import JST
from infra.simulate_day import run_day


def test_a_morning_loses_nothing_and_doubles_nothing() -> None:
    result = run_day(seed=3, start=datetime(2026, 11, 25, 9, 0, tzinfo=JST), minutes=20, tweets=1500,
                     progress=False, campaign_retweeters=300)
    assert result.inquiries > 0
    assert result.duplicates == 0
    assert result.dlq_depth == 0
    assert result.worker_failures == 0
    # Ground truth: relevant tweets the catalogue covers reach the desk.
    assert result.missed_relevant <= max(1, result.relevant_truth // 10), result
    assert sum(result.by_topic.values()) == result.inquiries
    # The desk answered, the greeting went out on every account, caps held, the campaign drew.
    assert result.desk["replies"] > 0
    assert result.posts["over_cap"] == [] and result.posts["duplicates_on_x"] == 0
    assert result.posts["identical_across_accounts"] == 0  # X: no identical content across our accounts
    assert result.posts["greeting_first"] and result.posts["outside_hours"] == 0
    assert result.mailform[0][0].startswith("e-mail form: handoffs")  # issue #19's counts
    rows = dict(result.campaign)
    assert rows and any("winners" in label for label in rows)
    assert rows["campaign unsolicited DMs"] == "0"  # X: automated DMs only after the user DMs you first
    # X's deletion rule: the tweets deleted and accounts gone during the day are erased within 24 hours.
    gone = result.compliance_summary
    assert gone["complete"] and gone["within_24h"] and gone["deleted"] > 0
    assert gone["erased"] == gone["deleted"] + gone["gone_users"]
