"""In-memory fakes of the webhook's ports, for unit tests."""

from __future__ import annotations

import json
from dataclasses import asdict

from activecare.errors import Unavailable
from activecare.twitter.activity import ActivityEvent, Mention


class MemorySink:
    """Queues a JSON line per event (a mention: its tweet id); replies are left, as the real sink leaves them."""

    def __init__(self, fail_times: int = 0) -> None:
        self.bodies: list[str] = []
        self.fail_times = fail_times

    def body(self, event: ActivityEvent) -> str | None:
        if isinstance(event, Mention):
            return None if event.is_reply else json.dumps({"kind": "mention", "tweet_id": event.tweet.id})
        return json.dumps({"kind": type(event).__name__, **asdict(event)}, default=str)

    def send(self, bodies: list[str]) -> int:
        if self.fail_times:
            self.fail_times -= 1
            raise Unavailable("injected queue failure")
        self.bodies.extend(bodies)
        return len(bodies)


class StaticSecret:
    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self) -> str:
        return self.secret
