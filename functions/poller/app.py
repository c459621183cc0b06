"""Poller Lambda: EventBridge Scheduler, every minute. Thin: check the event, poll, report.

Two metrics feed the silence alarm (template.yaml `ListeningSilenceAlarm`): polls made in
service hours and the tweets they matched. Outside service hours nothing is emitted, so a
quiet night never alarms, while two service hours of polls without a match do.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.events import scheduled_time
from activecare.hours import in_service_hours
from activecare.wiring import runtime

logger = Logger()
metrics = Metrics(namespace="activecare")


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rt = runtime()
    scheduled_time(event, "poller", now=rt.clock())
    logger.append_keys(scheduled_time=event.get("scheduled_time"))
    report = rt.poller().run()
    if in_service_hours(rt.clock(), rt.settings.service_hours):
        metrics.add_metric("ServiceHourPolls", MetricUnit.Count, 1)
        metrics.add_metric("TweetsMatched", MetricUnit.Count, report.matched)
    return report.as_dict()
