"""Reporter Lambda: two EventBridge schedules a day (Asia/Tokyo, at REPORT_TIMES). Thin: check the
event, report the window of the scheduled time (a late retry keeps its window), return the tally."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.clock import parse_iso
from activecare.wiring import runtime

logger = Logger()
metrics = Metrics(namespace="activecare")


def check_event(event: object) -> dict[str, Any]:
    """The schedule sends {"scheduled_time": "<ISO time>"}; the time is optional (default: now)."""
    if not isinstance(event, dict):
        raise ValueError(f"reporter event must be a JSON object, got {type(event).__name__}")
    scheduled = event.get("scheduled_time")
    if scheduled is not None:
        try:
            parse_iso(str(scheduled))
        except ValueError:
            raise ValueError(f"scheduled_time is not an ISO-8601 time: {scheduled!r}") from None
    return event


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    check_event(event)
    scheduled = event.get("scheduled_time")
    logger.append_keys(scheduled_time=scheduled)
    result = runtime().reporter().run(parse_iso(scheduled) if scheduled else None)
    metrics.add_metric("ReportsSent", MetricUnit.Count, len(result.sent))
    metrics.add_metric("ReportSendFailures", MetricUnit.Count, len(result.failed))
    metrics.add_metric("ReportsInDoubt", MetricUnit.Count, len(result.in_doubt))
    logger.info("reports", extra={"window": result.window, "sent": len(result.sent),
                                  "already_sent": len(result.already_sent), "failed": result.failed,
                                  "in_doubt": result.in_doubt})
    return result.as_dict()
