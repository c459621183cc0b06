"""Webhook Lambda: X's account activity webhook behind the HTTP API (no staff authorizer: X signs instead).
Thin: GET answers the CRC challenge, POST checks the signature and forwards the events to the listen queue
(activecare.webhook.service). Every refusal is the one error model; X delivers again on anything but a 2xx.

    GET  /webhooks/x?crc_token=...   {"response_token": "sha256=..."}
    POST /webhooks/x                 x-twitter-webhooks-signature: sha256=...   -> {"events", "queued", ...}
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.errors import AppError, BadRequest
from activecare.twitter.activity import SIGNATURE_HEADER
from activecare.wiring import runtime

logger = Logger()


def _reply(status: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"},
            "body": json.dumps(payload, ensure_ascii=False)}


def _body(event: dict[str, Any]) -> bytes:
    raw = event.get("body") or ""
    return base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "")
    try:
        service = runtime().webhook()
        if method == "GET":
            token = (event.get("queryStringParameters") or {}).get("crc_token")
            return _reply(200, service.crc(token).model_dump())
        if method == "POST":
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            return _reply(200, service.receive(_body(event), headers.get(SIGNATURE_HEADER)).model_dump())
        raise BadRequest(f"method {method} not allowed", code="method_not_allowed", status=405)
    except AppError as exc:
        logger.warning("webhook refused", extra={"code": exc.code, "status": exc.status})
        return _reply(exc.status, exc.as_dict())
