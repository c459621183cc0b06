"""Scoring of the matcher and the lexicon sentiment on the hand-written evaluation set.

The set (``tests/data/relevance_eval.jsonl``, rules in ``tests/data/relevance_eval.md``) is
one JSON object a line: ``id``, ``text``, ``relevant`` (bool), ``topic`` (a catalogue topic
for relevant tweets, null otherwise), ``sentiment`` (complaint / praise / neutral) and
``tags`` (what the tweet exercises: ``kansai``, ``half``, ``lookalike``...). It is written by
hand, not by ``infra/seed``, so it measures the matcher on phrasing the generator does not
know. Used by ``tests/bench/bench_relevance.py`` (figures) and
``tests/unit/test_relevance_eval.py`` (floors).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from activecare.keywords import Matcher, default_catalogue
from activecare.sentiment import classify_sentiment

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "relevance_eval.jsonl"
# Written after the last tuning round and never tuned on: how the matcher does on phrasing nobody
# fitted it to. Printed by the bench; no floors (looking at its misses would make it a tuning set).
UNSEEN_SET = EVAL_SET.with_name("relevance_unseen.jsonl")
SENTIMENTS = ("complaint", "praise", "neutral")

# The targets (#16 item 4).
RECALL_TARGET = 0.95
PRECISION_TARGET = 0.90
SENTIMENT_TARGET = 0.85


@dataclass(frozen=True)
class Example:
    """One labelled tweet of the evaluation set."""

    id: str
    text: str
    relevant: bool
    topic: str | None
    sentiment: str
    tags: tuple[str, ...]


@dataclass
class Score:
    """Counts of one run of the matcher and the sentiment over the set."""

    examples: int = 0
    relevant: int = 0
    matched: int = 0
    true_positives: int = 0
    topic_right: int = 0  # relevant and matched with the labelled topic first
    topic_listed: int = 0  # relevant and matched with the labelled topic among the topics hit
    sentiment_right: int = 0  # over every example
    sentiment_right_relevant: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (labelled, classified)
    tag_total: Counter[str] = field(default_factory=Counter)  # relevant examples per tag
    tag_found: Counter[str] = field(default_factory=Counter)
    missed: list[Example] = field(default_factory=list)
    false_positives: list[tuple[Example, tuple[str, ...]]] = field(default_factory=list)
    wrong_topic: list[tuple[Example, str]] = field(default_factory=list)
    wrong_sentiment: list[tuple[Example, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.matched if self.matched else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.relevant if self.relevant else 1.0

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_right / self.examples if self.examples else 1.0

    @property
    def sentiment_accuracy_relevant(self) -> float:
        return self.sentiment_right_relevant / self.relevant if self.relevant else 1.0

    @property
    def topic_accuracy(self) -> float:
        """Of the relevant tweets matched, the share whose first topic is the labelled one."""
        return self.topic_right / self.true_positives if self.true_positives else 1.0


def load_eval_set(path: Path = EVAL_SET) -> list[Example]:
    """The examples of `path`; a malformed line raises ValueError naming it."""
    examples: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                example = Example(str(raw["id"]), str(raw["text"]), bool(raw["relevant"]), raw["topic"],
                                  str(raw["sentiment"]), tuple(raw.get("tags", ())))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
            if example.sentiment not in SENTIMENTS or example.relevant != (example.topic is not None):
                raise ValueError(f"{path}:{number}: bad labels {raw!r}")
            examples.append(example)
    return examples


def score(
    examples: list[Example] | None = None,
    matcher: Matcher | None = None,
    sentiment: Callable[[str], str] = classify_sentiment,
) -> Score:
    """Match and classify every example against its labels."""
    examples = load_eval_set() if examples is None else examples
    matcher = matcher or Matcher(default_catalogue())
    out = Score()
    for ex in examples:
        out.examples += 1
        hit = matcher.match(ex.text)
        got = sentiment(ex.text)
        out.confusion[(ex.sentiment, got)] += 1
        if got == ex.sentiment:
            out.sentiment_right += 1
        else:
            out.wrong_sentiment.append((ex, got))
        if hit is not None:
            out.matched += 1
        if ex.relevant:
            out.relevant += 1
            out.sentiment_right_relevant += got == ex.sentiment
            out.tag_total.update(ex.tags)
            if hit is None:
                out.missed.append(ex)
                continue
            out.true_positives += 1
            out.tag_found.update(ex.tags)
            out.topic_right += hit.topic == ex.topic
            out.topic_listed += ex.topic in hit.topics
            if hit.topic != ex.topic:
                out.wrong_topic.append((ex, hit.topic))
        elif hit is not None:
            out.false_positives.append((ex, hit.keywords))
    return out


def report(s: Score, show: int = 0) -> str:
    """The figures as printed by the bench (with `show` examples of each kind of error)."""
    lines = [
        f"hand-written eval set ({s.examples} tweets, {s.relevant} relevant): precision {s.precision:.3f}"
        f" (target {PRECISION_TARGET})  recall {s.recall:.3f} (target {RECALL_TARGET})"
        f"  sentiment accuracy {s.sentiment_accuracy:.3f} (target {SENTIMENT_TARGET};"
        f" relevant only {s.sentiment_accuracy_relevant:.3f})",
        f"  matched {s.matched} (relevant {s.true_positives}), missed {len(s.missed)}, false positives"
        f" {len(s.false_positives)}; topic first {s.topic_accuracy:.3f}, topic among hits"
        f" {s.topic_listed / s.true_positives if s.true_positives else 1:.3f}",
        "  sentiment (labelled -> classified): "
        + "  ".join(f"{a[:4]}->{b[:4]} {n}" for (a, b), n in sorted(s.confusion.items())),
        "  recall by tag: "
        + "  ".join(f"{t} {s.tag_found[t]}/{n}" for t, n in sorted(s.tag_total.items(), key=lambda kv: -kv[1])),
    ]
    if show:
        lines.append(f"  missed ({len(s.missed)}): " + " / ".join(e.text for e in s.missed[:show]))
        lines.append(f"  false positives ({len(s.false_positives)}): "
                     + " / ".join(f"{e.text} {list(k)}" for e, k in s.false_positives[:show]))
        lines.append(f"  wrong sentiment ({len(s.wrong_sentiment)}): "
                     + " / ".join(f"{e.text} [{e.sentiment}->{g}]" for e, g in s.wrong_sentiment[:show]))
        lines.append(f"  wrong topic ({len(s.wrong_topic)}): "
                     + " / ".join(f"{e.text} [{e.topic}->{g}]" for e, g in s.wrong_topic[:show]))
    return "\n".join(lines)
