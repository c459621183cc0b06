"""Compliance Lambda: X's deletions honoured within 24 hours. Thin: check the event, run or resume the sweep
(activecare.compliance.service), emit its metrics, return its report (counts only, never an id's content).

Events: {"action": "sweep", "scheduled_time": ...} from the daily schedule (starts the day's run, or continues an
unfinished one) and {"action": "resume"} from the hourly one (continues an unfinished run, else does nothing)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.events import scheduled_time
from activecare.wiring import runtime

logger = Logger()
metrics = Metrics(namespace="activecare")
ACTIONS = ("sweep", "resume")


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rt = runtime()
    scheduled_time(event, "compliance", now=rt.clock())
    action = event.get("action", "sweep")
    if action not in ACTIONS:
        raise ValueError(f"compliance action must be one of {', '.join(ACTIONS)}, got {str(action)[:40]!r}")
    service = rt.compliance(time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    report = service.sweep(start=action == "sweep")
    metrics.add_metric("ComplianceItemsErased", MetricUnit.Count, report.erased_now)
    # The alarm watches this: one completed sweep a day (missing data breaches).
    metrics.add_metric("ComplianceSweepsCompleted", MetricUnit.Count, 1 if report.completed_now else 0)
    metrics.add_metric("ComplianceLookupCostUSD", MetricUnit.Count, report.cost_usd if report.completed_now else 0)
    logger.info("compliance sweep", extra={"run_id": report.run_id, "mode": report.mode, "action": report.action,
                                           "complete": report.complete, "stopped": report.stopped,
                                           "erased": report.erased_now, "requests": report.requests})
    return report.model_dump(mode="json")
