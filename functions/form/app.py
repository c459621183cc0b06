"""The public e-mail form (API Gateway HTTP API, no authorizer, throttled per route in template.yaml):

    GET  /form/{token}    the form (or a friendly page: unknown, used or expired link)
    POST /form/{token}    application/x-www-form-urlencoded: name, email, phone, contract, message, consent

Thin: the token and the fields go to MailformService; the answer is an HTML page. Nothing the customer typed is
logged - not the body, not the token (only the outcome's status)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.mailform import render
from activecare.mailform.models import Page
from activecare.wiring import runtime

logger = Logger()
MAX_BODY = 48_000  # bytes: the fields at their limits, percent-encoded (a 4-byte character is 12)
MAX_FIELDS = 10
# Nothing from elsewhere: no script at all, inline styles only, the form posts only to itself.
HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


def _fields(event: dict[str, Any]) -> dict[str, str] | Page:
    """The urlencoded body's fields (the first value of each), or the page saying why it is not one."""
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
        if len(raw) > MAX_BODY:
            return render.too_large()
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS,
                          strict_parsing=bool(raw), errors="strict")
    except (ValueError, UnicodeDecodeError):
        return render.unreadable()
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def _answer(page: Page) -> dict[str, Any]:
    return {"statusCode": page.status, "headers": HEADERS, "body": page.html}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET")
    token = (event.get("pathParameters") or {}).get("token", "")
    service = runtime().mailform()
    if method == "GET":
        page = service.form_page(token)
    elif method == "POST":
        fields = _fields(event)
        page = fields if isinstance(fields, Page) else service.submit(token, fields)
    else:
        page = Page(405, render.link_problem("unknown").html)
    logger.info("form request", extra={"method": method, "status": page.status})
    return _answer(page)
