"""No personal data in any log line: a stretch rich in phone numbers and e-mail
addresses runs through every handler at INFO, and every record is searched."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from activecare.clock import JST
from activecare.pii import find_pii
from infra.seed.tweets import SeedMix
from infra.simulate_day import run_day


def test_a_pii_heavy_stretch_logs_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    mix = SeedMix(trouble=0.05, mention=0.03, pii_rate_trouble=0.6, pii_rate_mention=0.6)
    with caplog.at_level(logging.INFO):
        result = run_day(seed=5, start=datetime(2026, 11, 25, 10, 0, tzinfo=JST), minutes=10, tweets=600,
                         progress=False, mix=mix, quiet=False, campaign_retweeters=0)
    assert result.with_pii >= 5, "the stretch must carry personal data for this test to mean anything"
    assert len(caplog.records) > 50
    standard = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
    leaks = []
    for record in caplog.records:
        # What we log: the message and every extra field (not the record's own timing numbers,
        # whose digits can look like a phone number).
        extras = {k: v for k, v in vars(record).items() if k not in standard}
        line = f"{record.getMessage()} {extras}"
        hits = [h for h in find_pii(line) if h.kind in ("phone", "email")]
        if hits:
            leaks.append((record.name, record.getMessage(), [h.kind for h in hits]))
    assert leaks == []
