"""A grouped query, `(... ((ambiguous) (context)) ...)`, in the fake X API over HTTP: the look-alikes of an
ambiguous keyword stay on X, the tweets that hold its context come back, as the local matcher wants."""

from __future__ import annotations

from datetime import timedelta

from activecare.keywords import Matcher, default_catalogue, pack_queries
from activecare.keywords.grouped import pack_grouped
from tests.integration.conftest_twitter import APP_TOKEN, running_fake

LOOK_ALIKES = ["ポケモンショップ行ってきた", "ショップ限定グッズゲット", "請求書の締め切りに追われてる",
               "渋谷で乗り換え", "新宿駅の乗り換え迷路すぎ"]
RELEVANT = ["ドコモショップの予約が取れない、最悪", "スマホの請求が二重になってる", "ahamoに乗り換えたら電波悪い"]


def _read(fx, queries: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    gw = fx.gateway(APP_TOKEN)
    return {t.text for q in queries for t in gw.search_recent(q).tweets}


def test_grouped_queries_fetch_fewer_look_alikes_and_every_match() -> None:
    catalogue = default_catalogue()
    matcher = Matcher(catalogue)
    assert all(matcher.match(t) is None for t in LOOK_ALIKES)
    assert all(matcher.match(t) is not None for t in RELEVANT)
    with running_fake() as fx:
        for i, text in enumerate(LOOK_ALIKES + RELEVANT):
            fx.tweet(text, ago=timedelta(seconds=60 - i))
        alone = _read(fx, [q.query for q in pack_queries(catalogue, 512)])
        grouped = _read(fx, [q.query for q in pack_grouped(catalogue, 512)])
    assert set(RELEVANT) <= alone and set(RELEVANT) <= grouped
    assert set(LOOK_ALIKES) <= alone  # every keyword alone: X returns the look-alikes, the matcher drops them
    assert not grouped & set(LOOK_ALIKES)
