"""The carrier's three support accounts. Each topic in the keyword catalogue is
owned by one of them (general, signal quality, Wi-Fi)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# The three roles an account plays, fixed by design (the catalogue's and calendar's `account` column names
# them); which X account plays each is the stack's SupportAccounts parameter (settings validates it).
AccountKey = Literal["general", "signal", "wifi"]
ACCOUNT_KEYS: frozenset[str] = frozenset(get_args(AccountKey))


@dataclass(frozen=True)
class SupportAccount:
    key: str  # one of ACCOUNT_KEYS: what the catalogue refers to
    username: str
    user_id: str


DEFAULT_ACCOUNTS: tuple[SupportAccount, ...] = (
    SupportAccount("general", "ac_help", "1600000000000000001"),
    SupportAccount("signal", "ac_signal", "1600000000000000002"),
    SupportAccount("wifi", "ac_wifi", "1600000000000000003"),
)

assert {a.key for a in DEFAULT_ACCOUNTS} == ACCOUNT_KEYS
