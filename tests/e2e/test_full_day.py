"""The whole support day at seed volume through the real handlers on the local stack: 09:00-20:00 JST,
50,000 tweets on X, ten simulated agents, the publisher's schedule, a 3,000-entrant campaign with its DM
drain and the 14:00 and 20:00 reports - then every promise checked against the stack and the ground truth.

Slow by nature (the full volume, minute by minute, over HTTP): see tests/bench/bench_day.py for the figures."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from activecare.clock import JST, ManualClock
from activecare.keywords import Matcher, default_catalogue
from activecare.keywords.grouped import pack_for
from activecare.settings import QUERY_LENGTH
from infra.fake_twitter.query import compile_query, evaluate
from infra.local_stack import LocalStack
from infra.seed.tweets import generate_day
from infra.simulate_day import run_day
from tests.e2e.test_no_pii_in_logs import log_leaks, planted, text_leaks

SEED = 7
START = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
MINUTES = 11 * 60
TWEETS = 50_000
CAMPAIGN_ID = "sim-campaign"  # infra.campaign_sim.CampaignSim's default
ROUTING = Path(__file__).resolve().parents[2] / "functions" / "activecare" / "data" / "report_routing.json"


class ReadTheStack:
    """DayHooks: reads what reached X, the campaign's winners and which of `watch` (tweet ids) no packed
    search query returns on X (the fake's own query evaluator), before the stack stops."""

    def __init__(self, watch: set[str]) -> None:
        self.watch = watch

    def setup(self, stack: LocalStack, clock: ManualClock) -> None:
        pass

    def before_minute(self, stack: LocalStack, minute: int) -> None:
        pass

    def inspect(self, stack: LocalStack) -> dict[str, Any]:
        own = {a.user_id for a in stack.settings.accounts}
        posts = [t for t in [*stack.twitter.posted, *stack.twitter.posted_by_hand] if t["author_id"] in own]
        with stack.aws_meter.channel("campaign"):
            winners = stack.runtime.campaign().store.winners(CAMPAIGN_ID)
        queries = [compile_query(q.query) for q in pack_for(default_catalogue(), QUERY_LENGTH["pro"],
                                                            group_ambiguous=stack.settings.x_group_ambiguous,
                                                            max_queries=stack.settings.query_slots)]
        unsearchable = {tid for tid in self.watch if not any(evaluate(q, stack.twitter.doc(tid)) for q in queries)}
        return {
            "unsearchable": unsearchable,
            "posts": [{"author_id": t["author_id"], "text": t["text"],
                       "in_reply_to": next((r["id"] for r in t.get("referenced_tweets") or []
                                            if r.get("type") == "replied_to"), None)} for t in posts],
            "dms": Counter(d["participant_id"] for d in stack.twitter.social.dms if d["sender_id"] in own),
            "dm_closed": set(stack.twitter.social.dm_closed),
            "winners": [(w.user_id, w.status) for w in winners],
        }


@pytest.mark.slow
def test_a_full_day_at_seed_volume_keeps_every_promise(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    day = generate_day(SEED, START, START + timedelta(minutes=MINUTES), TWEETS)
    relevant = {tid for tid, truth in day.truth.items() if truth.relevant and truth.kind != "retweet"}
    with caplog.at_level(logging.INFO):
        result = run_day(seed=SEED, start=START, minutes=MINUTES, tweets=TWEETS, progress=False, quiet=False,
                         hooks=ReadTheStack(relevant), reports_dir=tmp_path)
    seen = result.inspected
    print(f"\nfull day: {result.wall_s:.0f} s wall, {result.generated:,} tweets on X, {result.fetched:,} fetched, "
          f"{result.inquiries} inquiries, {result.desk['replies']} answered, phases "
          f"{ {k: round(v) for k, v in result.phase_s.items()} }")

    # The day's size and the listening spine: nothing doubled, nothing poisoned, nothing lost.
    assert result.generated >= 50_000
    assert result.duplicates == 0
    assert result.dlq_depth == 0 and result.worker_failures == 0
    matcher = Matcher(default_catalogue())
    texts = {t["id"]: t["text"] for t in day.tweets}

    def known_miss(tweet_id: str) -> bool:
        """The matcher's known misses: no local keyword match and not addressed to a support account
        (a mention reaches the desk through the mentions timeline whatever its words)."""
        truth = day.truth[tweet_id]
        return truth.kind != "mention" and matcher.match(texts[tweet_id]) is None

    # Known too: relevant tweets no packed query returns on X although the local matcher accepts them (spellings
    # the matcher normalises and X's search does not: half-width ﾂﾅｶﾞﾗﾅｲ, Wi−Fi with U+2212...). Seed 7 had 3
    # with every keyword searched alone; with ambiguous keywords searched only beside their context (issue 16)
    # it has 5: ワイファイ/Wi-Fi + ﾂﾅｶﾞﾗﾅｲ, whose context つながらない X does not fold into katakana (searching the
    # katakana forms of the hiragana context terms too takes 55 queries instead of 45).
    # They are a gap of the packed queries, counted here and held small, not hidden.
    unsearchable = [tid for tid in result.missed_ids if not known_miss(tid) and tid in seen["unsearchable"]]
    print(f"relevant missed {result.missed_relevant}: matcher's known misses "
          f"{sum(known_miss(t) for t in result.missed_ids)}, not returned by any packed query {len(unsearchable)} "
          f"{[texts[t] for t in unsearchable]}")
    assert len(unsearchable) <= 5
    lost = [tid for tid in result.missed_ids if not known_miss(tid) and tid not in seen["unsearchable"]]
    assert lost == [], [texts[t] for t in lost[:5]]

    # The desk answered the day's inquiries; the schedule kept its caps; nothing posted twice.
    assert result.desk["replies"] >= 400, result.desk
    assert result.posts["over_cap"] == [] and result.posts["duplicates_on_x"] == 0
    assert result.posts["greeting_first"] and result.posts["outside_hours"] == 0
    replies = Counter((p["author_id"], p["in_reply_to"]) for p in seen["posts"] if p["in_reply_to"])
    assert [k for k, n in replies.items() if n > 1] == []

    # The campaign: every winner with open DMs got exactly one DM, nobody got two.
    winners = dict(seen["winners"])
    assert len(winners) == 100
    assert max(seen["dms"].values(), default=0) == 1
    assert set(seen["dms"]) <= set(winners)
    for user_id, status in winners.items():
        expected = 0 if user_id in seen["dm_closed"] else 1
        assert seen["dms"][user_id] == expected, (user_id, status)
        # Claim mode (the day's): winners with closed DMs never claim, so they stay pending (nothing unsolicited).
        assert status == ("pending" if expected == 0 else "sent"), (user_id, status)

    # Two reports per department, written to disk.
    departments = set(json.loads(ROUTING.read_text(encoding="utf-8"))["departments"])
    written = {folder.name: {p.stem for p in folder.glob("*.html")} for folder in tmp_path.glob("*/*")}
    assert written == {"1400": departments, "2000": departments}

    # None of the personal data the seed planted in a log line, a post on X or a report's text.
    known = planted(day)
    assert len(caplog.records) > 1000
    assert log_leaks(caplog.records, known) == []
    assert text_leaks((p["text"] for p in seen["posts"]), known) == []
    report_texts = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*/*/*") if p.suffix in (".txt", ".html")]
    assert len(report_texts) == 4 * len(departments)
    assert text_leaks(report_texts, known) == []
