"""Poller Lambda: EventBridge Scheduler, every minute. Thin: parse, poll, report."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.clock import parse_iso
from activecare.wiring import runtime

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rt = runtime()
    scheduled = event.get("scheduled_time") if isinstance(event, dict) else None
    if scheduled and not str(scheduled).startswith("<"):
        logger.append_keys(scheduled_time=scheduled)
        parse_iso(str(scheduled))  # a malformed time is a clear error, not a silent default
    report = rt.poller().run()
    return report.as_dict()
