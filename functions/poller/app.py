"""Poller Lambda: EventBridge Scheduler, every minute. Thin: check the event, poll, report."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.events import scheduled_time
from activecare.wiring import runtime

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled_time(event, "poller")
    logger.append_keys(scheduled_time=event.get("scheduled_time"))
    return runtime().poller().run().as_dict()
