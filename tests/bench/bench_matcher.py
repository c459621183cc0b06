"""Matcher throughput on 10,000 generated Japanese tweets (prints figures, asserts nothing
about time). Each figure is the best of three passes over the same tweets.

Run: .venv/bin/python tests/bench/bench_matcher.py [--tweets N] [--keywords N]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from activecare.keywords import Catalogue, Matcher, default_catalogue, normalize, synthetic_catalogue

_NOISE = [
    "今日は朝から雨で最悪",
    "ランチはラーメンにした",
    "推しの配信が神だった",
    "明日の会議資料まだ終わってない",
    "猫がかわいすぎる",
    "電車めっちゃ混んでる",
    "週末は実家に帰る予定",
    "新しいゲーム買ったけど積んでる",
    "コーヒー飲みすぎたかも",
    "仕事終わった〜疲れた",
]
_GLUE = ["、", "。", "！", "…", " ", "ｗ", "😇", "って", "のに", "けど", "なんだが"]
_PREFIXES = ["", "@softbank_help ", "RT @user_01: ", "", "【悲報】", ""]
_SUFFIXES = ["", " https://t.co/AbCdEf123", " #ソフトバンク", "", "？", "😡😡"]


def generate(catalogue: Catalogue, count: int, *, seed: int = 7) -> list[str]:
    """Tweets: ~60% with 1-3 catalogue keywords, ~10% with an exclusion, rest noise."""
    rng = random.Random(seed)
    keywords = list(catalogue.keywords())
    exclusions = [e for t in catalogue.topics for e in t.exclusions] + list(catalogue.global_exclusions)
    tweets = []
    for _ in range(count):
        parts = rng.sample(_NOISE, rng.randint(1, 4))
        roll = rng.random()
        if roll < 0.6:
            parts += [rng.choice(keywords) for _ in range(rng.randint(1, 3))]
        if roll < 0.1:
            parts.append(rng.choice(exclusions))
        rng.shuffle(parts)
        body = rng.choice(_GLUE).join(parts)
        tweets.append(rng.choice(_PREFIXES) + body + rng.choice(_SUFFIXES))
    return tweets


def _rate(label: str, fn: Callable[[str], object], tweets: list[str], repeat: int = 3) -> float:
    """Best of `repeat` passes (the first pass also warms memoised transitions)."""
    elapsed = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for tweet in tweets:
            fn(tweet)
        elapsed = min(elapsed, time.perf_counter() - start)
    rate = len(tweets) / elapsed
    print(f"  {label:<34}{rate:>12,.0f} tweets/s  ({elapsed * 1e6 / len(tweets):6.1f} µs/tweet)")
    return rate


def run(tweets_count: int = 10_000, synthetic_size: int = 2000) -> None:
    """Print throughput for normalisation and both engines, real and synthetic catalogue."""
    real = default_catalogue()
    for label, catalogue in (("catalogue", real), (f"synthetic {synthetic_size}", synthetic_catalogue(synthetic_size))):
        tweets = generate(catalogue, tweets_count)
        mean = sum(map(len, tweets)) / len(tweets)
        print(f"{label}: {catalogue.keyword_count} keywords, {len(tweets):,} tweets of {mean:.0f} chars on average")
        start = time.perf_counter()
        matchers = {engine: Matcher(catalogue, engine=engine) for engine in ("aho", "regex")}
        print(f"  build both matchers                {time.perf_counter() - start:.3f} s")
        _rate("normalize() only", normalize, tweets)
        for engine, matcher in matchers.items():
            _rate(f"Matcher(engine={engine!r}).match()", matcher.match, tweets)
        hits = sum(1 for tweet in tweets if matchers["aho"].match(tweet) is not None)
        same = all(matchers["aho"].match(t) == matchers["regex"].match(t) for t in tweets)
        print(f"  matched {hits:,} of {len(tweets):,} tweets; engines agree: {same}")


def test_bench_matcher() -> None:
    """Pytest entry point (prints figures with -s; no timing assertion)."""
    run(2_000)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tweets", type=int, default=10_000)
    parser.add_argument("--keywords", type=int, default=2000, help="size of the synthetic catalogue")
    args = parser.parse_args()
    run(args.tweets, args.keywords)
