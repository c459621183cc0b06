"""The fake X's reads for reply-phrase entries and claim mode, against the OpenAPI document (v2.167), over HTTP
with tweepy: GET /2/dm_events, GET /2/users?ids=, conversation DM events, followers (paged), and the
unsolicited-DM count (an API DM to a user who had not DMed the sender first)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from activecare.campaign.x import TweepyCampaignX
from tests.integration.conftest_twitter import APP_TOKEN, HELP, USER_TOKEN, FakeX, running_fake
from tests.integration.test_fake_twitter_schema import OPENAPI, _document, assert_valid

pytestmark = pytest.mark.skipif(not OPENAPI.is_file(), reason=f"OpenAPI document not found at {OPENAPI}")
FANS = [{"id": str(1_510_000_000_000_000_000 + i), "username": f"fan{i}", "name": f"ファン{i}",
         "created_at": "2021-01-01T00:00:00.000Z", "public_metrics": {"followers_count": i}} for i in range(1200)]


@pytest.fixture(scope="module")
def fx() -> Iterator[FakeX]:
    with running_fake() as fake:
        fake.state.add_users(FANS)
        fake.state.social.add_follows(HELP.user_id, [u["id"] for u in FANS[:1100]])
        yield fake


def test_dm_events_of_the_account_are_paged_newest_first_and_match_the_document(fx: FakeX) -> None:
    social = fx.state.social
    for u in FANS[:130]:
        social.user_dm(u["id"], HELP.user_id, "うけとり")
    x = TweepyCampaignX(fx.gateway(USER_TOKEN), HELP.user_id)
    before = fx.state.stats.snapshot()["unsolicited_dms"]
    x.send_dm(FANS[0]["id"], "ご当選おめでとうございます")  # an answer: they wrote first
    x.send_dm(FANS[500]["id"], "ご当選おめでとうございます")  # unasked
    assert fx.state.stats.snapshot()["unsolicited_dms"] - before == 1
    body = fx.get("/2/dm_events", token=USER_TOKEN, **{"dm_event.fields": "created_at,sender_id,participant_ids",
                                                       "event_types": "MessageCreate"}).json()
    assert_valid("GetDirectMessagesEventsResponse", body)
    assert body["meta"]["result_count"] == 100 and "next_token" in body["meta"]
    assert body["data"][0]["sender_id"] == HELP.user_id  # newest first: our last answer
    seen, token, pages = [], None, 0
    while True:
        page = x.dm_events(pagination_token=token)
        seen += page.events
        pages, token = pages + 1, page.next_token
        if token is None:
            break
    assert pages == 2 and len(seen) == 132 and len({e.id for e in seen}) == 132
    assert [int(e.id) for e in seen] == sorted((int(e.id) for e in seen), reverse=True)
    convo = x.conversation(FANS[0]["id"])
    assert [e.sender_id for e in convo] == [HELP.user_id, FANS[0]["id"]]
    assert fx.get("/2/dm_events", token=APP_TOKEN).status_code == 403  # user context only
    assert fx.get("/2/dm_events", token=USER_TOKEN, event_types="Nope").status_code == 400
    by_participant = fx.get(f"/2/dm_conversations/with/{FANS[0]['id']}/dm_events", token=USER_TOKEN,
                            **{"dm_event.fields": "sender_id,created_at"}).json()
    assert_valid("GetDirectMessagesEventsByParticipantIdResponse", by_participant)


def test_user_lookups_and_the_followers_list_page_as_documented(fx: FakeX) -> None:
    x = TweepyCampaignX(fx.gateway(USER_TOKEN), HELP.user_id)
    ids = [u["id"] for u in FANS[1050:1150]]
    assert x.following_us(ids) == set(ids[:50])
    body = fx.get("/2/users", token=USER_TOKEN, ids=",".join([*ids[:3], "1999999999999999999"]),
                  **{"user.fields": "connection_status,public_metrics"}).json()
    assert_valid("GetUsersByIdsResponse", body)
    assert len(body["data"]) == 3 and body["errors"][0]["resource_id"] == "1999999999999999999"
    assert fx.get("/2/users", ids=",".join(u["id"] for u in FANS[:101])).status_code == 400
    followers = fx.get(f"/2/users/{HELP.user_id}/followers", token=USER_TOKEN, max_results=1000).json()
    assert_valid("GetUsersFollowersResponse", followers)
    page1 = x.followers()
    page2 = x.followers(pagination_token=page1.next_token)
    assert len(page1.user_ids) == 1000 and len(page2.user_ids) == 100 and page2.next_token is None
    assert set(page1.user_ids) | set(page2.user_ids) == {u["id"] for u in FANS[:1100]}
    assert x.followers_count() == 1100  # /2/users/me public_metrics, from the graph
    params = {p["name"]: p["schema"] for p in _document()["paths"]["/2/dm_events"]["get"]["parameters"]
              if "name" in p}
    lo, hi = params["max_results"]["minimum"], params["max_results"]["maximum"]
    assert [fx.get("/2/dm_events", token=USER_TOKEN, max_results=n).status_code
            for n in (lo - 1, lo, hi, hi + 1)] == [400, 200, 200, 400]
