"""Fault injection: make the next N requests to an endpoint (or all, "*") fail a given way."""

from __future__ import annotations

import threading
from dataclasses import dataclass

FAULT_KINDS = ("5xx", "429", "slow", "malformed", "truncated", "disconnect")


@dataclass
class Fault:
    """One armed fault. `times` None = until cleared. `seconds` for slow, `status` for 5xx."""

    kind: str
    times: int | None = 1
    seconds: float = 1.0
    status: int = 503


class Faults:
    """Per-endpoint fault queues. Kinds: 5xx (problem body), 429, slow (sleep, then serve),
    malformed (200 with a non-JSON body), truncated (200, a valid JSON prefix cut off; honest
    Content-Length), disconnect (headers promise the full body, the connection drops mid-way)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[str, list[Fault]] = {}

    def inject(
        self, endpoint: str, kind: str, *, times: int | None = 1, seconds: float = 1.0, status: int = 503
    ) -> Fault:
        """Arm a fault for `endpoint` ("search", "mentions", "user_tweets", "me", "post" or "*")."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None (until cleared)")
        fault = Fault(kind, times, seconds, status)
        with self._lock:
            self._armed.setdefault(endpoint, []).append(fault)
        return fault

    def clear(self, endpoint: str | None = None) -> None:
        """Disarm every fault of one endpoint, or all of them."""
        with self._lock:
            if endpoint is None:
                self._armed.clear()
            else:
                self._armed.pop(endpoint, None)

    def take(self, endpoint: str) -> Fault | None:
        """The fault to apply to this request (consuming one use), endpoint-specific first."""
        with self._lock:
            for key in (endpoint, "*"):
                queue = self._armed.get(key)
                if not queue:
                    continue
                fault = queue[0]
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.pop(0)
                return fault
        return None

    def active(self) -> dict[str, list[dict[str, object]]]:
        """What is armed, for GET /_fake/stats."""
        with self._lock:
            return {
                ep: [{"kind": f.kind, "times": f.times, "seconds": f.seconds, "status": f.status} for f in q]
                for ep, q in self._armed.items()
                if q
            }
