"""Ports of the webhook: where checked events go, and the consumer secret that signs X's requests."""

from __future__ import annotations

from typing import Protocol

from activecare.twitter.activity import ActivityEvent


class EventSink(Protocol):
    def body(self, event: ActivityEvent) -> str | None:
        """The queue message of an event; None: nothing to queue (left to the poller, or not ours)."""
        ...

    def send(self, bodies: list[str]) -> int:
        """Queue every body or raise (activecare.errors.Unavailable: X delivers again)."""
        ...


class ConsumerSecret(Protocol):
    def __call__(self) -> str:
        """The X app's consumer secret (API key secret): the HMAC key of the CRC and of the signatures."""
        ...
