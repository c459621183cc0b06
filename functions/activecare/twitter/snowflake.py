"""Snowflake ids: X post ids grow with time, so since_id/until_id order by time."""

from __future__ import annotations

from datetime import UTC, datetime

TWEPOCH_MS = 1288834974657


def snowflake(at: datetime, sequence: int = 0, worker: int = 0) -> str:
    ms = int(at.astimezone(UTC).timestamp() * 1000)
    return str(((ms - TWEPOCH_MS) << 22) | ((worker & 0x3FF) << 12) | (sequence & 0xFFF))


def snowflake_time(tweet_id: str | int) -> datetime:
    ms = (int(tweet_id) >> 22) + TWEPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
