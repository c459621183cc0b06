"""The webhook's rules: answer X's CRC challenge, refuse a delivery whose signature is not X's (nothing queued),
forward the events we act on, and queue each at most once per container.

Idempotency: X delivers again when it gets no 200 in time, and SQS, the poller and a second subscribed account
may bring the same tweet too; the worker's conditional writes on the tweet id are the guarantee. The service
only spares the queue the repeats it can see for free: the keys of the events it queued lately (a bounded
in-memory set, kept across the warm container's invocations), remembered only once the queue took them.
"""

from __future__ import annotations

import json
from collections import OrderedDict

from aws_lambda_powertools import Logger

from activecare.errors import BadRequest, Forbidden
from activecare.twitter.activity import (
    ActivityEvent,
    Block,
    Deletion,
    DirectMessage,
    MalformedDelivery,
    Mention,
    crc_response,
    parse_delivery,
    signature_valid,
)
from activecare.webhook.models import CrcAnswer, DeliveryReport
from activecare.webhook.ports import ConsumerSecret, EventSink

logger = Logger(child=True)

REMEMBERED = 4096  # event keys kept per container: a few minutes of X's retries at any realistic volume
MAX_CRC_TOKEN = 512


def event_key(event: ActivityEvent) -> str:
    """One key per thing: a tweet by its id (whichever account it was delivered for), a DM by its id."""
    if isinstance(event, Mention):
        return f"tweet#{event.tweet.id}"
    if isinstance(event, DirectMessage):
        return f"dm#{event.id}"
    if isinstance(event, Block):
        return f"block#{event.source_id}#{event.target_id}#{event.created_at.isoformat()}"
    if isinstance(event, Deletion):
        return f"deleted#{event.tweet_id}"
    raise TypeError(type(event).__name__)


class WebhookService:
    def __init__(self, *, secret: ConsumerSecret, sink: EventSink, remembered: int = REMEMBERED) -> None:
        self.secret = secret
        self.sink = sink
        self.remembered = remembered
        self._seen: OrderedDict[str, None] = OrderedDict()

    def crc(self, crc_token: str | None) -> CrcAnswer:
        if not crc_token or len(crc_token) > MAX_CRC_TOKEN:
            raise BadRequest("a CRC check needs a crc_token", code="crc_token_missing")
        return CrcAnswer(**crc_response(self.secret(), crc_token))

    def receive(self, body: bytes, signature: str | None) -> DeliveryReport:
        if not signature_valid(self.secret(), body, signature):
            # Before parsing: an unsigned body is not looked at, and nothing is queued.
            raise Forbidden("the delivery is not signed with the app's consumer secret", code="bad_signature")
        try:
            events = parse_delivery(json.loads(body.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:  # MalformedDelivery and JSONDecodeError are ValueErrors
            reason = str(exc) if isinstance(exc, MalformedDelivery) else "the body is not JSON"
            raise BadRequest(f"not an account activity delivery: {reason}", code="malformed_delivery") from None
        report = DeliveryReport(events=len(events))
        fresh: dict[str, str] = {}
        for event in events:
            key = event_key(event)
            if key in self._seen or key in fresh:
                report.repeated += 1
                continue
            message = self.sink.body(event)
            if message is None:
                report.left += 1
                continue
            fresh[key] = message
        self.sink.send(list(fresh.values()))  # raises when the queue fails: nothing remembered, X delivers again
        report.queued = len(fresh)
        for key in fresh:
            self._seen[key] = None
        while len(self._seen) > self.remembered:
            self._seen.popitem(last=False)
        logger.info("delivery", extra=report.model_dump())
        return report
