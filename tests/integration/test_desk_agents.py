"""Simulated agents work a short stretch of the day on the local stack: the listening spine
fills the queue, ten agents answer it through the DeskService (API or by hand, per tier)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from activecare.clock import JST, ManualClock
from activecare.staff.cognito import CognitoStaffDirectory
from activecare.staff.service import StaffService
from activecare.storage.models import Inquiry
from infra.agents import SUPERVISOR, DeskAgents, work_queue
from infra.local_stack import LocalStack
from infra.seed.tweets import generate_day
from tests.integration.spine import minute


def test_ten_agents_work_the_queue_without_double_posts() -> None:
    start = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
    clock = ManualClock(start)
    day = generate_day(5, start, start + timedelta(minutes=5), 600)
    with LocalStack(clock) as stack:
        stack.twitter.add_users(day.users)
        stack.twitter.add_tweets(day.tweets)
        team = DeskAgents(stack, agents=10, seed=5, mistake_rate=0.3)
        for _ in range(6):
            minute(stack, clock)
            work_queue(team)
        summary = team.summary()
        stored = list(Inquiry.scan())
        api_posts = list(stack.twitter.posted)
        by_hand = list(stack.twitter.posted_by_hand)
        pool = stack.staff_pool()
        members = StaffService(CognitoStaffDirectory(pool.cognito, pool.pool_id)).list()
        assert pool.access_token(SUPERVISOR)
    assert summary["replies"] > 5, summary
    assert summary["replies"] == summary["api_posts"] + summary["manual_posts"]
    assert summary["api_posts"] == len(api_posts) and summary["manual_posts"] == len(by_hand)
    assert summary["median_first_response_min"] is not None
    assert summary["refusals"].get("personal_data", 0) > 0 and summary["email_form_guidance"] > 0
    assert not summary["errors"], summary
    # Every reply answers one customer tweet once, and each is recorded on its inquiry.
    targets = Counter(r["referenced_tweets"][0]["id"] for r in api_posts + by_hand)
    assert max(targets.values()) == 1
    recorded = {m.tweet_id for i in stored for m in i.messages if m.direction == "out"}
    assert recorded == {r["id"] for r in api_posts + by_hand}
    # The team are the stack's staff: ten agents and their supervisor, each able to sign in.
    assert {m.username: m.groups for m in members} == {**{n: ("agents",) for n in team.names},
                                                       SUPERVISOR: ("supervisors",)}
    assert summary["api_cost_usd"] == round(0.2 * summary["api_posts_with_url"]
                                            + 0.015 * (summary["api_posts"] - summary["api_posts_with_url"]), 4)
