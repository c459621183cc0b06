"""The seed-day generator: deterministic, shaped like X API v2, truthful about itself."""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS, SupportAccount
from activecare.clock import JST, parse_iso
from activecare.pii import pii_kinds
from activecare.twitter.snowflake import snowflake_time
from infra.seed import SeedMix, generate_day
from infra.seed.phrases import TOPIC_KEYWORDS, TOPICS
from infra.seed.tweets import KINDS, MAX_LEN, RELEVANT_KINDS

START = datetime(2026, 11, 25, 0, 0, tzinfo=JST)
END = START + timedelta(days=1)
DENSE = SeedMix(trouble=0.2, praise=0.05, mention=0.1, pii_rate_trouble=0.3, pii_rate_mention=0.4)

_KATA = str.maketrans({chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)})
_DASHES = re.compile(r"[-‐‑‒–—―−－\s]")


def norm(text: str) -> str:
    return _DASHES.sub("", unicodedata.normalize("NFKC", text).lower().translate(_KATA))


ALL_KEYWORDS = sorted({norm(k) for words in TOPIC_KEYWORDS.values() for k in words})


@pytest.fixture(scope="module")
def timed_day():
    began = time.perf_counter()
    day = generate_day(7, START, END, 50_000)
    return day, time.perf_counter() - began


@pytest.fixture(scope="module")
def day(timed_day):
    return timed_day[0]


@pytest.fixture(scope="module")
def dense():
    return generate_day(11, START + timedelta(hours=9), START + timedelta(hours=20), 6_000, mix=DENSE)


def truth_of(day, tweet):
    return day.truth[tweet["id"]]


def test_fifty_thousand_tweets_in_a_few_seconds(timed_day):
    day, took = timed_day
    assert len(day.tweets) == 50_000
    assert took < 8, f"generation took {took:.2f}s"


def test_same_seed_same_day_other_seed_other_day():
    a = generate_day(3, START, END, 3_000)
    b = generate_day(3, START, END, 3_000)
    c = generate_day(4, START, END, 3_000)
    assert a.tweets == b.tweets and a.users == b.users and a.truth == b.truth
    assert [t["text"] for t in a.tweets] != [t["text"] for t in c.tweets]


def test_counts_follow_the_default_mix(day):
    counts = day.kind_counts()
    expected = {
        "trouble": 300, "praise": 75, "mention": 200, "news": 1500, "bot": 2000,
        "noise_keyword": 10_000, "retweet": 4000, "reply": 3000,
    }
    for kind, n in expected.items():
        assert counts[kind] == n, kind
    assert counts["chatter"] == 50_000 - sum(expected.values())
    assert 400 <= len(day.relevant_ids()) <= 800  # "a few hundred need the desk"


def test_counts_follow_a_custom_mix(dense):
    counts = dense.kind_counts()
    assert counts["trouble"] == 1200 and counts["praise"] == 300 and counts["mention"] == 600
    assert sum(counts.values()) == 6_000


@pytest.mark.parametrize("total", [0, 1, 5, 37, 250])
def test_small_days_are_complete(total):
    day = generate_day(1, START, START + timedelta(hours=1), total)
    assert len(day.tweets) == total == len(day.truth)
    assert len({t["id"] for t in day.tweets}) == total


def test_bad_windows_are_refused():
    with pytest.raises(ValueError):
        generate_day(1, datetime(2026, 11, 25), datetime(2026, 11, 26), 10)
    with pytest.raises(ValueError):
        generate_day(1, END, START, 10)


def test_ids_are_unique_snowflakes_increasing_with_time(day):
    ids = [int(t["id"]) for t in day.tweets]
    assert len(set(ids)) == len(ids)
    assert all(a < b for a, b in pairwise(ids))
    for tweet in day.tweets[::97]:
        created = parse_iso(tweet["created_at"])
        assert snowflake_time(tweet["id"]) == created
        assert START <= created < END
    stamps = [t["created_at"] for t in day.tweets]
    assert stamps == sorted(stamps)


def test_every_tweet_has_a_consistent_truth(day):
    assert set(day.truth) == {t["id"] for t in day.tweets}
    for tweet in day.tweets:
        truth = truth_of(day, tweet)
        assert truth.kind in KINDS
        assert truth.relevant == (truth.kind in RELEVANT_KINDS)
        assert truth.sentiment in ("complaint", "praise", "neutral")
        if truth.relevant:
            assert truth.topic in TOPICS
        assert truth.has_pii == bool(truth.pii_kinds)
        assert (truth.account is not None) == (truth.kind == "mention")


def test_tweets_are_v2_objects_with_consistent_threads(day):
    by_id = {t["id"]: t for t in day.tweets}
    users = {u["id"]: u for u in day.users}
    for tweet in day.tweets:
        assert {"id", "text", "author_id", "created_at", "conversation_id", "lang"} <= tweet.keys()
        assert tweet["lang"] == "ja" and tweet["author_id"] in users
        assert tweet["conversation_id"] in by_id
        assert int(tweet["conversation_id"]) <= int(tweet["id"])
        assert 0 < len(tweet["text"]) <= MAX_LEN
        kind = truth_of(day, tweet).kind
        refs = tweet.get("referenced_tweets", [])
        if kind == "retweet":
            (ref,) = refs
            original = by_id[ref["id"]]
            assert ref["type"] == "retweeted" and int(ref["id"]) < int(tweet["id"])
            assert tweet["text"].startswith(f"RT @{users[original['author_id']]['username']}: ")
            assert tweet["conversation_id"] == tweet["id"]
        elif kind == "reply":
            (ref,) = refs
            parent = by_id[ref["id"]]
            assert ref["type"] == "replied_to" and int(ref["id"]) < int(tweet["id"])
            assert tweet["in_reply_to_user_id"] == parent["author_id"]
            assert tweet["conversation_id"] == parent["conversation_id"]
        else:
            assert not refs and "in_reply_to_user_id" not in tweet
            assert tweet["conversation_id"] == tweet["id"]


def test_mention_entities_point_at_known_users(day):
    users = {u["id"]: u for u in day.users}
    support = {a.user_id: a.key for a in DEFAULT_ACCOUNTS}
    for tweet in day.tweets:
        mentions = tweet.get("entities", {}).get("mentions", [])
        for m in mentions:
            assert tweet["text"][m["start"] : m["end"]] == "@" + m["username"]
            assert users[m["id"]]["username"] == m["username"]
        truth = truth_of(day, tweet)
        if truth.kind == "mention":
            assert truth.account in {support.get(m["id"]) for m in mentions}
        if tweet["text"].startswith(("@", "RT @")):
            assert mentions


def test_users_are_unique_and_include_the_support_accounts(day):
    ids = [u["id"] for u in day.users]
    names = [u["username"].lower() for u in day.users]
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names)
    by_id = {u["id"]: u for u in day.users}
    for account in DEFAULT_ACCOUNTS:
        assert by_id[account.user_id]["username"] == account.username
    assert set(day.support_user_ids) == {a.user_id for a in DEFAULT_ACCOUNTS}
    for user in day.users:
        assert parse_iso(user["created_at"]) < START
        assert {"followers_count", "following_count", "tweet_count"} <= user["public_metrics"].keys()
        if user["id"] not in day.support_user_ids:
            assert re.fullmatch(r"[A-Za-z0-9_]{1,15}", user["username"])


def test_custom_accounts_are_mentioned():
    accounts = (
        SupportAccount("general", "carrier_care", "1700000000000000001"),
        SupportAccount("signal", "carrier_signal", "1700000000000000002"),
        SupportAccount("wifi", "carrier_wifi", "1700000000000000003"),
    )
    day = generate_day(5, START, END, 5_000, accounts=accounts, mix=DENSE)
    mentioned = Counter(
        m["username"] for t in day.tweets for m in t.get("entities", {}).get("mentions", [])
        if m["id"] in {a.user_id for a in accounts}
    )
    assert set(mentioned) == {"carrier_care", "carrier_signal", "carrier_wifi"}
    assert not any("activecare_" in t["text"] for t in day.tweets)


def test_relevant_tweets_carry_a_keyword_of_their_topic_and_chatter_none(dense):
    for tweet in dense.tweets:
        truth = truth_of(dense, tweet)
        text = norm(tweet["text"])
        if truth.kind in ("trouble", "praise", "mention"):
            words = [norm(k) for k in TOPIC_KEYWORDS[truth.topic]]
            assert any(w in text for w in words), (truth.topic, tweet["text"])
        elif truth.kind == "noise_keyword":
            assert any(w in text for w in ALL_KEYWORDS), tweet["text"]
        elif truth.kind == "chatter":
            assert not any(w in text for w in ALL_KEYWORDS), tweet["text"]


def test_every_topic_and_mention_account_occurs(dense):
    relevant = [truth_of(dense, t) for t in dense.tweets if truth_of(dense, t).relevant]
    assert {t.topic for t in relevant} == set(TOPICS)
    assert {t.account for t in relevant if t.kind == "mention"} == {"general", "signal", "wifi"}
    assert {t.sentiment for t in relevant} == {"complaint", "praise", "neutral"}


def test_personal_data_is_where_the_truth_says(dense, day):
    for d in (dense, day):
        for tweet in d.tweets:
            truth = truth_of(d, tweet)
            assert pii_kinds(tweet["text"]) == truth.pii_kinds, tweet["text"]
    kinds = Counter(k for t in dense.truth.values() for k in t.pii_kinds)
    assert {"phone", "email", "contract_number", "customer_number", "address"} <= set(kinds)
    assert all(t.kind in ("trouble", "mention") for t in dense.truth.values() if t.has_pii)
    with_pii = sum(t.has_pii for t in day.truth.values())
    assert 15 <= with_pii <= 120


def test_spelling_variants_occur(dense):
    texts = "\n".join(t["text"] for t in dense.tweets)
    for variant in ("ＷｉＦｉ", "ﾜｲﾌｧｲ", "Ｗｉ－Ｆｉ", "ワイファイ", "Wi−Fi", "つながらない", "ﾂﾅｶﾞﾗﾅｲ", "ﾙｰﾀｰ",
                    "ｼｮｯﾌﾟ", "ｅＳＩＭ", "(´・ω・`)", "草", "😭", "契約番号", "〒"):
        assert variant in texts, variant
    assert re.search(r"0[789]0-\d{4}-\d{4}", texts)
    assert re.search(r"(?<!\d)0[789]0\d{8}(?!\d)", texts)
    assert re.search(r"[０-９]{3}[‐－][０-９]{4}", texts)
    assert re.search(r"@example\.", texts)


def test_customers_tweet_around_their_trouble(day):
    by_author = defaultdict(list)
    for tweet in day.tweets:
        by_author[tweet["author_id"]].append(tweet)
    troubles = [t for t in day.tweets if truth_of(day, t).kind == "trouble"]
    authors = Counter(t["author_id"] for t in troubles)
    assert sum(n >= 2 for n in authors.values()) >= 5  # repeat customers
    around = 0
    for author in authors:
        first = next(t for t in by_author[author] if truth_of(day, t).kind == "trouble")
        others = [t for t in by_author[author] if truth_of(day, t).kind == "chatter"]
        before = any(t["created_at"] < first["created_at"] for t in others)
        after = any(t["created_at"] > first["created_at"] for t in others)
        around += before and after
    assert around / len(authors) > 0.3
    praised_after_trouble = [
        t for t in day.tweets
        if truth_of(day, t).kind == "praise" and authors.get(t["author_id"])
    ]
    assert praised_after_trouble


def test_more_tweets_at_lunch_and_in_the_evening_than_at_night(day):
    hours = Counter(parse_iso(t["created_at"]).astimezone(JST).hour for t in day.tweets)
    assert hours[12] > 3 * hours[4]
    assert hours[21] > 3 * hours[4]
    assert hours[12] > hours[10] and hours[21] > hours[16]
