"""twitter-text's conformance suite (tests/data/twitter-text/validate.yml, read as it is, not copied into the
test) against activecare.twitter.text_rules: every case of the two sections of the counting X uses today,
twitter-text v3 (emoji sequences count 2) and its directional-marker cases."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from activecare.twitter import twitter_text_regexen
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, fits, weighted_length

VALIDATE_YML = Path(__file__).resolve().parents[1] / "data" / "twitter-text" / "validate.yml"
SECTIONS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")


def conformance_cases() -> list[Any]:
    """One pytest.param per case of SECTIONS: (text, expected), the case's description as its id."""
    tests = yaml.safe_load(VALIDATE_YML.read_text(encoding="utf-8"))["tests"]
    return [pytest.param(case["text"], case["expected"], id=case["description"])
            for section in SECTIONS for case in tests[section]]


def test_the_two_sections_hold_the_24_cases() -> None:
    assert len(conformance_cases()) == 24


@pytest.mark.parametrize("text, expected", conformance_cases())
def test_weighted_length(text: str, expected: dict[str, Any]) -> None:
    assert weighted_length(text) == expected["weightedLength"]


@pytest.mark.parametrize("text, expected", conformance_cases())
def test_validity(text: str, expected: dict[str, Any]) -> None:
    assert fits(text) is expected["valid"]
    if expected["valid"]:  # a valid text is within the limit (an invalid one may be within it, invalid characters)
        assert weighted_length(text) <= MAX_WEIGHTED_LENGTH


def test_the_regexes_were_generated_from_the_vendored_bundle() -> None:
    """twitter_text_regexen is infra/gen_twitter_text_regexen.py's output for the bundle the browser loads."""
    bundle = Path(__file__).resolve().parents[2] / "functions" / "desk" / "web" / "vendor" / "twitter-text.js"
    assert hashlib.sha256(bundle.read_bytes()).hexdigest() == twitter_text_regexen.BUNDLE_SHA256, \
        "the vendored bundle changed: run `python -m infra.gen_twitter_text_regexen`"
