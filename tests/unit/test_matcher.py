"""Matcher: every hit, the right topic, exclusions, entities, Latin word edges."""

from __future__ import annotations

import random

import pytest

from activecare.keywords import Catalogue, Matcher, default_catalogue, load_catalogue, strip_entities

HEADER = "topic,department,account,kind,term,note\n"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(default_catalogue())


# Real-looking tweets -> (topic, account) or None.
SENTENCES = [
    ("ソフトバンク、家の中だと圏外になるのほんと困る", "signal", "signal"),
    ("ｿﾌﾄﾊﾞﾝｸ電波悪すぎ。アンテナ１本しか立たない", "signal", "signal"),
    ("地下鉄でSOSのみ表示になるんだけど", "signal", "signal"),
    ("5G掴まないし4Gでもパケ詰まりひどい", "signal", "signal"),
    ("通信障害？ソフトバンクだけ繋がらない", "outage", "signal"),
    ("電話が途中で切れる、通話が切れるの何回目", "voice", "signal"),
    ("ＷｉＦｉ つながらな〜い", "wifi", "wifi"),
    ("ﾜｲﾌｧｲ遅すぎ、ルーター再起動しても変わらん", "wifi", "wifi"),
    ("SoftBank Airのランプが赤のまま", "home_internet", "wifi"),
    ("ソフトバンク光の開通工事いつ来るの", "home_internet", "wifi"),
    ("今月のスマホ代高すぎ…請求額見て震えた", "billing", "general"),
    ("ギガ足りなくて速度制限かかった😇", "data_allowance", "general"),
    ("料金プラン変えたいけどプラン変更どこから？", "plans", "general"),
    ("iPhoneの画面割れた、修理いくらかかるんだろ", "devices", "general"),
    ("機種変更したらLINE引き継ぎできなかった", "handset_change", "general"),
    ("MNP予約番号の発行ってどこでやるの？", "contracts", "general"),
    ("解約したいのに引き止めがしつこい", "contracts", "general"),
    ("ソフトバンクショップで3時間待たされた。予約してたのに", "shops", "general"),
    ("My SoftBankにログインできない", "app_web", "general"),
    ("キャリアメール届かないんだけど", "mail", "general"),
    ("eSIMの開通手続きうまくいかない", "sim_esim", "general"),
    ("詐欺SMSが届いた、不在通知って書いてある", "security", "general"),
    ("海外でスマホ使えない、ローミング設定どこ", "roaming", "general"),
    ("携帯のサポセンに電話したらたらい回しにされた", "support_desk", "general"),
]

NOISE = [
    "恋愛圏外って言われた",  # signal exclusion
    "圏外から失礼します、その話詳しく",  # Twitter idiom
    "電気料金の請求きた",  # billing exclusion
    "ギガ盛りラーメン食べた",  # data_allowance exclusion
    "#PR 新しいスマホで快適ライフ 5G対応",  # global exclusion
    "推しの新曲が電波ソングすぎる",
    "ソフトバンクホークス優勝おめでとう",
    "今日はいい天気",
    "4GBのSDカード買った",  # 4G must not hit 4GB
    "simple is best",  # SIM must not hit simple
    "洗濯機が故障した",
]


@pytest.mark.parametrize(("text", "topic", "account"), SENTENCES)
def test_real_sentences(matcher: Matcher, text: str, topic: str, account: str) -> None:
    match = matcher.match(text)
    assert match is not None, text
    assert (match.topic, match.account) == (topic, account)
    assert match.topics[0] == topic
    assert match.department == default_catalogue().topic(topic).department


@pytest.mark.parametrize("text", NOISE)
def test_noise_is_not_matched(matcher: Matcher, text: str) -> None:
    assert matcher.match(text) is None


def test_every_hit_is_returned_with_original_spelling(matcher: Matcher) -> None:
    match = matcher.match("家のＷｉＦｉ繋がらないんだけど…")
    assert match is not None
    assert match.keywords == ("家のWi-Fi", "Wi-Fi繋がらない", "Wi-Fi", "繋がら")
    assert match.topics == ("wifi", "home_internet", "signal")
    assert match.topic == "wifi"
    assert match.account == "wifi"


def test_keywords_in_order_of_appearance(matcher: Matcher) -> None:
    match = matcher.match("パケ詰まりひどいし圏外だし電波悪い")
    assert match is not None
    assert match.keywords == ("パケ詰まり", "圏外", "電波悪い")
    assert match.topics == ("signal", "mobile_data")  # 2 distinct hits beat 1


def test_repeated_keyword_counts_once() -> None:
    catalogue = load_catalogue(
        HEADER
        + "a,dept_a,general,keyword,圏外,\n"
        + "b,dept_b,general,keyword,料金,\n"
        + "b,dept_b,general,keyword,請求,\n"
    )
    match = Matcher(catalogue).match("圏外圏外圏外、料金の請求")
    assert match is not None
    assert match.topic == "b"
    assert match.keywords == ("圏外", "料金", "請求")


def test_tie_goes_to_catalogue_order() -> None:
    rows = ["a,dept_a,general,keyword,圏外,\n", "b,dept_b,signal,keyword,電波,\n"]
    text = "電波なくて圏外"
    first = Matcher(load_catalogue(HEADER + rows[0] + rows[1])).match(text)
    second = Matcher(load_catalogue(HEADER + rows[1] + rows[0])).match(text)
    assert first is not None and second is not None
    assert (first.topic, first.topics) == ("a", ("a", "b"))
    assert (second.topic, second.topics, second.account) == ("b", ("b", "a"), "signal")


def test_topic_exclusion_removes_only_that_topic(matcher: Matcher) -> None:
    match = matcher.match("電気料金も高いし家は圏外だし最悪")
    assert match is not None
    assert match.topics == ("signal",)
    assert match.keywords == ("圏外",)


def test_global_exclusion_removes_everything(matcher: Matcher) -> None:
    assert matcher.match("【求人】ソフトバンクショップ店員募集、圏外エリアも") is None


def test_mentions_and_urls_never_hit() -> None:
    catalogue = load_catalogue(HEADER + "wifi,home_internet,wifi,keyword,WiFi,\n")
    matcher = Matcher(catalogue)
    assert matcher.match("@wifi_help こんにちは") is None
    assert matcher.match("＠WiFi_jp こんにちは") is None
    assert matcher.match("詳しくは https://example.com/wifi/help を見て") is None
    assert matcher.match("詳しくは https://example.com/wifi圏外") is None
    match = matcher.match("@someone うちのwifiが死んだ https://t.co/xyz")
    assert match is not None and match.keywords == ("WiFi",)


def test_strip_entities() -> None:
    assert strip_entities("@a_b 圏外 https://t.co/x?y=1 です") == "  圏外   です"
    assert strip_entities("mail@example.com") == "mail@example.com"  # e-mail, not a mention


def test_latin_terms_are_word_bounded(matcher: Matcher) -> None:
    esim = matcher.match("eSIMに変えた")
    assert esim is not None and esim.keywords == ("eSIM",)
    sim = matcher.match("SIM2枚目が認識しない")
    assert sim is not None and "SIM" in sim.keywords
    four_g = matcher.match("ずっと4Gのまま")
    assert four_g is not None and four_g.keywords == ("4G",)
    assert matcher.match("4GBしかない") is None


def test_phrase_keyword_matches_with_or_without_space(matcher: Matcher) -> None:
    for text in ("iPhone 不具合多すぎ", "iPhone不具合多すぎ", "ｉＰｈｏｎｅ　不具合"):
        match = matcher.match(text)
        assert match is not None and "iPhone 不具合" in match.keywords, text


def _random_tweets(catalogue: Catalogue, count: int) -> list[str]:
    rng = random.Random(3)
    pieces = list(catalogue.keywords()) + [e for t in catalogue.topics for e in t.exclusions]
    pieces += ["今日は", "雨", "、", "😇", " ", "@user_1 ", "https://t.co/a ", "ｗｗ", "4GB", "esim"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(count)]


def test_engines_agree() -> None:
    catalogue = default_catalogue()
    aho, regex = Matcher(catalogue, engine="aho"), Matcher(catalogue, engine="regex")
    for text in _random_tweets(catalogue, 1500):
        assert aho.match(text) == regex.match(text), text


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        Matcher(default_catalogue(), engine="magic")


def test_every_catalogue_keyword_matches_itself(matcher: Matcher) -> None:
    catalogue = default_catalogue()
    for topic in catalogue.topics:
        for term in topic.keywords:
            if term in topic.ambiguous:
                alone = matcher.match(f"うちの{term}です")  # not enough (料金プラン's プラン may back 料金)
                assert alone is None or term not in alone.keywords, term
                match = matcher.match(f"スマホの{term}です")  # global context
            else:
                match = matcher.match(f"うちの{term}です")
            assert match is not None and term in match.keywords, term


# --- strength: ambiguous keywords need context --------------------------------------

STRENGTH = (
    HEADER
    + "signal,network,signal,keyword,電波悪い,\n"
    + "signal,network,signal,ambiguous,圏外,\n"
    + "signal,network,signal,context,困る,signal's own cue\n"
    + "sim,devices,general,ambiguous,SIM,\n"
    + "shops,shops,general,ambiguous,ショップ,\n"
    + "shops,shops,general,exclude,ポケモン,\n"
    + "*,,,context,スマホ,\n"
    + "*,,,context,SIM,\n"
)


@pytest.fixture(scope="module")
def strength() -> Matcher:
    return Matcher(load_catalogue(STRENGTH))


def test_ambiguous_alone_is_not_a_match(strength: Matcher) -> None:
    assert strength.match("ショップ行ってきた") is None
    assert strength.match("圏外") is None


def test_topic_context_supports_only_its_topic(strength: Matcher) -> None:
    match = strength.match("圏外で困る、ショップ行く")
    assert match is not None and match.topics == ("signal",) and match.keywords == ("圏外",)


def test_global_context_supports_every_topic(strength: Matcher) -> None:
    match = strength.match("スマホ圏外だからショップ行く")
    assert match is not None and match.topics == ("signal", "shops")


def test_a_strong_hit_supports_ambiguous_ones(strength: Matcher) -> None:
    match = strength.match("電波悪いし圏外")
    assert match is not None and match.keywords == ("電波悪い", "圏外")
    match = strength.match("電波悪い、ショップ行く")
    assert match is not None and match.topics == ("signal", "shops")


def test_an_excluded_topic_supports_nothing(strength: Matcher) -> None:
    catalogue = load_catalogue(STRENGTH + "shops,shops,general,keyword,ソフトバンクショップ,\n")
    matcher = Matcher(catalogue)
    assert matcher.match("ソフトバンクショップで圏外") is not None
    assert matcher.match("ポケモンとソフトバンクショップで圏外") is None  # shops excluded: 圏外 alone


def test_context_never_confirms_its_own_occurrence(strength: Matcher) -> None:
    assert strength.match("SIM欲しい") is None  # SIM is context and ambiguous: not by itself
    match = strength.match("SIM入れたのに圏外")  # ... but it supports another keyword
    assert match is not None and match.topic == "signal"
    match = strength.match("SIM2枚目もSIM")  # two occurrences do not confirm each other
    assert match is None


def test_a_mention_of_our_account_is_context(strength: Matcher) -> None:
    assert strength.match("@ac_help ショップの予約どこ") is not None
    assert strength.match("ショップの予約どこ @AC_SIGNAL") is not None
    assert strength.match("@friend ショップの予約どこ") is None
    custom = Matcher(load_catalogue(STRENGTH), support_usernames=["my_help"])
    assert custom.match("@my_help ショップ") is not None
    assert custom.match("@ac_help ショップ") is None


def test_replies_between_users_pass_the_same_rule(matcher: Matcher) -> None:
    assert matcher.match("@friend 再起動してみた？") is None
    assert matcher.match("@friend うちも圏外だよ最悪") is not None
    assert matcher.match("@friend パケ詰まりひどいよね") is not None


def test_engines_agree_on_strength() -> None:
    catalogue = load_catalogue(STRENGTH)
    aho, regex = Matcher(catalogue, engine="aho"), Matcher(catalogue, engine="regex")
    rng = random.Random(5)
    pieces = ["圏外", "困る", "SIM", "ショップ", "ポケモン", "スマホ", "電波悪い", "今日", "、", "@ac_help ", "eSIM"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        assert aho.match(text) == regex.match(text), text
