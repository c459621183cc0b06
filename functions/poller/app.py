"""Poller Lambda: EventBridge Scheduler, every minute. Thin: check the event, poll, report.

Two metrics feed the silence alarm (template.yaml `ListeningSilenceAlarm`): polls made in
service hours and the tweets they matched. Outside service hours nothing is emitted for it, so a
quiet night never alarms, while two service hours of polls without a match do.

Every run, day and night, also emits (template.yaml's alarms on them in brackets):
- `Polls` 1 (`PollsStoppedAlarm`, missing data breaching: no run, an alarm);
- `SourcesRejected`, the number of sources X answered 400 (`SourcesRejectedAlarm`), and for each such
  source `SourceRejected` with the dimension `source` (`search#q3`, `mention#general`: the checkpoint
  key, never the query or a tweet), so the graph names the source the alarm is about;
- `SearchWindowGapMinutes`, the longest stretch a source could not read because its checkpoint was
  older than X's 7-day search window (`SearchWindowGapAlarm`): the tweets posted then are lost;
- `SourcesBacklogged`, sources with a burst still to read over the next runs;
- `XPostsRead`, `XUsersRead`, `XOwnedReads`: what the run read (X bills them, listening/usage.py), and with a
  monthly budget (X_MONTHLY_BUDGET_USD) `XBillForecastPercent`, the month's forecast against it
  (`XBillForecastAlarm` at 80 %, when the low-yield searches start to run less often).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.events import scheduled_time
from activecare.hours import in_service_hours
from activecare.listening.poll import PollReport
from activecare.wiring import runtime

NAMESPACE = "activecare"
logger = Logger()
metrics = Metrics(namespace=NAMESPACE)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rt = runtime()
    scheduled_time(event, "poller", now=rt.clock())
    logger.append_keys(scheduled_time=event.get("scheduled_time"))
    report = rt.poller().run()
    emit(report)
    if in_service_hours(rt.clock(), rt.settings.service_hours):
        metrics.add_metric("ServiceHourPolls", MetricUnit.Count, 1)
        metrics.add_metric("TweetsMatched", MetricUnit.Count, report.matched)
    return report.as_dict()


def emit(report: PollReport) -> None:
    metrics.add_metric("Polls", MetricUnit.Count, 1)
    metrics.add_metric("SourcesRejected", MetricUnit.Count, len(report.rejected))
    metrics.add_metric("SearchWindowGapMinutes", MetricUnit.Count, report.beyond_window_minutes)
    metrics.add_metric("SourcesBacklogged", MetricUnit.Count, len(report.backlogged))
    metrics.add_metric("OptOutsQueued", MetricUnit.Count, report.opt_outs)  # X's rule: opt-outs honoured
    searched = sum(n for k, n in report.reads.items() if k.startswith("search#"))
    metrics.add_metric("XPostsRead", MetricUnit.Count, searched)
    metrics.add_metric("XUsersRead", MetricUnit.Count, report.users_read)
    metrics.add_metric("XOwnedReads", MetricUnit.Count, report.owned_reads)
    budget = runtime().settings.x_monthly_budget_usd
    if budget > 0:
        share = round(100 * report.bill_forecast_usd / budget, 1)
        metrics.add_metric("XBillForecastPercent", MetricUnit.Percent, share)
    for source in report.rejected:
        with single_metric(name="SourceRejected", unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as metric:
            metric.add_dimension(name="source", value=source)
