"""Reporter Lambda: two EventBridge schedules a day (Asia/Tokyo, at REPORT_TIMES). Thin: check the
event, report the window of the scheduled time (a late retry keeps its window), return the tally."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.events import scheduled_time
from activecare.reporting.service import Reporter
from activecare.wiring import runtime

logger = Logger()
metrics = Metrics(namespace="activecare")


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    at = scheduled_time(event, "reporter", now=runtime().clock())
    logger.append_keys(scheduled_time=event.get("scheduled_time"))
    reporter: Reporter = runtime().reporter()
    result = reporter.run(at)
    metrics.add_metric("ReportsSent", MetricUnit.Count, len(result.sent))
    metrics.add_metric("ReportSendFailures", MetricUnit.Count, len(result.failed))
    metrics.add_metric("ReportsInDoubt", MetricUnit.Count, len(result.in_doubt))
    logger.info("reports", extra={"window": result.window, "sent": len(result.sent),
                                  "already_sent": len(result.already_sent), "failed": result.failed,
                                  "in_doubt": result.in_doubt})
    return result.model_dump(mode="json")
