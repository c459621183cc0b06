"""Reply-phrase entries over real HTTP (fake X search by conversation_id, followers list and user lookups, all
paged): normalised Japanese matching, alone or with retweet + follow, the follow check read the cheaper way for
the campaign's size, and the X read cost printed before the draw (--dry-run) and after."""

from __future__ import annotations

from typing import Any

import pytest

from activecare.campaign import draw as drawing
from activecare.cli import main as cli
from activecare.clock import ManualClock
from activecare.twitter.snowflake import snowflake
from functions.campaign import app
from infra.campaign_sim import REPLY_PHRASE, SALT, SALT_SHA256, CampaignWorld, seed_campaign, seed_replies
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack

CTX = context_for("CampaignFunction")


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return app.handler(event, CTX)


def draw(world: CampaignWorld, campaign_id: str, tweet_id: str, winners: int, **rules: Any) -> dict[str, Any]:
    return invoke({"action": "draw", "campaign_id": campaign_id, "tweet_id": tweet_id,
                   "account": world.account.key, "winners": winners, "salt": SALT, "salt_sha256": SALT_SHA256,
                   "rules": {"reply_phrase": REPLY_PHRASE, **rules}})


def test_reply_phrase_entries_with_the_follow_check_read_the_cheaper_way(stack: LocalStack,
                                                                         clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=1300, not_following=0.15, bots=0, staff=0,
                          dm_closed=0)
    followers = 1300 - len(world.not_following)
    people = sorted(world.retweeters, key=int)
    big, small = people[:170], people[200:235]
    silent = set(big[::10]) | {small[0]}  # replied without the phrase
    seed_replies(stack.twitter, world, big, at=clock(), without_phrase=silent)
    second = snowflake(clock().replace(hour=1), sequence=5)
    stack.twitter.add_tweets([{"id": second, "author_id": world.account.user_id, "text": "第2弾！リプライで応募"}])
    seed_replies(stack.twitter, CampaignWorld(second, world.account), small, at=clock(), without_phrase=silent)

    # 153 candidates: $1.53 checked one by one against $1.105 for the 1,105 followers -> the followers list.
    rules = {"require_retweet": False, "require_follow": True}
    before = stack.twitter.stats.snapshot()["by_endpoint"]
    dry = invoke({"action": "draw", "campaign_id": "big", "tweet_id": world.tweet_id, "account": world.account.key,
                  "winners": 10, "dry_run": True, "rules": {"reply_phrase": REPLY_PHRASE, **rules}})
    assert dry["ok"] and dry["follow_check"] == "followers"
    assert dry["x_reads"] == {"posts": 170, "owned": followers} and dry["x_read_cost_usd"] == round(
        170 * 0.005 + followers * 0.001, 3)
    result = draw(world, "big", world.tweet_id, 10, **rules)
    after = stack.twitter.stats.snapshot()["by_endpoint"]
    assert after["search"] - before.get("search", 0) == 2 * 2  # 170 replies: 2 pages, dry run and draw
    assert after["followers"] - before.get("followers", 0) == 2 * 2  # 1,105 followers: 2 pages of 1,000
    assert "retweeted_by" not in after and "users" not in after
    counts = result["draw"]["counts"]
    phrased = set(big) - silent
    assert counts["repliers"] == len(phrased) and "retweeters" not in counts
    assert counts["eligible"] == len(phrased - world.not_following)
    assert counts["not_following"] == len(phrased & world.not_following)
    assert result["follow_check"] == "followers" and result["x_reads"] == dry["x_reads"]
    cert = invoke({"action": "certificate", "campaign_id": "big"})
    assert cert["entrants"] == drawing.sort_entrants(phrased - world.not_following) and drawing.verify(cert) == []

    # 34 candidates: $0.34 one by one (GET /2/users with connection_status) against $1.105: the lookups.
    result = draw(world, "small", second, 5, **rules)
    assert result["follow_check"] == "connection_status"
    assert result["x_reads"] == {"posts": 35, "users": 34} and result["x_read_cost_usd"] == 0.515
    assert stack.twitter.stats.snapshot()["by_endpoint"]["users_lookup"] == 1
    phrased = set(small) - silent
    assert result["draw"]["counts"]["eligible"] == len(phrased - world.not_following)
    assert drawing.verify(invoke({"action": "certificate", "campaign_id": "small"})) == []


def test_reply_phrase_with_retweet_and_follow_and_the_cli_prints_the_cost(
        stack: LocalStack, clock: ManualClock, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=120, not_following=0.2, bots=0, staff=0,
                          dm_closed=0)
    stack.twitter.add_users([{"id": str(1_760_000_000_000_000_000 + i), "username": f"newfan{i}", "name": "新規",
                              "created_at": "2020-01-01T00:00:00.000Z", "public_metrics": {"followers_count": 50}}
                             for i in range(15)])
    outsiders = [str(1_760_000_000_000_000_000 + i) for i in range(15)]  # replied, never retweeted
    repliers = sorted(world.retweeters, key=int)[:60] + outsiders
    seed_replies(stack.twitter, world, repliers, at=clock())
    result = draw(world, "both", world.tweet_id, 5, require_retweet=True, require_follow=True)
    counts = result["draw"]["counts"]
    in_both = set(repliers) & set(world.retweeters)
    assert counts["retweeters"] == 120 and counts["repliers"] == 75
    assert counts["eligible"] == len(in_both - world.not_following)
    assert counts["not_retweeted"] + counts["no_reply_phrase"] + counts["not_following"] + counts["eligible"] == 135
    assert result["follow_check"] == "connection_status"  # it comes with the retweeters: no extra read
    assert result["x_reads"] == {"posts": 75, "users": 120}
    cert = invoke({"action": "certificate", "campaign_id": "both"})
    assert set(cert["winners"]) <= in_both - world.not_following and drawing.verify(cert) == []

    base = ["campaign", "draw", "--campaign", "cli", "--tweet", world.tweet_id, "--winners", "3",
            "--reply-phrase", "ぷれぜんと　希望", "--no-retweet-required", "--no-follow-required"]
    assert cli([*base, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "応募 75 件" in out and "この抽選の X 読み取り（本番でも同じ）: posts 75 = $0.375" in out
    monkeypatch.setattr("builtins.input", lambda prompt: print(prompt) or "no")
    assert cli([*base, "--salt", SALT, "--salt-sha256", SALT_SHA256, "--notify", "api"]) == 2
    captured = capsys.readouterr()
    assert "\"automated DMs only after the user DMs you first\"" in captured.out
    assert "api mode needs the confirmation" in captured.err
    assert stack.runtime.campaign().store.get("cli") is None
    assert cli([*base, "--salt", SALT, "--salt-sha256", SALT_SHA256]) == 0
    out = capsys.readouterr().out
    assert "通知: hand" in out and "X 読み取り: posts 75 = $0.375" in out
