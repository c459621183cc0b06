"""Publisher Lambda: EventBridge Scheduler every 5 minutes (Asia/Tokyo). Thin: check the event,
post the slots that are due (greeting first, caps, once each), report what happened."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.events import scheduled_time
from activecare.wiring import runtime

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled_time(event, "publisher", now=runtime().clock())
    logger.append_keys(scheduled_time=event.get("scheduled_time"))
    report = runtime().publisher().run().model_dump(mode="json")
    logger.info("publisher run", extra={"day": report["day"], "in_hours": report["in_hours"],
                                        "outcomes": report["outcomes"]})  # ids and counts only, never text
    return report
