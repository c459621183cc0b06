"""The fake X API through the real tweepy client and the project's gateway, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from activecare.clock import fixed_clock
from activecare.twitter.port import DuplicateContent, RateLimited, TwitterRejected, TwitterUnavailable
from activecare.twitter.snowflake import snowflake
from infra.fake_twitter import FakeTwitterServer, FakeTwitterState
from infra.fake_twitter.problems import REPLY_NOT_ALLOWED, REPLY_NOT_VISIBLE
from tests.integration.conftest_twitter import APP_TOKEN, CUSTOMER, HELP, NOW, SIGNAL, WIFI, FakeX, running_fake


@pytest.fixture
def fx() -> Iterator[FakeX]:
    with running_fake() as fake:
        yield fake


def test_pagination_returns_every_match_exactly_once_from_a_stable_snapshot(fx: FakeX) -> None:
    expected = [fx.tweet(f"また圏外😇 {i}", ago=timedelta(seconds=300 - i))["id"] for i in range(257)]
    fx.tweet("今日のランチ美味しかった")
    fx.tweet("RT @someone: 圏外つらい", referenced_tweets=[{"type": "retweeted", "id": expected[0]}])
    gw = fx.gateway()
    seen: list[str] = []
    counts = []
    token = None
    for page_no in range(10):
        page = gw.search_recent("圏外 lang:ja", next_token=token, max_results=100)
        seen += [t.id for t in page.tweets]
        counts.append(page.result_count)
        assert page.newest_id == page.tweets[0].id and page.oldest_id == page.tweets[-1].id
        if page_no == 0:  # a new match arriving mid-pagination does not shift later pages
            fx.tweet("圏外なう", ago=timedelta(0))
        token = page.next_token
        if token is None:
            break
    assert counts == [100, 100, 57]
    assert len(seen) == len(set(seen)) == 257
    assert seen == sorted(expected, key=int, reverse=True)  # newest first across pages
    assert gw.usage["search"] == 3 and gw.posts_read == 257
    tweet = gw.search_recent("圏外", max_results=10).tweets[0]
    # No user objects from search (X bills each one): the poller looks up the matched tweets' authors, and only
    # the fields it uses, username and name, not public_metrics.
    assert tweet.text == "圏外なう" and tweet.lang == "ja" and tweet.author is None
    author = gw.lookup_users([tweet.author_id])[0]
    assert author.username == "hanako" and author.name == "花子" and author.followers_count is None
    assert gw.user_tweets(CUSTOMER["id"]).tweets[0].author is None  # a timeline knows its author: no expansion


def test_since_id_checkpoint_reads_only_newer_posts(fx: FakeX) -> None:
    fx.tweet("Wi-Fiが繋がらない", ago=timedelta(minutes=5))
    gw = fx.gateway()
    first = gw.search_recent("繋がらない")
    assert first.result_count == 1
    newer = fx.tweet("ルーター再起動しても繋がらない", ago=timedelta(seconds=30))
    second = gw.search_recent("繋がらない", since_id=first.newest_id)
    assert [t.id for t in second.tweets] == [newer["id"]]
    empty = gw.search_recent("繋がらない", since_id=second.newest_id)
    assert empty.tweets == [] and empty.result_count == 0 and empty.newest_id is None
    raw = fx.get("/2/tweets/search/recent", query="繋がらない", since_id=second.newest_id)
    assert raw.json() == {"meta": {"result_count": 0}}


def test_future_posts_are_invisible_until_the_clock_reaches_them(fx: FakeX) -> None:
    later = fx.tweet(f"@{HELP.username} 圏外です", ago=timedelta(minutes=-5))
    gw = fx.gateway()
    assert gw.search_recent("圏外").tweets == []
    assert gw.mentions(HELP.user_id).tweets == []
    assert gw.user_tweets(CUSTOMER["id"]).tweets == []
    fx.clock.advance(timedelta(minutes=5))
    assert [t.id for t in gw.search_recent("圏外").tweets] == [later["id"]]
    assert [t.id for t in gw.mentions(HELP.user_id).tweets] == [later["id"]]


def test_recent_search_covers_seven_days_and_rejects_older_since_id(fx: FakeX) -> None:
    fx.tweet("圏外 old", ago=timedelta(days=8))
    fresh = fx.tweet("圏外 fresh", ago=timedelta(days=6))
    gw = fx.gateway()
    assert [t.id for t in gw.search_recent("圏外").tweets] == [fresh["id"]]
    with pytest.raises(TwitterRejected) as err:
        gw.search_recent("圏外", since_id=snowflake(NOW - timedelta(days=8)))
    assert err.value.status == 400 and "since_id" in err.value.detail
    with pytest.raises(TwitterRejected, match="10 seconds"):
        gw.search_recent("圏外", end_time=NOW)


def test_search_never_returns_retweets(fx: FakeX) -> None:
    original = fx.tweet("圏外すぎる", ago=timedelta(minutes=3))
    fx.tweet("RT @hanako: 圏外すぎる", author=SIGNAL.user_id,
             referenced_tweets=[{"type": "retweeted", "id": original["id"]}])
    gw = fx.gateway()
    assert [t.id for t in gw.search_recent("圏外").tweets] == [original["id"]]
    assert gw.search_recent("圏外 is:retweet").tweets == []


def test_basic_tier_429_after_budget_with_reset(fx: FakeX) -> None:
    fx.state.set_tier("basic")
    fx.tweet("圏外")
    remaining = []
    for _ in range(60):
        resp = fx.get("/2/tweets/search/recent", query="圏外")
        assert resp.status_code == 200
        remaining.append(int(resp.headers["x-rate-limit-remaining"]))
        assert resp.headers["x-rate-limit-limit"] == "60"
    assert remaining == list(range(59, -1, -1))
    reset = int(resp.headers["x-rate-limit-reset"])
    assert reset == int((NOW + timedelta(minutes=15)).timestamp())
    over = fx.get("/2/tweets/search/recent", query="圏外")
    assert over.status_code == 429
    assert over.json() == {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                           "status": 429}
    assert over.headers["x-rate-limit-remaining"] == "0" and int(over.headers["x-rate-limit-reset"]) == reset
    gw = fx.gateway(APP_TOKEN)  # app-only: the app's budget, not the user's
    with pytest.raises(RateLimited) as err:
        gw.search_recent("圏外")
    assert err.value.endpoint == "search"
    assert err.value.reset_at == datetime.fromtimestamp(reset, tz=UTC)
    assert fx.state.stats.rate_limited["search"] == 2 and fx.state.stats.by_endpoint["search"] == 62
    fx.clock.advance(timedelta(minutes=15))
    assert gw.search_recent("圏外").result_count == 1


def test_pro_limits_per_app_and_per_user(fx: FakeX) -> None:
    assert fx.get("/2/tweets/search/recent", query="a").headers["x-rate-limit-limit"] == "450"
    user = fx.get("/2/tweets/search/recent", token="user-token-help", query="a")
    assert user.headers["x-rate-limit-limit"] == "300" and user.headers["x-rate-limit-remaining"] == "299"
    fx.state.set_tier("enterprise")
    assert int(fx.get("/2/tweets/search/recent", query="a").headers["x-rate-limit-limit"]) > 450


def test_post_limit_is_100_per_15_minutes_per_user(fx: FakeX) -> None:
    gw = fx.gateway()
    for i in range(100):
        gw.post(f"お知らせ {i}")
    with pytest.raises(RateLimited) as err:
        gw.post("お知らせ 100")
    assert err.value.endpoint == "post"
    assert len(fx.state.posted) == 100


@pytest.mark.parametrize("kind", ["5xx", "malformed", "truncated", "disconnect", "slow"])
def test_faults_become_twitter_unavailable_then_recover(fx: FakeX, kind: str) -> None:
    fx.tweet("圏外")
    gw = fx.gateway(timeout=0.3)
    fx.state.faults.inject("search", kind, times=1, seconds=1.0)
    with pytest.raises(TwitterUnavailable):
        gw.search_recent("圏外")
    assert gw.search_recent("圏外").result_count == 1
    assert fx.state.stats.faults[kind] == 1


def test_fault_429_and_wildcard_until_cleared(fx: FakeX) -> None:
    gw = fx.gateway()
    fx.state.faults.inject("mentions", "429")
    with pytest.raises(RateLimited) as err:
        gw.mentions(HELP.user_id)
    assert err.value.reset_at is not None
    fx.state.faults.inject("*", "5xx", times=None, status=500)
    for call in (lambda: gw.me(), lambda: gw.user_tweets(CUSTOMER["id"]), lambda: gw.post("x")):
        with pytest.raises(TwitterUnavailable):
            call()
    fx.state.faults.clear()
    assert gw.me().username == HELP.username


def test_query_length_limit_follows_the_tier(fx: FakeX) -> None:
    gw = fx.gateway()
    words = " OR ".join(f"圏外{i:03d}" for i in range(60))  # 60 * 6 + 59 * 4 = 596 characters
    assert 512 < len(words) <= 4096
    with pytest.raises(TwitterRejected) as err:
        gw.search_recent(words)
    assert err.value.status == 400 and "512" in err.value.detail
    body = fx.get("/2/tweets/search/recent", query=words).json()
    assert body["title"] == "Invalid Request" and body["errors"][0]["parameters"] == {"query": [words]}
    fx.state.set_tier("enterprise")
    assert gw.search_recent(words).result_count == 0
    with pytest.raises(TwitterRejected, match="4096"):
        gw.search_recent(" OR ".join(f"圏外{i:04d}" for i in range(500)))


def test_bad_parameters_are_400(fx: FakeX) -> None:
    gw = fx.gateway()
    for call in (lambda: gw.search_recent("圏外", max_results=5),
                 lambda: gw.mentions(HELP.user_id, max_results=4),
                 lambda: gw.user_tweets(CUSTOMER["id"], max_results=101),
                 lambda: gw.search_recent("lang:ja"),
                 lambda: gw.search_recent("(圏外")):
        with pytest.raises(TwitterRejected) as err:
            call()
        assert err.value.status == 400
    bad_token = fx.get("/2/tweets/search/recent", query="圏外", next_token="nope")
    assert bad_token.status_code == 400
    unknown = fx.get("/2/tweets/search/recent", query="圏外", bogus="1")
    assert unknown.status_code == 400 and "bogus" in unknown.json()["errors"][0]["message"]


def test_post_is_visible_and_duplicates_are_refused(fx: FakeX) -> None:
    gw = fx.gateway()
    new_id = gw.post("【お知らせ】メンテナンスのため一部サービスを停止します #Mainte_SB")
    assert fx.state.posted[-1]["id"] == new_id and fx.state.posted[-1]["author_id"] == HELP.user_id
    assert [t.id for t in gw.user_tweets(HELP.user_id).tweets] == [new_id]
    assert [t.id for t in gw.search_recent("メンテナンス").tweets] == [new_id]
    with pytest.raises(DuplicateContent) as err:
        gw.post("【お知らせ】メンテナンスのため一部サービスを停止します #Mainte_SB")
    assert err.value.status == 403 and "duplicate content" in err.value.detail
    fx.clock.advance(timedelta(hours=24))
    assert gw.post("【お知らせ】メンテナンスのため一部サービスを停止します #Mainte_SB") != new_id
    with pytest.raises(TwitterRejected, match="too long"):
        gw.post("あ" * 141)


def test_identical_text_from_two_of_our_accounts_is_counted(fx: FakeX) -> None:
    """X's 2026 rules prohibit identical content across accounts: the fake does not refuse it (X
    flags the accounts later) but counts each post another of the app's accounts sent within 24 h,
    compared as X compares (leading @mentions, URLs and whitespace aside)."""
    fx.state.add_token("user-token-signal", SIGNAL.user_id)
    fx.state.add_token("user-token-wifi", WIFI.user_id)
    text = "【よくあるご質問】料金の確認方法はこちらです。 https://www.example.co.jp/support/faq/bill-check"
    first = fx.gateway().post(text)
    assert fx.get("/_fake/stats").json()["identical_across_accounts"] == 0
    second = fx.gateway("user-token-signal").post(text)  # the same text from @signal: not refused
    assert fx.state.stats.identical == [(second, first)]
    fx.gateway("user-token-wifi").post("【よくあるご質問】料金の確認方法はこちらです。  https://t.co/abc123")
    assert fx.get("/_fake/stats").json()["identical_across_accounts"] == 2
    fx.gateway("user-token-wifi").post("【よくあるご質問】Wi-Fiの設定はこちらです。 https://www.example.co.jp/w")
    fx.tweet("【よくあるご質問】料金の確認方法はこちらです。 https://example.com")  # a customer's copy: not ours
    assert fx.state.stats.identical_across_accounts == 2
    fx.clock.advance(timedelta(hours=24, seconds=1))
    fx.gateway("user-token-wifi").post(text + " ")  # a day later: no longer within 24 h of the others
    assert fx.state.stats.identical_across_accounts == 2


def test_replies_follow_the_tier_rules(fx: FakeX) -> None:
    gw = fx.gateway()
    question = fx.tweet(f"@{HELP.username} 圏外が続いてます")
    keyword_only = fx.tweet("圏外が続いてます")
    reply_id = gw.post("@hanako ご不便をおかけしております", in_reply_to=question["id"])
    reply = fx.state.tweet(reply_id)
    assert reply is not None and reply["conversation_id"] == question["id"]
    assert reply["in_reply_to_user_id"] == CUSTOMER["id"]
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": question["id"]}]
    with pytest.raises(TwitterRejected) as err:
        gw.post("ご不便をおかけしております", in_reply_to=keyword_only["id"])
    assert (err.value.status, err.value.detail) == (403, REPLY_NOT_ALLOWED)
    with pytest.raises(TwitterRejected) as err:
        gw.post("どうしました？", in_reply_to="1999999999999999999")
    assert (err.value.status, err.value.detail) == (403, REPLY_NOT_VISIBLE)
    fx.state.set_tier("enterprise")
    assert gw.post("ご不便をおかけしております", in_reply_to=keyword_only["id"])


def test_mentions_by_text_or_entities_with_author_expansion(fx: FakeX) -> None:
    by_text = fx.tweet(f"＠{HELP.username} Wi-Fiが繋がらない", ago=timedelta(minutes=3))
    by_entity = fx.tweet("返信です", ago=timedelta(minutes=2),
                         entities={"mentions": [{"start": 0, "end": 16, "username": HELP.username}]})
    fx.tweet(f"@{SIGNAL.username} 圏外", ago=timedelta(minutes=1))
    gw = fx.gateway()
    page = gw.mentions(HELP.user_id, max_results=5)
    assert [t.id for t in page.tweets] == [by_entity["id"], by_text["id"]]
    assert all(t.author is not None and t.author.username == "hanako" for t in page.tweets)
    assert gw.mentions(HELP.user_id, since_id=by_text["id"]).result_count == 1
    first = gw.mentions(HELP.user_id, max_results=5)
    assert first.next_token is None
    for i in range(7):
        fx.tweet(f"@{HELP.username} 質問 {i}", ago=timedelta(seconds=30 - i))
    p1 = gw.mentions(HELP.user_id, max_results=5)
    p2 = gw.mentions(HELP.user_id, max_results=5, pagination_token=p1.next_token)
    assert p1.result_count == 5 and p2.result_count == 4 and p2.next_token is None


def test_user_timeline_windows_and_unknown_user(fx: FakeX) -> None:
    posts = [fx.tweet(f"つぶやき {i}", ago=timedelta(minutes=10 - i)) for i in range(8)]
    ids = [p["id"] for p in posts]
    gw = fx.gateway()
    assert [t.id for t in gw.user_tweets(CUSTOMER["id"]).tweets] == ids[::-1][:5]
    before = gw.user_tweets(CUSTOMER["id"], until_id=ids[4], max_results=5)
    assert [t.id for t in before.tweets] == ids[:4][::-1]
    after = gw.user_tweets(CUSTOMER["id"], since_id=ids[5], max_results=5)
    assert [t.id for t in after.tweets] == ids[6:][::-1]
    reply = fx.tweet("@x 返信", in_reply_to_user_id="1",
                     referenced_tweets=[{"type": "replied_to", "id": ids[0]}])
    raw = fx.get(f"/2/users/{CUSTOMER['id']}/tweets", exclude="replies", max_results=5).json()
    assert reply["id"] not in [t["id"] for t in raw["data"]]
    with pytest.raises(TwitterRejected) as err:
        gw.user_tweets("1234")
    assert err.value.status == 404 and "Could not find user" in err.value.detail


def test_me_needs_a_user_context(fx: FakeX) -> None:
    me = fx.gateway().me()
    assert (me.id, me.username) == (HELP.user_id, HELP.username)
    with pytest.raises(TwitterRejected) as err:
        fx.gateway(APP_TOKEN).me()
    assert err.value.status == 403
    with pytest.raises(TwitterRejected) as err:
        fx.gateway(APP_TOKEN).post("hello")
    assert err.value.status == 403
    unauth = fx.get("/2/users/me", token=None)
    assert unauth.status_code == 401 and unauth.json()["title"] == "Unauthorized"


def test_oauth1_user_context_maps_the_access_token(fx: FakeX) -> None:
    fx.state.add_token("oauth1-access-token", SIGNAL.user_id)
    keys = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "oauth1-access-token",
            "access_token_secret": "ats"}
    gw = fx.gateway(APP_TOKEN, user_auth=keys)
    assert gw.me().username == SIGNAL.username
    new_id = gw.post("電波状況のお知らせ")
    assert fx.state.tweet(new_id)["author_id"] == SIGNAL.user_id  # type: ignore[index]


def test_admin_endpoints_drive_the_state_from_another_process(fx: FakeX) -> None:
    at = NOW - timedelta(minutes=1)
    tid = snowflake(at, 99)
    assert fx.post("/_fake/users", [{"id": "77", "username": "jiro", "name": "次郎"}]).json() == {"added": 1}
    added = fx.post("/_fake/tweets", {"tweets": [{"id": tid, "text": "圏外", "author_id": "77"}]})
    assert added.json() == {"added": 1}
    assert fx.post("/_fake/tokens", {"token": "jiro-token", "user_id": "77"}).status_code == 200
    assert fx.get("/2/users/me", token="jiro-token").json()["data"]["username"] == "jiro"
    moved = fx.post("/_fake/clock", {"now": "2026-11-25T02:00:00Z"})
    assert moved.json() == {"now": "2026-11-25T02:00:00.000Z"}
    assert fx.clock() == NOW + timedelta(hours=1)
    fx.post("/_fake/faults", {"endpoint": "search", "kind": "5xx", "times": 1})
    assert fx.get("/2/tweets/search/recent", query="圏外").status_code == 503
    assert fx.get("/2/tweets/search/recent", query="圏外").json()["meta"]["result_count"] == 1
    assert fx.post("/_fake/tier", {"tier": "basic"}).json() == {"tier": "basic"}
    assert fx.post("/_fake/tier", {"tier": "gold"}).status_code == 400
    stats = requests.get(fx.base_url + "/_fake/stats", timeout=5).json()
    assert stats["by_endpoint"] == {"me": 1, "search": 2} and stats["total"] == 3 and stats["tier"] == "basic"
    assert stats["faults"] == {"5xx": 1}


def test_clock_endpoint_refuses_a_plain_clock() -> None:
    state = FakeTwitterState(fixed_clock(NOW))
    with FakeTwitterServer(state) as server:
        resp = requests.post(server.base_url + "/_fake/clock", json={"now": "2026-11-25T02:00:00Z"},
                             timeout=5)
    assert resp.status_code == 409
