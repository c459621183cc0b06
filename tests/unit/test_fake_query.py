"""The fake X API's search language: precedence, quotes, negation, groups, operators, Japanese."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activecare.twitter.memory import InMemoryTwitter, simple_match
from activecare.twitter.models import Tweet, User
from activecare.twitter.port import DuplicateContent, RateLimited
from activecare.twitter.snowflake import snowflake
from infra.fake_twitter.query import (
    And,
    Doc,
    Not,
    Operator,
    Or,
    QueryError,
    Term,
    evaluate,
    matches_domain_tweet,
    parse,
    tokenize,
)
from infra.fake_twitter.text import extract_entities, normalize, weighted_length


def doc(text: str, **kw: object) -> Doc:
    return Doc(text=normalize(text), **kw)  # type: ignore[arg-type]


def hit(query: str, text: str, **kw: object) -> bool:
    return evaluate(parse(query), doc(text, **kw))


def test_tokenizer_kinds() -> None:
    kinds = [t.kind for t in tokenize('(a OR "b c") -lang:en Wi-Fi')]
    assert kinds == ["LPAREN", "WORD", "OR", "PHRASE", "RPAREN", "NEG", "OPERATOR", "WORD"]


def test_and_binds_tighter_than_or() -> None:
    assert parse("a b OR c") == Or((And((Term("a"), Term("b"))), Term("c")))
    assert parse("a OR b c") == Or((Term("a"), And((Term("b"), Term("c")))))
    assert hit("apple banana OR cherry", "cherry pie")
    assert not hit("apple banana OR cherry", "apple pie")
    assert hit("apple banana OR cherry", "banana and apple")


def test_parentheses_override_precedence() -> None:
    assert parse("(a OR b) c") == And((Or((Term("a"), Term("b"))), Term("c")))
    assert not hit("(apple OR banana) cherry", "apple pie")
    assert hit("(apple OR banana) cherry", "banana cherry")
    assert hit("((圏外 OR 電波) (最悪 OR 困る)) OR 障害", "通信障害かな")


def test_quoted_phrase_is_exact_sequence() -> None:
    assert parse('"happy hour"') == Term("happy hour", phrase=True)
    assert hit('"happy hour"', "Happy hour at 5")
    assert not hit('"happy hour"', "hour of happy")
    assert hit('"電波 悪い"', "今日は電波 悪いね")
    assert not hit('"電波 悪い"', "電波が悪い")


def test_negation_of_terms_operators_and_phrases() -> None:
    assert parse("a -b") == And((Term("a"), Not(Term("b"))))
    assert hit("圏外 -アンテナ", "ずっと圏外")
    assert not hit("圏外 -アンテナ", "圏外でアンテナ0本")
    assert not hit('圏外 -"電波 最高"', "圏外、電波 最高")
    assert not hit("圏外 -is:retweet", "RT 圏外", is_retweet=True)
    assert hit("圏外 -is:retweet", "圏外")


def test_negated_group_is_rejected() -> None:
    with pytest.raises(QueryError, match="negated groups"):
        parse("圏外 -(a OR b)")


def test_operators() -> None:
    assert hit("圏外 lang:ja", "圏外", lang="ja")
    assert not hit("圏外 lang:ja", "圏外", lang="en")
    assert hit("圏外 is:reply", "圏外", is_reply=True)
    assert not hit("圏外 is:reply", "圏外")
    assert hit("from:Taro", "anything", author_username="taro")
    assert not hit("from:taro", "anything", author_username="hanako")
    assert hit("@activecare_help", "@activecare_help 助けて")
    assert parse("圏外 lang:ja") == And((Term("圏外"), Operator("lang", "ja")))


def test_conjunction_required_operators_need_a_keyword() -> None:
    for query in ("lang:ja", "is:retweet", "lang:ja -is:retweet", "lang:ja OR 圏外"):
        with pytest.raises(QueryError, match="non-conjunction-required"):
            parse(query)
    with pytest.raises(QueryError, match="non-negation"):
        parse("-圏外")
    assert parse("from:taro lang:ja")


@pytest.mark.parametrize("bad", ['"open', "(a OR b", "a OR", "OR a", "a )", "()", "- a", "is:cat 圏外",
                                 "foo:bar 圏外", ""])
def test_syntax_errors(bad: str) -> None:
    with pytest.raises(QueryError):
        parse(bad)


def test_or_is_case_sensitive_keyword() -> None:
    assert parse("a or b") == And((Term("a"), Term("or"), Term("b")))


def test_japanese_full_width_and_half_width_are_equal() -> None:
    assert hit("wifi", "ＷｉＦｉが死んだ")
    assert hit("ＷｉＦｉ", "wifiが死んだ")
    assert hit("ケータイ", "ｹｰﾀｲ壊れた")
    assert hit("sim", "ＳＩＭカード")
    assert hit("圏外", "ずっと圏外です😇")  # CJK: substring, no word boundaries
    assert hit("繋がらない", "Wi-Fiが繋がらない")


def test_ascii_keywords_match_whole_words_only() -> None:
    assert not hit("cat", "category")
    assert hit("cat", "a cat!")
    assert hit("5g", "5Gが遅い")  # a Japanese neighbour is a boundary
    assert not hit("wifi", "Wi-Fi")  # the hyphenated spelling is a different token
    assert hit("wi-fi", "WI-FI繋がらない")


def test_entities_and_weighted_length() -> None:
    ents = extract_entities("@activecare_help 圏外です #障害 https://t.co/abc", {"activecare_help": "1"})
    assert ents["mentions"] == [{"start": 0, "end": 16, "username": "activecare_help", "id": "1"}]
    assert ents["hashtags"][0]["tag"] == "障害"
    assert ents["urls"][0]["url"] == "https://t.co/abc"
    assert weighted_length("a" * 280) == 280
    assert weighted_length("あ" * 140) == 280
    assert weighted_length("あ" * 141) == 282
    assert weighted_length("見て https://example.jp/" + "x" * 100) == 2 * 2 + 1 + 23


# --- InMemoryTwitter: the unit-test port agrees with the fake on simple queries -------------------

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def _tweet(n: int, text: str, *, lang: str = "ja", refs: tuple[tuple[str, str], ...] = ()) -> Tweet:
    return Tweet(id=snowflake(NOW - timedelta(minutes=10 - n), n), text=text, author_id="900",
                 created_at=NOW - timedelta(minutes=10 - n), lang=lang, referenced_tweets=refs,
                 author=User("900", "taro"))


@pytest.mark.parametrize("query", ["圏外", "圏外 OR wifi", '"電波 悪い"', "圏外 -アンテナ", "圏外 lang:ja",
                                   "圏外 -is:retweet", "from:taro 圏外", "ＷｉＦｉ"])
def test_simple_matcher_agrees_with_the_fake(query: str) -> None:
    tweets = [_tweet(1, "ずっと圏外"), _tweet(2, "WiFi 死んだ"), _tweet(3, "電波 悪い"),
              _tweet(4, "圏外でアンテナ0本"), _tweet(5, "圏外 english", lang="en"),
              _tweet(6, "RT 圏外", refs=(("retweeted", "1"),))]
    for t in tweets:
        assert simple_match(query, t) == matches_domain_tweet(query, t), (query, t.text)


def test_in_memory_twitter_port() -> None:
    tw = InMemoryTwitter(clock=lambda: NOW)
    tw.add(_tweet(i, f"圏外 {i} @ac_help") for i in range(1, 8))
    tw.add(_tweet(8, "RT 圏外", refs=(("retweeted", "1"),)))
    first = tw.search_recent("圏外", max_results=5)
    rest = tw.search_recent("圏外", max_results=5, next_token=first.next_token)
    ids = [t.id for t in first.tweets + rest.tweets]
    assert len(ids) == len(set(ids)) == 7 and rest.next_token is None
    assert tw.mentions("1600000000000000001").result_count == 7
    assert tw.search_recent("圏外", since_id=first.newest_id).tweets == []
    reply = tw.post("ご不便をおかけしております", in_reply_to=first.newest_id)
    assert tw.posted[0].replied_to == first.newest_id and tw.user_tweets(tw.me().id).tweets[0].id == reply
    with pytest.raises(DuplicateContent):
        tw.post("ご不便をおかけしております")
    tw.fail_next("search", RateLimited("search", None))
    with pytest.raises(RateLimited):
        tw.search_recent("圏外")
    assert tw.calls["search"] == 4
