"""The draw: pure, portable and auditable.

Entrants are the eligible user ids sorted numerically; their hash is sha256 over the ids joined by
"\\n". The seed is sha256("activecare-draw-v1|campaign|tweet|entrants_hash|salt"). Winners come from a
partial Fisher-Yates shuffle driven by sha256(seed || counter) with rejection sampling, so every
entrant has the same chance whatever the order of collection, and anyone can re-run it in any
language from the certificate alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from activecare.campaign.models import Certificate, Rules

ALGORITHM = "activecare-draw-v1: partial Fisher-Yates over entrants sorted by numeric id; index j = i + " \
    "u(n - i), u(b) = first x mod b with x = int(sha256(seed || counter as 8-byte big-endian)) < floor(2^256/b)*b"


def sort_entrants(user_ids: Iterable[str]) -> list[str]:
    """Unique ids in numeric order (the canonical entrants list)."""
    return sorted(set(user_ids), key=int)


def entrants_hash(sorted_ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted_ids).encode("ascii")).hexdigest()


def derive_seed(campaign_id: str, tweet_id: str, ehash: str, salt: str = "") -> str:
    text = f"activecare-draw-v1|{campaign_id}|{tweet_id}|{ehash}|{salt}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_salt() -> tuple[str, str]:
    """A fresh secret salt (256 bits, hex) and its commitment: publish the sha256 in the campaign's announcement
    before entries close, keep the salt until the draw (the certificate reveals it)."""
    import secrets

    salt = secrets.token_hex(32)
    return salt, salt_commitment(salt)


def salt_commitment(salt: str) -> str:
    return hashlib.sha256(salt.encode("ascii")).hexdigest()


class _Stream:
    """Uniform integers from sha256 in counter mode (unbiased by rejection)."""

    def __init__(self, seed_hex: str) -> None:
        self._seed = bytes.fromhex(seed_hex)
        self._counter = 0

    def below(self, bound: int) -> int:
        limit = (2**256 // bound) * bound
        while True:
            digest = hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            x = int.from_bytes(digest, "big")
            if x < limit:
                return x % bound


def draw_winners(sorted_ids: Sequence[str], n: int, seed_hex: str) -> list[str]:
    """The first min(n, len) entries of a seeded Fisher-Yates shuffle, in draw order."""
    if n <= 0:
        raise ValueError("the number of winners must be positive")
    pool = list(sorted_ids)
    k = min(n, len(pool))
    stream = _Stream(seed_hex)
    for i in range(k):
        j = i + stream.below(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def certificate(*, campaign_id: str, tweet_id: str, account: str, winners_wanted: int, salt: str,
                entrants: Sequence[str], rules: Rules, counts: Mapping[str, int],
                collected_at: str, drawn_at: str) -> Certificate:
    """Everything a third party needs to re-run the draw (user ids only: no names)."""
    ehash = entrants_hash(entrants)
    seed = derive_seed(campaign_id, tweet_id, ehash, salt)
    return Certificate(
        campaign_id=campaign_id, tweet_id=tweet_id, account=account, winners_wanted=winners_wanted, rules=rules,
        counts=dict(counts), collected_at=collected_at, drawn_at=drawn_at, algorithm=ALGORITHM, salt=salt,
        salt_sha256=salt_commitment(salt) if salt else "",
        entrants_count=len(entrants), entrants_sha256=ehash, seed=seed,
        winners=draw_winners(entrants, winners_wanted, seed) if entrants else [], entrants=list(entrants))


def verify(cert: Certificate | Mapping[str, Any]) -> list[str]:
    """Problems found re-running the certificate's draw (empty: it reproduces); a Certificate or its published
    JSON."""
    data = cert.model_dump(mode="json") if isinstance(cert, Certificate) else cert
    problems = []
    entrants = [str(e) for e in data.get("entrants", [])]
    if entrants != sort_entrants(entrants):
        problems.append("entrants are not unique and sorted by numeric id")
    ehash = entrants_hash(entrants)
    if ehash != data.get("entrants_sha256"):
        problems.append(f"entrants hash {ehash} differs from the recorded {data.get('entrants_sha256')}")
    salt = str(data.get("salt", ""))
    if data.get("salt_sha256") and salt_commitment(salt) != data.get("salt_sha256"):
        problems.append("the salt does not hash to the salt_sha256 published before the draw")
    seed = derive_seed(str(data["campaign_id"]), str(data["tweet_id"]), ehash, salt)
    if seed != data.get("seed"):
        problems.append(f"seed {seed} differs from the recorded {data.get('seed')}")
    winners = draw_winners(entrants, int(data["winners_wanted"]), seed) if entrants else []
    if winners != list(data.get("winners", [])):
        problems.append("the re-run draw gives other winners than the recorded ones")
    return problems
