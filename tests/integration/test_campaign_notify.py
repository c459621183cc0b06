"""Winner notification the X rules allow, over real HTTP (campaign handler -> moto DynamoDB, tweepy -> fake X):
hand (the default: DM links, confirmed against the account's DM events), claim (winners DM a phrase first, then
get the prize message exactly once, also across a crash) and api (only when set explicitly)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from activecare.campaign.dynamo import DynamoCampaignStore
from activecare.campaign.errors import NotInDmEvents, NotStaff
from activecare.clock import ManualClock
from functions.campaign import app
from infra.campaign_sim import SALT, SALT_SHA256, CampaignWorld, seed_campaign
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack

CTX = context_for("CampaignFunction")
TICK = {"source": "aws.events", "detail-type": "Scheduled Event"}


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return app.handler(event, CTX)


def draw(world: CampaignWorld, winners: int, **extra: Any) -> dict[str, Any]:
    return invoke({"action": "draw", "campaign_id": "xmas", "tweet_id": world.tweet_id, "account": world.account.key,
                   "winners": winners, "rules": world.rules(), "salt": SALT, "salt_sha256": SALT_SHA256, **extra})


def dms_from(stack: LocalStack, world: CampaignWorld) -> dict[str, int]:
    counts: dict[str, int] = {}
    for dm in stack.twitter.social.sent_by(world.account.user_id):
        counts[dm["participant_id"]] = counts.get(dm["participant_id"], 0) + 1
    return counts


def unsolicited(stack: LocalStack) -> int:
    return int(stack.twitter.stats.snapshot()["unsolicited_dms"])


def test_hand_is_the_default_and_a_confirmation_counts_only_once_the_dm_events_show_it(
        stack: LocalStack, clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=60, dm_closed=0)
    first = draw(world, 3)
    assert first["ok"] and first["notify"] == "hand" and first["dms"]["pending"] == 3
    assert dms_from(stack, world) == {}  # nothing sent by the API
    listed = invoke({"action": "hand_list", "campaign_id": "xmas"})
    assert [w["state"] for w in listed["winners"]] == ["pending"] * 3
    w1 = listed["winners"][0]
    link = urlparse(w1["dm_link"])
    query = parse_qs(link.query)
    assert (link.scheme, link.netloc, link.path) == ("https", "x.com", "/messages/compose")
    assert query["recipient_id"] == [w1["user_id"]] and query["text"] == [w1["text"]]
    assert "ご当選" in w1["text"] and f"@{w1['username']}" in w1["text"]

    service = stack.runtime.campaign()
    with pytest.raises(NotStaff):
        service.hand_confirm("xmas", w1["user_id"], by="someone", groups=[])
    # An agent says "sent" before sending: refused, and the list says not found yet.
    refused = invoke({"action": "hand_confirm", "campaign_id": "xmas", "user_id": w1["user_id"], "by": "sato",
                      "groups": ["agents"]})
    assert not refused["ok"] and refused["code"] == "dm_not_found" and refused["status"] == 409
    assert invoke({"action": "hand_list", "campaign_id": "xmas"})["winners"][0]["state"] == "not_found"
    # The winner writing to us is no DM from the account: still refused.
    stack.twitter.social.user_dm(w1["user_id"], world.account.user_id, "まだですか？")
    with pytest.raises(NotInDmEvents):
        service.hand_confirm("xmas", w1["user_id"], by="sato", groups=["agents"])

    stack.twitter.social.user_dm(world.account.user_id, w1["user_id"], w1["text"])  # the agent sends it by hand
    done = invoke({"action": "hand_confirm", "campaign_id": "xmas", "user_id": w1["user_id"], "by": "sato",
                   "groups": ["agents"]})
    assert done["ok"] and done["state"] == "confirmed" and done["confirmed_at"]
    again = service.hand_confirm("xmas", w1["user_id"], by="suzuki", groups=["supervisors"])
    assert again.state == "confirmed"
    status = invoke({"action": "status", "campaign_id": "xmas"})
    assert status["dms"] == {"pending": 2, "sending": 0, "sent": 1, "failed": 0}
    clock.advance(timedelta(minutes=15))
    invoke(TICK)  # the schedule never DMs a hand campaign
    assert dms_from(stack, world) == {w1["user_id"]: 1} and unsolicited(stack) == 0
    assert stack.twitter.stats.snapshot()["by_endpoint"].get("dm_send", 0) == 0


def test_api_mode_only_when_set_explicitly_and_its_dms_are_unsolicited(stack: LocalStack,
                                                                       clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=40, dm_closed=0)
    assert draw(world, 2, notify="bulk")["code"] == "bad_input"
    sent = draw(world, 2, notify="api")
    assert sent["notify"] == "api" and sent["dms"]["sent"] == 2
    assert unsolicited(stack) == 2  # what X's rules forbid: the fake counts it
    assert draw(world, 2)["code"] == "campaign_conflict"  # the same campaign in another mode: refused


class _CrashAfterSend(DynamoCampaignStore):
    """Crashes between a prize DM and its record (once)."""

    crashed: ClassVar[list[str]] = []

    def record_sent(self, campaign_id: str, user_id: str, dm_event_id: str, now: Any) -> None:
        if not self.crashed:
            self.crashed.append(user_id)
            raise RuntimeError("crash after the DM, before its record")
        super().record_sent(campaign_id, user_id, dm_event_id, now)


def test_claim_mode_announces_once_and_answers_each_winner_who_wrote_first_exactly_once(
        stack: LocalStack, clock: ManualClock) -> None:
    world = seed_campaign(stack.twitter, at=clock(), retweeters=80, dm_closed=4)
    first = draw(world, 5, notify="claim", claim_phrase="うけとり")
    assert first["ok"] and first["notify"] == "claim" and first["announcement_tweet_id"]
    posted = [p for p in stack.twitter.posted if p["author_id"] == world.account.user_id]
    assert len(posted) == 1 and "「うけとり」" in posted[0]["text"] and "@" not in posted[0]["text"]
    cert = invoke({"action": "certificate", "campaign_id": "xmas"})
    winners, losers = cert["winners"], sorted(set(world.eligible) - set(cert["winners"]))
    assert dms_from(stack, world) == {}
    social, account = stack.twitter.social, world.account.user_id
    social.dm_closed.add(winners[1])  # DMs from strangers closed: they wrote first, so the answer goes through
    social.user_dm(winners[0], account, "うけとり")
    social.user_dm(winners[1], account, "ｳｹﾄﾘ希望です！")  # half-width kana, katakana: folded
    social.user_dm(winners[2], account, "こんにちは")  # no claim phrase: nothing
    social.user_dm(losers[0], account, "うけとり")  # no winner: nothing
    clock.advance(timedelta(minutes=15))
    invoke(TICK)
    assert dms_from(stack, world) == {winners[0]: 1, winners[1]: 1}
    invoke(TICK)
    assert dms_from(stack, world) == {winners[0]: 1, winners[1]: 1}  # polled again: nothing twice

    # A crash between the prize DM and its record: the next run reconciles, one message.
    service = stack.runtime.campaign()
    service.store = _CrashAfterSend()
    social.user_dm(winners[3], account, "う け と り ＯＫ")  # spacing, full-width: NFKC
    with pytest.raises(RuntimeError, match="before its record"):
        service.tick()
    assert dms_from(stack, world)[winners[3]] == 1
    clock.advance(timedelta(minutes=15))
    invoke(TICK)
    invoke(TICK)
    # The webhook path: the received DM event (dm.received) handed straight to the service.
    event = social.user_dm(winners[4], account, "ウケトリ お願いします")
    result = stack.runtime.campaign().receive_dm(world.account.key, {
        "id": event["id"], "event_type": "MessageCreate", "sender_id": winners[4], "text": event["text"]})
    assert result.claimed and result.sent and result.campaign_id == "xmas"
    social.user_dm(winners[4], account, "うけとり")  # and again: no second message
    clock.advance(timedelta(minutes=15))
    invoke(TICK)
    sent = dms_from(stack, world)
    assert sent == {w: 1 for w in (winners[0], winners[1], winners[3], winners[4])}
    status = invoke({"action": "status", "campaign_id": "xmas"})
    assert status["dms"] == {"pending": 1, "sending": 0, "sent": 4, "failed": 0}
    assert unsolicited(stack) == 0
    assert len([p for p in stack.twitter.posted if p["author_id"] == account]) == 1
    assert "ご当選" not in json.dumps(status, ensure_ascii=False)  # no message text in the status


def test_the_campaign_simulation_sends_no_unsolicited_dm_in_claim_and_hand_modes(stack: LocalStack,
                                                                                 clock: ManualClock) -> None:
    from infra.campaign_sim import run_campaign

    for n, mode in enumerate(("claim", "hand")):
        rows = dict(run_campaign(stack, clock, retweeters=60, winners=8, dm_closed=2, notify=mode, max_hours=2,
                                 campaign_id=f"sim-{mode}", claim_within_minutes=25,
                                 first_id=1_780_000_000_000_000_000 + n * 1000))
        assert rows["campaign unsolicited DMs"] == "0", rows
        assert "still draining" not in rows["campaign DMs sent / failed / pending"], rows
        assert rows["campaign notification"].startswith(mode)
    by_user: dict[str, int] = {}
    for dm in stack.twitter.social.sent_by(stack.twitter.user_by_username("ac_help")["id"]):
        by_user[dm["participant_id"]] = by_user.get(dm["participant_id"], 0) + 1
    assert 2 * 6 <= len(by_user) <= 2 * 8 and set(by_user.values()) == {1}  # 8 winners each, a few DMs closed


def test_the_desk_routes_list_and_confirm_for_agents_and_supervisors(stack: LocalStack, clock: ManualClock) -> None:
    import requests

    from desk.app import handler

    world = seed_campaign(stack.twitter, at=clock(), retweeters=30, dm_closed=0)
    draw(world, 2)
    pool = stack.staff_pool()
    staff = {"sato": ["agents"], "kimura": ["supervisors"]}  # every member has a group (the staff feature)
    pool.create_staff(staff)
    tokens = {name: pool.access_token(name) for name in staff}
    with pool.desk_api(handler) as server:
        def call(method: str, path: str, who: str) -> tuple[int, dict[str, Any]]:
            resp = requests.request(method, server.url + path, headers={"Authorization": f"Bearer {tokens[who]}"},
                                    timeout=30)
            return resp.status_code, resp.json()

        status, listed = call("GET", "/campaigns/xmas/winners", "sato")
        assert status == 200 and [w["state"] for w in listed["winners"]] == ["pending", "pending"]
        first = listed["winners"][0]["user_id"]
        confirm = f"/campaigns/xmas/winners/{first}/confirm"
        status, body = call("POST", confirm, "sato")
        assert status == 409 and body["code"] == "dm_not_found"
        stack.twitter.social.user_dm(world.account.user_id, first, listed["winners"][0]["text"])
        status, body = call("POST", confirm, "kimura")
        assert status == 200 and body["state"] == "confirmed"
        assert call("GET", "/campaigns/nope/winners", "sato")[1]["code"] == "unknown_campaign"
        assert call("GET", "/campaigns/bad%20id/winners", "sato")[0] == 400
        assert call("POST", "/campaigns/xmas/winners/abc/confirm", "sato")[0] == 400
    assert unsolicited(stack) == 0
