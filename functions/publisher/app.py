"""Publisher Lambda: EventBridge Scheduler every 5 minutes (Asia/Tokyo). Thin: check the event,
post the slots that are due (greeting first, caps, once each), report what happened."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.clock import parse_iso
from activecare.wiring import runtime

logger = Logger()


def check_event(event: object) -> None:
    """The schedule sends {"scheduled_time": "<ISO time>"}; anything else is a clear error."""
    if not isinstance(event, dict):
        raise ValueError(f"publisher event must be a JSON object, got {type(event).__name__}")
    scheduled = event.get("scheduled_time")
    if scheduled is not None:
        try:
            parse_iso(str(scheduled))
        except ValueError:
            raise ValueError(f"scheduled_time is not an ISO-8601 time: {scheduled!r}") from None


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    check_event(event)
    logger.append_keys(scheduled_time=event.get("scheduled_time"))
    report = runtime().publisher().run().as_dict()
    logger.info("publisher run", extra={"day": report["day"], "in_hours": report["in_hours"],
                                        "outcomes": report["outcomes"]})  # ids and counts only, never text
    return report
