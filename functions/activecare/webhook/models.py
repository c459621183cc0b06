"""What one webhook delivery came to (the handler's 200 body; counts only, never content)."""

from __future__ import annotations

from pydantic import BaseModel


class DeliveryReport(BaseModel):
    events: int = 0  # events of the kinds we act on in the delivery
    queued: int = 0  # put on the listen queue
    repeated: int = 0  # already queued from an earlier delivery (X retries until it gets a 200 in time)
    left: int = 0  # not queued: left to the poller (replies, retweets) or not ours to act on


class CrcAnswer(BaseModel):
    response_token: str
