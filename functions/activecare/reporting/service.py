"""The reporter: for the window of a report time, build one report per department and e-mail each
exactly once, whatever retries and double runs happen.

Exactly once, and where it stops. SES has no idempotency key, so the ledger (state table,
"report#<window>#<department>") carries the guarantee:

1. reserve: conditional put, status *pending* (a second run finds the record and does not send);
2. claim the attempt: conditional update pending|failed -> *sending* (only one run can win it);
3. SendRawEmail (botocore retries off: the client never repeats a send on its own);
4. record: sending -> *sent* with SES's MessageId.

A crash or timeout before step 3 leaves *pending* (or *failed*): the next run sends it. SES
refusing the message (MessageRejected, throttling, any 4xx) sets *failed*: a later run (the next
scheduled report, within `retry_windows`) sends it once more. A send whose outcome is unknown
(a timeout after the request left, or a crash between 3 and 4 that leaves *sending* past the
lease) becomes *in_doubt*: it is never re-sent automatically, it is counted (the ReportsInDoubt
metric has an alarm) and an operator decides (`activecare report status`). So a report is sent at
most once always, and exactly once unless the process dies in the milliseconds between SES
accepting the mail and the ledger write - the one residual risk, made visible rather than
doubled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from activecare.clock import Clock
from activecare.reporting.build import build_reports
from activecare.reporting.models import DepartmentReport, ReportRecord, RunResult
from activecare.reporting.ports import IncidentSource, InquirySource, Ledger, Mailer, MailInDoubt, MailRejected
from activecare.reporting.render import build_message
from activecare.reporting.routing import Routing
from activecare.reporting.windows import Schedule, Window

logger = Logger(child=True)

WEEK = timedelta(days=7)


def record_key(window_id: str, department: str) -> str:
    return f"report#{window_id}#{department}"


class Reporter:
    def __init__(self, *, inquiries: InquirySource, ledger: Ledger, mailer: Mailer, routing: Routing,
                 schedule: Schedule, sender: str, clock: Clock, keep_handles: tuple[str, ...] = (),
                 retry_windows: int = 4, lease: timedelta = timedelta(minutes=15),
                 incidents: IncidentSource | None = None) -> None:
        self.inquiries = inquiries
        self.ledger = ledger
        self.mailer = mailer
        self.routing = routing
        self.schedule = schedule
        self.sender = sender
        self.clock = clock
        self.keep_handles = keep_handles
        self.retry_windows = max(1, retry_windows)
        self.lease = lease
        self.incidents = incidents

    # ---- building ------------------------------------------------------------------------------

    def build(self, window: Window) -> list[DepartmentReport]:
        """Every department's report of `window`: its inquiries, the previous window's and the same window a week
        before (for the trends)."""
        previous = self.schedule.previous(window)
        week = window.shifted(-WEEK)
        reports = build_reports(
            window,
            self.inquiries.created_between(window.start, window.end),
            self.inquiries.created_between(previous.start, previous.end),
            self.inquiries.created_between(week.start, week.end),
            self.routing, self.clock(), previous_window=previous, keep_handles=self.keep_handles)
        if self.incidents is not None:  # outages concern every department: each report shows them
            lines = self.incidents.between(window.start, window.end)
            for report in reports:
                report.incidents = list(lines)
        return reports

    # ---- sending -------------------------------------------------------------------------------

    def run(self, at: datetime | None = None) -> RunResult:
        """Report the window of `at` (default now); also retry earlier windows' failed or unsent reports."""
        current = self.schedule.window_at(at or self.clock())
        windows = self.schedule.recent(current, self.retry_windows)
        result = RunResult(window=current.id)
        keys = [record_key(w.id, d) for w in windows for d in self.routing.departments]
        records = self.ledger.get_many(keys)
        for window in windows:
            todo = self._todo(window, records, result, is_current=window == current)
            if not todo:
                continue
            reports = {r.department: r for r in self.build(window)}
            for dept in todo:
                self._send_one(window, reports[dept], records.get(record_key(window.id, dept)), result)
        if result.in_doubt or result.failed:
            logger.warning("reports not sent", extra={"failed": result.failed, "in_doubt": result.in_doubt})
        return result

    def _todo(self, window: Window, records: dict[str, ReportRecord], result: RunResult, *,
              is_current: bool) -> list[str]:
        now = self.clock()
        todo = []
        for dept in self.routing.departments:
            key = record_key(window.id, dept)
            rec = records.get(key)
            report_id = f"{window.id}#{dept}"
            if rec is None:
                if is_current:  # earlier windows never reserved are not back-filled
                    todo.append(dept)
            elif rec.status == "sent":
                if is_current:
                    result.already_sent.append(report_id)
            elif rec.status == "in_doubt":
                result.in_doubt.append(report_id)
            elif rec.status == "sending":
                if rec.started_at and now - rec.started_at < self.lease:
                    result.busy.append(report_id)
                elif self.ledger.transition(key, ("sending",), "in_doubt", last_error="attempt never recorded"):
                    result.in_doubt.append(report_id)
            else:  # pending | failed
                todo.append(dept)
        return todo

    def _send_one(self, window: Window, report: DepartmentReport, rec: ReportRecord | None,
                  result: RunResult) -> None:
        dept = self.routing.departments[report.department]
        key = record_key(window.id, dept.key)
        now = self.clock()
        if rec is None:
            rec = ReportRecord(key=key, window_id=window.id, department=dept.key, status="pending",
                               report_id=report.report_id, reserved_at=now, recipients=len(dept.recipients))
            if not self.ledger.reserve(rec):  # another run got there first
                result.busy.append(report.report_id)
                return
        raw = build_message(report, self.sender, dept.recipients)
        if not self.ledger.transition(key, ("pending", "failed"), "sending", started_at=now,
                                      attempts=rec.attempts + 1):
            result.busy.append(report.report_id)
            return
        try:
            message_id = self.mailer.send(self.sender, dept.recipients, raw)
        except MailRejected as exc:
            self.ledger.transition(key, ("sending",), "failed", last_error=exc.code)
            result.failed.append(report.report_id)
            return
        except MailInDoubt as exc:
            self.ledger.transition(key, ("sending",), "in_doubt", last_error=str(exc)[:200])
            result.in_doubt.append(report.report_id)
            return
        self.ledger.transition(key, ("sending",), "sent", message_id=message_id, sent_at=self.clock())
        result.sent.append(report.report_id)
        result.recipients += len(dept.recipients)
