"""The fake X API's campaign endpoints over HTTP, held against the real recordings: retweeted_by
(pages, connection_status), followers, DMs (403s, 15 per 15 minutes with 429 and reset), dm_events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from activecare.campaign.x import TweepyCampaignX
from activecare.twitter.port import RateLimited, TwitterRejected
from infra.fake_twitter.social import DM_CLOSED
from tests.integration.conftest_twitter import APP_TOKEN, CUSTOMER, HELP, USER_TOKEN, FakeX, load, running_fake

FANS = [{"id": str(1_500_000_000_000_000_000 + i), "username": f"fan{i}", "name": f"ファン{i}",
         "created_at": "2020-01-01T00:00:00.000Z", "public_metrics": {"followers_count": i}} for i in range(250)]


@pytest.fixture
def fx() -> Iterator[FakeX]:
    with running_fake() as fake:
        fake.state.add_users(FANS)
        yield fake


def test_retweeted_by_has_the_recorded_shape_pages_of_100_and_follow_status(fx: FakeX) -> None:
    recorded = next(r for (m, p), r in load("test_client_get_retweeters").items() if p.endswith("/retweeted_by"))
    rec = recorded.json()
    tweet = fx.tweet("【キャンペーン】フォロー＆RTで当たる！", author=HELP.user_id)
    fx.state.social.add_retweets(tweet["id"], [u["id"] for u in FANS])
    fx.state.social.add_follows(HELP.user_id, [u["id"] for u in FANS[::2]])
    resp = fx.get(f"/2/tweets/{tweet['id']}/retweeted_by", token=APP_TOKEN)
    body = resp.json()
    assert resp.status_code == 200 and set(body) == set(rec) and set(body["meta"]) <= set(rec["meta"]) | {"next_token"}
    assert set(body["data"][0]) == set(rec["data"][0]) and body["data"][0]["id"] == FANS[-1]["id"]  # newest first
    assert body["meta"]["result_count"] == 100 and "connection_status" not in body["data"][0]

    x = TweepyCampaignX(fx.gateway(USER_TOKEN), HELP.user_id)
    seen, token, pages = [], None, 0
    while True:
        page = x.retweeters(tweet["id"], pagination_token=token)
        seen += page.entrants
        pages += 1
        token = page.next_token
        if token is None:
            break
    assert pages == 3 and len({e.user_id for e in seen}) == 250
    assert {e.user_id for e in seen if e.follows} == {u["id"] for u in FANS[::2]}
    assert {e.followers_count for e in seen} == set(range(250))

    with pytest.raises(TwitterRejected) as err:
        x.retweeters("1999999999999999999")
    assert err.value.status == 404
    followers = fx.get(f"/2/users/{HELP.user_id}/followers", max_results=1000).json()
    assert followers["meta"]["result_count"] == 125


def test_dms_refuse_closed_and_suspended_users_and_keep_15_per_15_minutes(fx: FakeX) -> None:
    x = TweepyCampaignX(fx.gateway(USER_TOKEN), HELP.user_id)
    fx.state.social.dm_closed.add(FANS[0]["id"])
    fx.state.social.suspended.add(FANS[1]["id"])
    with pytest.raises(TwitterRejected) as closed:
        x.send_dm(FANS[0]["id"], "ご当選おめでとうございます")
    assert closed.value.status == 403 and DM_CLOSED in closed.value.detail
    with pytest.raises(TwitterRejected, match="suspended"):
        x.send_dm(FANS[1]["id"], "ご当選おめでとうございます")
    app_only = fx.post(f"/2/dm_conversations/with/{FANS[2]['id']}/messages", {"text": "x"}, token=APP_TOKEN)
    assert app_only.status_code == 403
    sent = [x.send_dm(FANS[i]["id"], f"ご当選おめでとうございます {i}") for i in range(2, 15)]
    assert len(set(sent)) == 13  # 2 refusals + 13 = the window's 15 requests
    with pytest.raises(RateLimited) as limited:
        x.send_dm(FANS[20]["id"], "ご当選おめでとうございます")
    assert limited.value.reset_at is not None and limited.value.reset_at > fx.clock()
    assert x.find_sent_dm(FANS[2]["id"], "ご当選おめでとうございます 2") == sent[0]
    assert x.find_sent_dm(FANS[2]["id"], "別の文面") is None and x.find_sent_dm(CUSTOMER["id"], "x") is None
    fx.clock.advance(timedelta(minutes=15))
    assert x.send_dm(FANS[20]["id"], "ご当選おめでとうございます")
    recorded = load("test_manage_and_lookup_direct_messages")
    rec = next(r for (m, p), r in recorded.items() if m == "POST" and "/with/" in p).json()
    body = fx.post(f"/2/dm_conversations/with/{FANS[21]['id']}/messages", {"text": "テスト"}).json()
    assert set(body["data"]) == set(rec["data"])
