"""The customer's e-mails coming back: SES receiving's rule writes the raw message to the encrypted bucket
(inbound/), and the bucket's event invokes this. Each object joins its case by the reference in the subject, or
the triage list; a record that fails raises, so Lambda retries the event (the object stays in the bucket).
Nothing of the mail is logged."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.wiring import runtime

logger = Logger()
PREFIX = "inbound/"


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    placed = {"case": 0, "triage": 0, "duplicate": 0, "skipped": 0}
    for record in event.get("Records", []):
        key = unquote_plus(record.get("s3", {}).get("object", {}).get("key", ""))
        if not key.startswith(PREFIX):
            placed["skipped"] += 1
            continue
        bucket = record.get("s3", {}).get("bucket", {}).get("name") or None
        result = runtime().mailform(bucket=bucket).receive(key)
        placed["duplicate" if result.duplicate else result.placed] += 1
    logger.info("inbound mail", extra=placed)
    return placed
