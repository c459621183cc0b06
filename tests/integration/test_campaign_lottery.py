"""The campaign lottery over real HTTP: the campaign Lambda handler -> DynamoDB (moto server) and the
fake X API (tweepy): retweeted_by pages, DMs with their limits and errors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from activecare.campaign import draw as drawing
from activecare.campaign.dynamo import DynamoCampaignStore
from activecare.campaign.x import TweepyCampaignX
from activecare.cli import main as cli
from activecare.clock import ManualClock
from functions.campaign import app
from infra.campaign_sim import SALT, SALT_SHA256, CampaignWorld, seed_campaign
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack

EVENTS = Path(__file__).resolve().parents[2] / "events"
CTX = context_for("CampaignFunction")
TICK = json.loads((EVENTS / "campaign_schedule.json").read_text(encoding="utf-8"))


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return app.handler(event, CTX)


def draw_event(world: CampaignWorld, winners: int, campaign_id: str = "xmas", **extra: Any) -> dict[str, Any]:
    return {"action": "draw", "campaign_id": campaign_id, "tweet_id": world.tweet_id, "account": world.account.key,
            "winners": winners, "rules": world.rules(), "salt": SALT, "salt_sha256": SALT_SHA256, "notify": "api",
            **extra}


def dms_to(stack: LocalStack, world: CampaignWorld) -> dict[str, int]:
    counts: dict[str, int] = {}
    for dm in stack.twitter.social.sent_by(world.account.user_id):
        counts[dm["participant_id"]] = counts.get(dm["participant_id"], 0) + 1
    return counts


def expected_winners(world: CampaignWorld, n: int, campaign_id: str = "xmas") -> list[str]:
    """The draw computed from ground truth and the secret salt, before it runs: the draw is reproducible (and, the
    salt being secret until the draw, not computable from the public retweeters alone)."""
    entrants = drawing.sort_entrants(world.eligible)
    seed = drawing.derive_seed(campaign_id, world.tweet_id, drawing.entrants_hash(entrants), SALT)
    return drawing.draw_winners(entrants, n, seed)


def test_only_eligible_win_exactly_n_one_dm_each_and_reruns_change_nothing(stack: LocalStack,
                                                                           clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=320, not_following=0.2, bots=0.1, dm_closed=0)
    first = invoke(draw_event(world, 20))
    assert first["ok"] and first["status"] == "drawn" and first["winners"] == 20
    counts = first["draw"]["counts"]
    assert counts["retweeters"] == 320 and counts["eligible"] == len(world.eligible)
    assert counts["not_following"] == len(world.not_following) and counts["excluded"] == len(world.staff)
    cert = invoke({"action": "certificate", "campaign_id": "xmas"})
    assert cert["entrants"] == drawing.sort_entrants(world.eligible)  # the audit data is the ground truth
    assert drawing.verify(cert) == [] and cert["winners"] == expected_winners(world, 20)
    assert set(cert["winners"]) <= world.eligible
    assert sum(dms_to(stack, world).values()) == 15  # one window of the DM limit
    stats = stack.twitter.stats.snapshot()["by_endpoint"]
    assert stats["retweeted_by"] == 4 and "followers" not in stats  # 320 retweeters: 4 pages, follow status included

    again = invoke(draw_event(world, 20))
    assert again["draw"]["seed"] == first["draw"]["seed"] and again["winners"] == 20
    assert invoke({"action": "certificate", "campaign_id": "xmas"})["winners"] == cert["winners"]
    assert sum(dms_to(stack, world).values()) == 15 and stack.twitter.stats.snapshot()["rate_limited_total"] == 0

    clock.advance(timedelta(minutes=15))
    assert invoke(TICK)["ok"]
    clock.advance(timedelta(minutes=15))
    invoke(TICK)
    sent = dms_to(stack, world)
    assert set(sent) == set(cert["winners"]) and set(sent.values()) == {1}
    status = invoke({"action": "status", "campaign_id": "xmas"})
    assert status["dms"] == {"pending": 0, "sending": 0, "sent": 20, "failed": 0} and status["dm_cost_usd"] == 0.3
    texts = {dm["participant_id"]: dm["text"] for dm in stack.twitter.social.sent_by(world.account.user_id)}
    winner = cert["winners"][0]
    assert f"@{stack.twitter.user(winner)['username']} さん" in texts[winner] and "ご当選" in texts[winner]


def test_a_429_during_collection_resumes_where_it_stopped(stack: LocalStack, clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=350, dm_closed=0)
    twitter = stack.twitter
    for _ in range(73):  # the account's retweeted_by window (75 / 15 min) is almost spent: 2 requests left
        twitter.limiter.take(twitter.tier, "retweeted_by", world.account.user_id, clock())
    first = invoke(draw_event(world, 10))
    assert first["status"] == "collecting" and first["collection"]["retweeters"] == 200
    assert first["collection"]["resume_after"] is not None and first["winners"] == 0
    invoke(TICK)  # before the reset: waits, no request
    assert twitter.stats.snapshot()["by_endpoint"]["retweeted_by"] == 3
    clock.advance(timedelta(minutes=15))
    invoke(TICK)
    stats = twitter.stats.snapshot()
    assert stats["by_endpoint"]["retweeted_by"] == 5 and stats["rate_limited"] == {"retweeted_by": 1}
    cert = invoke({"action": "certificate", "campaign_id": "xmas"})
    assert cert["entrants"] == drawing.sort_entrants(world.eligible) and len(cert["winners"]) == 10
    assert cert["winners"] == expected_winners(world, 10)


class _CrashingStore(DynamoCampaignStore):
    """Crashes after the winners are written, before the campaign is marked drawn."""

    def save_draw(self, campaign: Any, winners: Any) -> None:
        self.put_winners(winners[: len(winners) // 2], campaign.drawn_at)
        raise RuntimeError("crash in the middle of the draw")


class _CrashAfterSendX(TweepyCampaignX):
    """Crashes between a DM and its record (once)."""

    crashed: ClassVar[list[str]] = []
    sent_so_far: ClassVar[list[str]] = []

    def send_dm(self, participant_id: str, text: str) -> str:
        event_id = super().send_dm(participant_id, text)
        if len(self.crashed) < 1 and len(self.sent_so_far) == 2:
            self.crashed.append(participant_id)
            raise RuntimeError("crash after the DM, before its record")
        self.sent_so_far.append(participant_id)
        return event_id


def test_crashes_in_the_middle_never_redraw_or_double_dm(stack: LocalStack, clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=150, dm_closed=0)
    request = {k: v for k, v in draw_event(world, 6).items() if k != "action"}
    service = stack.runtime.campaign()
    service.store = _CrashingStore()
    with pytest.raises(RuntimeError, match="middle of the draw"):
        service.draw(request)
    assert sum(dms_to(stack, world).values()) == 0

    _CrashAfterSendX.crashed, _CrashAfterSendX.sent_so_far = [], []
    crashing = stack.runtime.campaign(x_factory=_CrashAfterSendX)
    with pytest.raises(RuntimeError, match="before its record"):
        crashing.draw(request)
    crashed = _CrashAfterSendX.crashed[0]
    status = invoke({"action": "status", "campaign_id": "xmas"})
    assert status["dms"]["sending"] == 1 and status["dms"]["sent"] == 2
    assert invoke(draw_event(world, 6))["dms"]["sent"] == 5  # the reservation is still fresh: left alone

    clock.advance(timedelta(minutes=15))
    invoke(TICK)  # reconciles through GET dm_events: the crashed DM was delivered, so it is recorded, not resent
    sent = dms_to(stack, world)
    cert = invoke({"action": "certificate", "campaign_id": "xmas"})
    assert cert["winners"] == expected_winners(world, 6) and set(sent) == set(cert["winners"])
    assert set(sent.values()) == {1} and crashed in sent
    assert stack.twitter.stats.snapshot()["by_endpoint"]["dm_events"] == 1
    assert invoke({"action": "status", "campaign_id": "xmas"})["dms"]["sent"] == 6


def test_closed_dms_and_suspended_winners_are_reported_and_retried(stack: LocalStack, clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=60, dm_closed=0)
    expected = expected_winners(world, 17)
    closed, suspended = expected[0], expected[16]  # the 17th waits for the second window
    stack.twitter.social.dm_closed.add(closed)
    result = invoke(draw_event(world, 17))
    assert result["dms"] == {"pending": 2, "sending": 0, "sent": 14, "failed": 1}
    stack.twitter.social.suspended.add(suspended)  # suspended after the draw: its DM is refused
    clock.advance(timedelta(minutes=15))
    invoke(TICK)
    status = invoke({"action": "status", "campaign_id": "xmas"})
    assert status["dms"] == {"pending": 0, "sending": 0, "sent": 15, "failed": 2}
    reasons = {f["user_id"]: f["error"] for f in status["failures"]}
    assert "403" in reasons[closed] and "suspended" in reasons[suspended]
    stack.twitter.social.dm_closed.discard(closed)  # the winner opened their DMs
    assert invoke({"action": "retry_failed", "campaign_id": "xmas"})["requeued"] == 2
    invoke(TICK)
    sent = dms_to(stack, world)
    assert closed in sent and suspended not in sent and set(sent.values()) == {1}
    assert invoke({"action": "status", "campaign_id": "xmas"})["dms"]["sent"] == 16


def test_bad_input_clear_errors_and_the_cli_with_a_verifiable_certificate(
        stack: LocalStack, clock: ManualClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=40, dm_closed=0)
    bad = invoke(json.loads((EVENTS / "campaign_bad_winners.json").read_text(encoding="utf-8")))
    # the one error model: {"error": reason, "code", "status"} (activecare.errors)
    assert not bad["ok"] and bad["code"] == "bad_input" and "winners" in bad["error"] and bad["status"] == 400
    unknown = invoke(draw_event(world, 3) | {"tweet_id": "1999999999999999999"})
    assert unknown["code"] == "unknown_tweet" and unknown["status"] == 404
    assert invoke({"action": "status", "campaign_id": "nope"})["code"] == "unknown_campaign"
    assert invoke(["draw"])["code"] == "bad_input"  # type: ignore[arg-type]

    base = ["campaign", "draw", "--campaign", "cli", "--tweet", world.tweet_id, "--winners", "5",
            "--min-followers", "5", "--min-account-age-days", "30"]
    assert cli([*base, "--dry-run"]) == 0
    assert "[dry run]" in capsys.readouterr().out and stack.runtime.campaign().store.get("cli") is None
    staff = tmp_path / "staff.txt"
    staff.write_text("# 社員\n" + "\n".join(sorted(world.staff)) + "\n", encoding="utf-8")
    assert cli([*base, "--exclude-file", str(staff)]) == 1  # no salt: refused
    assert "secret salt" in capsys.readouterr().err
    assert cli(["campaign", "salt"]) == 0
    out = capsys.readouterr().out
    salt, commitment = (line.rsplit(": ", 1)[1] for line in out.splitlines())
    salted = ["--salt", salt, "--salt-sha256", commitment]
    assert cli([*base, "--exclude-file", str(staff), *salted]) == 0
    assert "抽選: 有効" in capsys.readouterr().out
    cert_file = tmp_path / "cert.json"
    assert cli(["campaign", "certificate", "cli", "--out", str(cert_file)]) == 0
    cert = json.loads(cert_file.read_text(encoding="utf-8"))
    assert cert["entrants"] == drawing.sort_entrants(world.eligible) and len(cert["winners"]) == 5
    assert cli(["campaign", "verify", str(cert_file)]) == 0
    cert["entrants"] = cert["entrants"][1:]
    cert_file.write_text(json.dumps(cert), encoding="utf-8")
    assert cli(["campaign", "verify", str(cert_file)]) == 1
    assert cli(["campaign", "close", "cli", "--force"]) == 0
    capsys.readouterr()
    assert cli([*base, "--exclude-file", str(staff), *salted]) == 1
    assert "campaign_closed" in capsys.readouterr().err
    assert cli(["campaign", "draw", "--campaign", "x", "--tweet", world.tweet_id, "--winners", "0"]) == 1
    assert "at least 1" in capsys.readouterr().err
