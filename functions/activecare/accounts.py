"""The carrier's three support accounts. Each topic in the keyword catalogue is
owned by one of them (general, signal quality, Wi-Fi)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupportAccount:
    key: str  # "general" | "signal" | "wifi": what the catalogue refers to
    username: str
    user_id: str


DEFAULT_ACCOUNTS: tuple[SupportAccount, ...] = (
    SupportAccount("general", "ac_help", "1600000000000000001"),
    SupportAccount("signal", "ac_signal", "1600000000000000002"),
    SupportAccount("wifi", "ac_wifi", "1600000000000000003"),
)

ACCOUNT_KEYS = frozenset(a.key for a in DEFAULT_ACCOUNTS)
