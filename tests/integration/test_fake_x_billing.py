"""The fake X API bills like X's pay-per-use: each post and user once per UTC day, owned reads apart,
posts with a URL at their own price - read over real HTTP through tweepy and the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from activecare.twitter.pricing import PRICES
from tests.integration.conftest_twitter import APP_TOKEN, CUSTOMER, HELP, FakeX, running_fake


@pytest.fixture
def fx() -> Iterator[FakeX]:
    with running_fake() as fake:
        yield fake


def _bill(fx: FakeX) -> dict:
    return requests.get(fx.base_url + "/_fake/billing", timeout=5).json()


def test_each_post_and_user_is_billed_once_per_utc_day(fx: FakeX) -> None:
    for i in range(3):
        fx.tweet(f"また圏外で困る {i}", ago=timedelta(minutes=5 - i))
    gw = fx.gateway(APP_TOKEN)
    assert len(gw.search_recent("圏外").tweets) == 3
    assert len(gw.search_recent("圏外 困る").tweets) == 3  # the same posts again, the same UTC day
    author = gw.search_recent("圏外").tweets[0].author_id
    assert gw.search_recent("圏外").tweets[0].author is None  # search asks for no user objects
    assert [u.id for u in gw.lookup_users([author])] == [author]  # the poller's lookup of matched authors
    assert [u.username for u in gw.lookup_users([author])] == [CUSTOMER["username"]]  # again: not billed again
    day = _bill(fx)["days"]["2026-11-25"]
    assert day["counts"]["post_reads"] == 3 and day["counts"]["user_reads"] == 1  # one author
    assert day["total_usd"] == pytest.approx(3 * PRICES["post_reads"] + PRICES["user_reads"])
    assert _bill(fx)["by_query"]["2026-11-25"] == {"圏外": 3, "圏外 困る": 0}
    # UTC midnight (09:00 JST): the same posts are billed again on the new day.
    fx.clock.advance(timedelta(hours=23))
    gw.search_recent("圏外")
    days = _bill(fx)["days"]
    assert days["2026-11-26"]["counts"]["post_reads"] == 3
    assert days["2026-11-25"]["counts"]["post_reads"] == 3


def test_owned_reads_posts_and_urls_are_priced_apart(fx: FakeX) -> None:
    fx.tweet(f"@{HELP.username} 圏外です", entities={"mentions": [{"username": HELP.username, "id": HELP.user_id}]})
    gw = fx.gateway()
    assert len(gw.mentions(HELP.user_id).tweets) == 1  # our own account's mentions: an owned read
    gw.user_tweets(CUSTOMER["id"])  # a customer's timeline: not owned (and the gateway expands no author)
    gw.post("ご不便をおかけしております。")
    gw.post("こちらをご覧ください https://example.jp/help")
    mention = gw.mentions(HELP.user_id).tweets[0]
    gw.post("ご連絡ありがとうございます。フォームはこちら https://example.jp/form", in_reply_to=mention.id)
    bill = _bill(fx)
    counts = bill["days"]["2026-11-25"]["counts"]
    assert counts["owned_reads"] == 2  # the post and its author
    assert counts["post_reads"] == 1 and counts["user_reads"] == 0  # the customer's timeline: one post
    assert counts["posts"] == 1 and counts["posts_with_url"] == 2 and counts["dms"] == 0
    # a reply (the desk's answer) is told apart from a post of its own (scheduled, status)
    assert bill["by_endpoint"]["2026-11-25"] == {"mentions owned_reads": 2, "user_tweets post_reads": 1,
                                                 "post posts": 1, "post posts_with_url": 1,
                                                 "reply posts_with_url": 1}
