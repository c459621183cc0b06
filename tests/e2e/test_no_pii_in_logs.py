"""No personal data in any log line: a stretch rich in phone numbers and e-mail
addresses runs through every handler at INFO, and every record is searched.

`log_leaks` and `text_leaks` are shared with the full-day test (tests/e2e/test_full_day.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

import pytest

from activecare.clock import JST
from activecare.pii import find_pii
from infra.seed.tweets import SeedMix
from infra.simulate_day import run_day

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def text_leaks(texts: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Texts holding a phone number or an e-mail address, with the kinds found."""
    out = []
    for text in texts:
        hits = [h.kind for h in find_pii(text) if h.kind in ("phone", "email")]
        if hits:
            out.append((text, hits))
    return out


def log_leaks(records: Iterable[logging.LogRecord]) -> list[tuple[str, str, list[str]]]:
    """Log records whose message or extra fields hold a phone number or an e-mail address. The record's
    own timing numbers are left out (their digits can look like a phone number); what we log is checked."""
    leaks = []
    for record in records:
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        for _, kinds in text_leaks([f"{record.getMessage()} {extras}"]):
            leaks.append((record.name, record.getMessage(), kinds))
    return leaks


def test_a_pii_heavy_stretch_logs_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    mix = SeedMix(trouble=0.05, mention=0.03, pii_rate_trouble=0.6, pii_rate_mention=0.6)
    with caplog.at_level(logging.INFO):
        result = run_day(seed=5, start=datetime(2026, 11, 25, 10, 0, tzinfo=JST), minutes=10, tweets=600,
                         progress=False, mix=mix, quiet=False, campaign_retweeters=0)
    assert result.with_pii >= 5, "the stretch must carry personal data for this test to mean anything"
    assert len(caplog.records) > 50
    assert log_leaks(caplog.records) == []
