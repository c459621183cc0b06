"""No personal data in any log line: a stretch rich in phone numbers and e-mail addresses runs through
every handler at INFO, and every record is searched for the personal data the seed planted (each value
exactly as written, its folded form, and for numbers its bare digits), in the record and in its folded
text: the detector under test is not its own oracle.

`planted`, `log_leaks` and `text_leaks` are shared with the full-day test (tests/e2e/test_full_day.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

import pytest

from activecare.clock import JST
from activecare.pii import fold
from infra.seed.tweets import SeedDay, SeedMix, generate_day
from infra.simulate_day import run_day

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_NON_DIGIT = re.compile(r"\D")
_NUMBER_SEPARATORS = re.compile(r"(?<=\d)[-./ ()]{1,3}(?=\d)")  # 090-1234-5678 -> 09012345678


def forms(value: str) -> set[str]:
    """The ways a planted value could show up: as written, folded, and (a number's) bare digits."""
    folded = fold(value).text
    out = {value, folded}
    digits = _NON_DIGIT.sub("", folded)
    if "@" not in folded and len(digits) >= 7:
        out.add(digits)
    return out


def planted(day: SeedDay) -> set[str]:
    """Every form of every piece of personal data the seed put in the day's tweets."""
    return {f for truth in day.truth.values() for value in truth.pii_values for f in forms(value)}


def text_leaks(texts: Iterable[str], known: set[str]) -> list[tuple[str, list[str]]]:
    """Texts holding any of the `known` personal data (as written or once the text is folded)."""
    out = []
    for text in texts:
        folded = fold(text).text
        joined = _NUMBER_SEPARATORS.sub("", folded)
        hits = sorted(k for k in known if k in text or k in folded or (k.isdigit() and k in joined))
        if hits:
            out.append((text, hits))
    return out


def log_leaks(records: Iterable[logging.LogRecord], known: set[str]) -> list[tuple[str, str, list[str]]]:
    """Log records whose message or extra fields hold any of the `known` personal data. The record's own
    timing numbers are left out; what we log is checked."""
    leaks = []
    for record in records:
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        for _, found in text_leaks([f"{record.getMessage()} {extras}"], known):
            leaks.append((record.name, record.getMessage(), found))
    return leaks


def test_the_oracle_finds_planted_data_in_disguise() -> None:
    known = forms("090-1234-5678") | forms("taro@example.jp")
    assert text_leaks(["折り返しは〇九〇\u200b一二三四\u200b五六七八", "taro(at)example。jp"], known)
    assert text_leaks(["id=09012345678"], known)  # the bare digits, in an id-like field
    assert text_leaks(["電話は［電話番号］", "090-1111-2222"], known) == []


def test_a_pii_heavy_stretch_logs_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    mix = SeedMix(trouble=0.05, mention=0.03, pii_rate_trouble=0.6, pii_rate_mention=0.6)
    start = datetime(2026, 11, 25, 10, 0, tzinfo=JST)
    known = planted(generate_day(5, start, start + timedelta(minutes=10), 600, mix=mix))
    assert len(known) >= 10, "the stretch must carry personal data for this test to mean anything"
    with caplog.at_level(logging.INFO):
        result = run_day(seed=5, start=start, minutes=10, tweets=600,
                         progress=False, mix=mix, quiet=False, campaign_retweeters=0)
    assert result.with_pii >= 5, "the stretch must carry personal data for this test to mean anything"
    assert len(caplog.records) > 50
    assert log_leaks(caplog.records, known) == []
