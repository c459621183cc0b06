"""Worker Lambda: SQS trigger with partial batch failures. Thin: parse, ingest."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from activecare.listening.models import LISTEN_EVENT, ListenedTweet
from activecare.wiring import runtime

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


class MalformedMessage(ValueError):
    """The body is not a listened tweet. After maxReceiveCount it rests in the DLQ."""


def record_handler(record: SQSRecord) -> str:
    if '"kind":' in record.body:  # the webhook's other events (a DM received, a block, a deletion)
        return event_handler(record)
    try:
        message = ListenedTweet.model_validate_json(record.body)
    except ValidationError as exc:
        raise _malformed(record, exc) from None
    outcome = runtime().ingestor().ingest(message)
    if outcome in ("created", "duplicate"):  # a duplicate may be a redelivery whose signal was not recorded yet
        record_outage_signal(message)
    logger.info("ingested", extra={"tweet_id": message.tweet.id, "outcome": outcome,
                                   "receive_count": record.attributes.approximate_receive_count})
    return outcome


def event_handler(record: SQSRecord) -> str:
    try:
        event = LISTEN_EVENT.validate_json(record.body)
    except ValidationError as exc:
        raise _malformed(record, exc) from None
    outcome = runtime().events().handle(event)
    logger.info("event handled", extra={"kind": event.kind, "outcome": outcome,
                                        "receive_count": record.attributes.approximate_receive_count})
    return outcome


def _malformed(record: SQSRecord, exc: ValidationError) -> MalformedMessage:
    # include_input=False: a tweet's or a DM's text may hold personal data; never log it.
    reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                        for e in exc.errors(include_input=False, include_url=False))
    logger.error("malformed message", extra={"message_id": record.message_id, "reasons": reasons})
    return MalformedMessage(reasons)


def record_outage_signal(message: ListenedTweet) -> None:
    """The outage radar's complaint signal (idempotent on the tweet id): see activecare/outage/service.py."""
    from activecare.outage.service import complaint_signal
    from activecare.sentiment import classify_sentiment

    t = message.tweet
    found = complaint_signal(tweet_id=t.id, text=t.text, author_id=t.author_id, at=t.created_at,
                             topic=message.match.topic if message.match else "general",
                             sentiment=classify_sentiment(t.text), direct=message.source == "mention")
    if found:
        runtime().outage_signals().record(*found)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
