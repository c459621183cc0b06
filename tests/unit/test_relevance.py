"""Relevance of the packaged catalogue: floors against the seed generator's ground truth,
and hand-written tweets (written independently of infra/seed/phrases.py) both ways.

Measured when the floors were set (tests/bench/bench_relevance.py --seeds 11-13):
precision 0.816, recall 0.902 (0.895 without mentions), per seed 0.79-0.83 / 0.885-0.911.
Before ambiguous keywords and context: precision 0.06, recall 0.94.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from activecare.clock import JST
from activecare.keywords import Matcher, default_catalogue
from infra.seed import RELEVANT_KINDS, generate_day

PRECISION_FLOOR = 0.70
RECALL_FLOOR = 0.85


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(default_catalogue())


@pytest.fixture(scope="module")
def counts(matcher: Matcher) -> dict[str, int]:
    """Matched / relevant counts over seeds 11-13, one 09:00-20:00 day of 50,000 tweets each."""
    start, end = datetime(2026, 11, 25, 9, 0, tzinfo=JST), datetime(2026, 11, 25, 20, 0, tzinfo=JST)
    out = {"matched": 0, "true": 0, "relevant": 0}
    for seed in (11, 12, 13):
        day = generate_day(seed, start, end, 50_000)
        own = set(day.support_user_ids)
        for tweet in day.tweets:
            truth = day.truth[tweet["id"]]
            if truth.kind == "retweet" or tweet["author_id"] in own:  # search never returns them
                continue
            hit = matcher.match(tweet["text"]) is not None
            relevant = truth.kind in RELEVANT_KINDS
            out["matched"] += hit
            out["true"] += hit and relevant
            out["relevant"] += relevant
    return out


def test_precision_floor(counts: dict[str, int]) -> None:
    precision = counts["true"] / counts["matched"]
    assert precision >= PRECISION_FLOOR, counts


def test_recall_floor(counts: dict[str, int]) -> None:
    recall = counts["true"] / counts["relevant"]
    assert recall >= RECALL_FLOOR, counts


# Real customers: the desk must see these (topic expected).
CUSTOMERS = [
    ("地下の店に入るとすぐ圏外になる、ほんと困る", "signal"),
    ("ソフトバンクにしてから実家の二階が圏外", "signal"),
    ("@my_friend うちも昨日から圏外だよ、最悪", "signal"),
    ("マンションの部屋だけ電波が入らない", "signal"),
    ("スマホのギガもう無い、月末まで速度制限つらい", "data_allowance"),
    ("携帯の請求が先月の倍になってるんだけど何これ", "billing"),
    ("ワイモバイルのショップで2時間待ち、受付もっと早くして", "shops"),
    ("機種変更したらLINEのトークが消えた、助けて", "handset_change"),
    ("MNPの予約番号ってどこで取れるの", "contracts"),
    ("スマホ落として画面割れた、修理いくら？", "devices"),
    ("iPhoneが勝手に再起動を繰り返す", "devices"),
    ("自宅のWi-Fiが夜になると急に遅くなる", "wifi"),
    ("ルーター再起動しても家のWi-Fi繋がらないまま", "wifi"),
    ("SIMカード入れ替えたのに認識しない", "sim_esim"),
    ("ソフトバンク光の工事日まだ決まらない、ネット使えなくて困る", "home_internet"),
    ("通信障害？朝から全然ネットに繋がらない", "outage"),
    ("eSIMの再発行ってショップ行かないとダメ？", "sim_esim"),
]

# Everyday Japanese that happens to contain a keyword: the desk must not see these.
BYSTANDERS = [
    "ポケモンショップでぬいぐるみ買った",
    "月末は請求書まとめて作らないといけない",
    "好きなバンド、今回のチャートでは圏外だった",
    "彼氏を乗り換えたいって友達が言ってた",
    "渋谷で乗り換えるのいつも迷う",
    "今日のプレゼン、話が繋がらないって上司に言われた",
    "新しいiPhoneのカラー可愛い、機種変更しようかな",
    "SIMフリーのタブレット安くなってる",
    "ライブのファンクラブのマイページで当選確認した",
    "@friend 再起動してみた？",
    "推しの舞台のチケット、予約取れた！",
    "駐車場の料金が値上げされてた",
    "洗濯機が壊れた、修理呼ぶしかない",
    "【速報】大手キャリア、来春から新料金プランを発表へ",
    "コーヒーショップの店員さんが優しかった",
    "ジムの解約手続きがめんどくさい",
]


@pytest.mark.parametrize(("text", "topic"), CUSTOMERS)
def test_customers_are_matched(matcher: Matcher, text: str, topic: str) -> None:
    match = matcher.match(text)
    assert match is not None, text
    assert topic in match.topics, (text, match.topics)


@pytest.mark.parametrize("text", BYSTANDERS)
def test_bystanders_are_not_matched(matcher: Matcher, text: str) -> None:
    assert matcher.match(text) is None, (text, matcher.match(text))
