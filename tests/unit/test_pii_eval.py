"""The detector against an evaluation set of disguised personal data and look-alike business text
(tests/data/pii_eval.jsonl: one {"text", "kinds"} object a line; kinds empty: nothing personal).

A positive is missed when any of its kinds is not found; a negative is falsely flagged when anything is."""

from __future__ import annotations

import json
from pathlib import Path

from activecare.pii import find_pii, mask_pii, pii_kinds

EVAL = Path(__file__).resolve().parents[1] / "data" / "pii_eval.jsonl"
MAX_MISSED = 0.05
MAX_FALSE = 0.03


def load() -> list[tuple[str, tuple[str, ...]]]:
    with EVAL.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [(r["text"], tuple(sorted(r["kinds"]))) for r in rows]


def rates(detect=pii_kinds) -> tuple[float, float, list[str], list[str]]:  # type: ignore[no-untyped-def]
    """(miss rate, false-flag rate, the missed texts, the falsely flagged texts) of ``detect``."""
    rows = load()
    positives = [(t, k) for t, k in rows if k]
    negatives = [t for t, k in rows if not k]
    missed = [f"{t!r} expected {k}, found {detect(t)}" for t, k in positives if not set(k) <= set(detect(t))]
    flagged = [f"{t!r} found {detect(t)}" for t in negatives if detect(t)]
    return len(missed) / len(positives), len(flagged) / len(negatives), missed, flagged


def test_the_set_is_large_and_balanced() -> None:
    rows = load()
    positives = sum(bool(k) for _, k in rows)
    assert len(rows) >= 150
    assert 0.4 <= positives / len(rows) <= 0.6


def test_miss_and_false_flag_rates() -> None:
    miss, false, missed, flagged = rates()
    print(f"\nmissed {miss:.1%} ({len(missed)}), falsely flagged {false:.1%} ({len(flagged)})")
    for line in missed:
        print("MISSED", line)
    for line in flagged:
        print("FLAGGED", line)
    assert miss <= MAX_MISSED, "\n".join(missed)
    assert false <= MAX_FALSE, "\n".join(flagged)


def test_masking_covers_the_original_characters() -> None:
    for text, kinds in load():
        if not kinds:
            continue
        masked = mask_pii(text)
        for hit in find_pii(text):
            assert text[hit.start:hit.end] == hit.text
        assert pii_kinds(masked) == (), (text, masked)
