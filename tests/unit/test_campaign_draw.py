"""The draw is reproducible, independent of entrant order, auditable, and uniform (chi-square)."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from activecare.campaign import draw

ENTRANTS = draw.sort_entrants(str(1_000_000 + 7 * i) for i in range(20))
# chi-square critical values at p = 0.001 (19 and 99 degrees of freedom)
CHI2_19_P001 = 43.82
CHI2_99_P001 = 148.23


def chi_square(counts: Counter[str], keys: list[str], expected: float) -> float:
    return sum((counts.get(k, 0) - expected) ** 2 / expected for k in keys)


def test_same_inputs_same_winners_and_order_does_not_matter() -> None:
    shuffled = list(reversed(ENTRANTS))
    a = draw.certificate(campaign_id="c1", tweet_id="42", account="general", winners_wanted=5, salt="",
                         entrants=draw.sort_entrants(shuffled), rules={}, counts={}, collected_at="t", drawn_at="t")
    b = draw.certificate(campaign_id="c1", tweet_id="42", account="general", winners_wanted=5, salt="",
                         entrants=ENTRANTS, rules={}, counts={}, collected_at="t", drawn_at="t")
    assert a.winners == b.winners and len(set(a.winners)) == 5
    assert set(a.winners) <= set(ENTRANTS)
    assert a.entrants_sha256 == hashlib.sha256("\n".join(ENTRANTS).encode()).hexdigest()
    assert draw.verify(a) == []


def test_fewer_entrants_than_winners_all_win_and_duplicates_count_once() -> None:
    assert sorted(draw.draw_winners(["3", "1", "2"], 100, "00" * 32)) == ["1", "2", "3"]
    assert draw.sort_entrants(["10", "9", "10", "100"]) == ["9", "10", "100"]
    with pytest.raises(ValueError):
        draw.draw_winners(["1"], 0, "00" * 32)


def test_verify_catches_a_tampered_certificate() -> None:
    cert = draw.certificate(campaign_id="c1", tweet_id="42", account="general", winners_wanted=3, salt="pub",
                            entrants=ENTRANTS, rules={}, counts={}, collected_at="t", drawn_at="t")
    assert draw.verify(cert) == []
    loser = next(e for e in ENTRANTS if e not in cert.winners)
    published = cert.model_dump(mode="json")
    assert draw.verify({**published, "winners": [loser, *cert.winners[1:]]})  # a swapped winner is caught
    assert draw.verify({**published, "entrants": ENTRANTS[1:]})  # an entrant removed: the hash no longer matches
    assert draw.verify({**published, "seed": "ab" * 32})
    other_salt = draw.certificate(campaign_id="c1", tweet_id="42", account="general", winners_wanted=3, salt="x",
                                  entrants=ENTRANTS, rules={}, counts={}, collected_at="t", drawn_at="t")
    assert other_salt.seed != cert.seed


def test_single_winner_is_uniform_over_entrants() -> None:
    counts: Counter[str] = Counter()
    draws = 20_000
    for i in range(draws):
        seed = draw.derive_seed("c", "1", "h", str(i))
        counts.update(draw.draw_winners(ENTRANTS, 1, seed))
    assert chi_square(counts, ENTRANTS, draws / len(ENTRANTS)) < CHI2_19_P001


def test_every_entrant_has_the_same_chance_in_a_multi_winner_draw() -> None:
    entrants = draw.sort_entrants(str(5000 + i) for i in range(100))
    counts: Counter[str] = Counter()
    draws, k = 3000, 10
    for i in range(draws):
        counts.update(draw.draw_winners(entrants, k, draw.derive_seed("c", "1", "h", f"s{i}")))
    assert chi_square(counts, entrants, draws * k / len(entrants)) < CHI2_99_P001
    # and the first entrants in the sorted list are not favoured
    assert abs(sum(counts[e] for e in entrants[:50]) - draws * k / 2) < 4 * (draws * k / 4) ** 0.5 * 1.5


def test_the_chi_square_check_detects_a_biased_draw() -> None:
    """The same statistic on a modulo-biased picker fails: the uniformity test can fail."""
    counts: Counter[str] = Counter()
    draws = 20_000
    for i in range(draws):
        x = int(draw.derive_seed("c", "1", "h", str(i))[:2], 16)  # one byte: 256 % 20 != 0, plus a skew
        counts[ENTRANTS[min(x, 255) * len(ENTRANTS) // 300]] += 1
    assert chi_square(counts, ENTRANTS, draws / len(ENTRANTS)) > CHI2_19_P001
