"""Outage radar Lambda: EventBridge Scheduler, every minute, one at a time. Thin: judge the minute, then post
what crisis mode has due (a confirmed incident's update or its closing notice).

A scheduled function, not the worker: see activecare/outage/service.py (an incident must close when
complaints stop, and a minute is judged once, after its tweets are in).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.events import scheduled_time
from activecare.wiring import runtime

logger = Logger()
metrics = Metrics(namespace="activecare")


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rt = runtime()
    scheduled_time(event, "outage", now=rt.clock())
    result = rt.outage_detector().run()
    posts = rt.crisis().tick()
    metrics.add_metric("OutageRuns", MetricUnit.Count, 1)
    metrics.add_metric("OutageIncidentsOpened", MetricUnit.Count, len(result.opened))
    if result.alerts_in_doubt:
        metrics.add_metric("OutageAlertsInDoubt", MetricUnit.Count, result.alerts_in_doubt)
        logger.warning("outage alerts in doubt (claimed by a run that died)", extra={"count": result.alerts_in_doubt})
    if result.opened or result.closed or result.grown:
        logger.info("outage radar", extra={"opened": result.opened, "grown": result.grown, "closed": result.closed})
    out = result.model_dump()
    out["status_posts"] = posts
    return out
