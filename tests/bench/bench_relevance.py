"""Relevance of the keyword matcher against the seed generator's ground truth.

For each seed, one generated day (09:00–20:00 JST, 50,000 tweets) is matched tweet by
tweet, as the poller does: retweets are left out (``-is:retweet``: search never returns
them) and so are the support accounts' own tweets. A tweet is *relevant* when the
generator says so (``Truth.relevant``: trouble, praise, mention). Printed:

- precision: matched tweets that are relevant / matched tweets (what agents see);
- recall: relevant tweets matched / relevant tweets, overall and per kind. Mentions
  of the support accounts also reach the desk through the mentions timeline whether
  they match or not, so recall is shown both with and without them;
- per kind: how many tweets of that kind there were and how many matched;
- sentiment accuracy: `classify_sentiment` against the generator's sentiment, on the
  relevant tweets and on chatter;
- with ``--show N``: N sample false positives and false negatives.

Then the same matcher, and the lexicon sentiment, on the hand-written evaluation set
(``tests/data/relevance_eval.jsonl``, rules in ``relevance_eval.md``; `infra.relevance_eval`):
precision, recall and sentiment accuracy against the issue's targets, recall per tag, and
with ``--show N`` its misses, false positives and wrong sentiments.

Run: .venv/bin/python tests/bench/bench_relevance.py [--seeds 1-5] [--tweets 50000] [--show 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from activecare.clock import JST  # noqa: E402
from activecare.keywords import Matcher, default_catalogue  # noqa: E402
from activecare.sentiment import classify_sentiment  # noqa: E402
from infra.relevance_eval import UNSEEN_SET, load_eval_set  # noqa: E402
from infra.relevance_eval import report as eval_report  # noqa: E402
from infra.relevance_eval import score as eval_score  # noqa: E402
from infra.seed import RELEVANT_KINDS, generate_day  # noqa: E402

START = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
END = datetime(2026, 11, 25, 20, 0, tzinfo=JST)


@dataclass
class Tally:
    """Counts over one or more generated days."""

    total: Counter[str] = field(default_factory=Counter)  # kind -> tweets
    matched: Counter[str] = field(default_factory=Counter)  # kind -> matched tweets
    false_positives: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    false_negatives: list[tuple[str, str | None, str]] = field(default_factory=list)
    sentiment_right: Counter[str] = field(default_factory=Counter)  # kind -> tweets classified as the truth says

    def add(self, other: Tally) -> None:
        self.total.update(other.total)
        self.matched.update(other.matched)
        self.sentiment_right.update(other.sentiment_right)
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives

    def precision(self) -> float:
        hits = sum(self.matched.values())
        return sum(self.matched[k] for k in RELEVANT_KINDS) / hits if hits else 1.0

    def sentiment_accuracy(self, kinds: frozenset[str] | set[str]) -> float:
        wanted = sum(self.total[k] for k in kinds)
        return sum(self.sentiment_right[k] for k in kinds) / wanted if wanted else 1.0

    def recall(self, kinds: frozenset[str] | set[str] = RELEVANT_KINDS) -> float:
        wanted = sum(self.total[k] for k in kinds)
        return sum(self.matched[k] for k in kinds) / wanted if wanted else 1.0


def measure(seed: int, tweets: int = 50_000, matcher: Matcher | None = None) -> Tally:
    """Match one generated day (seed) and count against the ground truth."""
    matcher = matcher or Matcher(default_catalogue())
    day = generate_day(seed, START, END, tweets)
    own = set(day.support_user_ids)
    tally = Tally()
    for tweet in day.tweets:
        truth = day.truth[tweet["id"]]
        if truth.kind == "retweet" or tweet["author_id"] in own:
            continue
        tally.total[truth.kind] += 1
        if truth.relevant or truth.kind == "chatter":
            tally.sentiment_right[truth.kind] += classify_sentiment(tweet["text"]) == truth.sentiment
        hit = matcher.match(tweet["text"])
        if hit is not None:
            tally.matched[truth.kind] += 1
            if not truth.relevant:
                tally.false_positives.append((truth.kind, hit.keywords, tweet["text"]))
        elif truth.relevant:
            tally.false_negatives.append((truth.kind, truth.topic, tweet["text"]))
    return tally


def report(tally: Tally, label: str) -> str:
    kinds = sorted(tally.total, key=lambda k: (k not in RELEVANT_KINDS, k))
    keyword_kinds = set(RELEVANT_KINDS) - {"mention"}
    lines = [
        f"{label}: precision {tally.precision():.3f}  recall {tally.recall():.3f}"
        f"  recall w/o mentions {tally.recall(keyword_kinds):.3f}"
        f"  matched {sum(tally.matched.values())}  (relevant {sum(tally.matched[k] for k in RELEVANT_KINDS)})"
        f"  sentiment accuracy relevant {tally.sentiment_accuracy(RELEVANT_KINDS):.3f}"
        f" chatter {tally.sentiment_accuracy({'chatter'}):.3f}",
        f"  {'kind':<14}{'tweets':>8}{'matched':>9}{'rate':>8}",
    ]
    for kind in kinds:
        total, matched = tally.total[kind], tally.matched[kind]
        flag = "relevant" if kind in RELEVANT_KINDS else ""
        lines.append(f"  {kind:<14}{total:>8}{matched:>9}{matched / total if total else 0:>8.1%}  {flag}")
    return "\n".join(lines)


def _seeds(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out += range(int(low), int(high or low) + 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1-5", help="e.g. 1-5 or 1,3,7")
    parser.add_argument("--tweets", type=int, default=50_000, help="tweets per generated day")
    parser.add_argument("--show", type=int, default=0, help="print N sample false positives/negatives")
    args = parser.parse_args()
    matcher = Matcher(default_catalogue())
    overall = Tally()
    started = time.perf_counter()
    for seed in _seeds(args.seeds):
        tally = measure(seed, args.tweets, matcher)
        print(report(tally, f"seed {seed}"))
        overall.add(tally)
    print()
    print(report(overall, "overall"))
    print(f"({time.perf_counter() - started:.1f}s)")
    if args.show:
        rng = random.Random(0)
        for title, rows in (("false positives", overall.false_positives), ("false negatives", overall.false_negatives)):
            print(f"\n{title} ({len(rows)}), sample:")
            for row in rng.sample(rows, min(args.show, len(rows))):
                print("  ", row)
    print()
    print(eval_report(eval_score(matcher=matcher), show=args.show))
    examples = load_eval_set()
    for tag in ("holdout", "holdout2"):  # written after a tuning round (tests/data/relevance_eval.md)
        part = eval_score([e for e in examples if tag in e.tags], matcher)
        print(f"  part {tag!r} ({part.examples} tweets): precision {part.precision:.3f}  recall {part.recall:.3f}"
              f"  sentiment accuracy {part.sentiment_accuracy:.3f}")
    unseen = eval_score(load_eval_set(UNSEEN_SET), matcher)
    print(f"unseen set (relevance_unseen.jsonl, {unseen.examples} tweets, never tuned on): precision"
          f" {unseen.precision:.3f}  recall {unseen.recall:.3f}  sentiment accuracy {unseen.sentiment_accuracy:.3f}")


if __name__ == "__main__":
    main()
