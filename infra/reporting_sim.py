"""The simulated day's voice-of-the-customer reports: at each report time the real reporter handler
runs against the local stack (moto's SES), and every e-mail that crossed HTTP to SES is written to
disk as the department would see it - out/reports/<date>/<HHMM>/<department>.html (+ .txt, .eml).

    reports = DayReports(stack)              # once, after the LocalStack is up
    for each simulated minute: reports.tick(clock())
    reports.summary_rows()                   # [(label, value), ...] for the day's summary table
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from activecare.clock import JST, iso_z
from activecare.reporting.render import REPORT_ID_HEADER
from activecare.reporting.windows import Schedule, Window
from activecare.storage.models import Inquiry
from infra.local_stack import LocalStack


@dataclass
class WindowRun:
    window: Window
    result: dict[str, Any]
    files: list[Path] = field(default_factory=list)


class DayReports:
    def __init__(self, stack: LocalStack, out_dir: Path | str = Path("out/reports")) -> None:
        # EMF metric lines are for CloudWatch; locally they would only clutter the progress bar.
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        self.stack = stack
        self.out_dir = Path(out_dir)
        self.schedule = Schedule.from_spec(stack.settings.report_times)
        self.runs: list[WindowRun] = []
        self._last: datetime = stack.clock()

    def due(self, now: datetime) -> bool:
        """A report time has been reached since the previous tick (the next tick runs the reporter)."""
        return self._last < self.schedule.window_at(now).end <= now

    def tick(self, now: datetime) -> WindowRun | None:
        """Call once per simulated minute: runs the reporter when a report time has been reached since the
        previous tick."""
        last, self._last = self._last, now
        window = self.schedule.window_at(now)
        if last < window.end <= now:
            return self.run(window)
        return None

    def run(self, window: Window) -> WindowRun:
        from infra.lambda_runtime import context_for
        from reporter import app as reporter_app

        result = reporter_app.handler({"scheduled_time": iso_z(window.end)}, context_for("reporter"))
        run = WindowRun(window, result, self._write(window))
        self.runs.append(run)
        return run

    def _write(self, window: Window) -> list[Path]:
        """The window's e-mails as SES received them: the HTML part, the text part and the raw .eml."""
        end = window.end.astimezone(JST)
        folder = self.out_dir / f"{end:%Y-%m-%d}" / f"{end:%H%M}"
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for mail in sent_mail(self.stack.aws_endpoint):
            report_id = str(mail["message"][REPORT_ID_HEADER] or "")
            if not report_id.startswith(f"{window.id}#"):
                continue
            dept = report_id.split("#", 1)[1]
            for part in mail["message"].walk():
                if part.get_content_type() in ("text/html", "text/plain"):
                    ext = "html" if part.get_content_type() == "text/html" else "txt"
                    (folder / f"{dept}.{ext}").write_text(part.get_content(), encoding="utf-8")
            (folder / f"{dept}.eml").write_text(mail["raw"], encoding="utf-8")
            files.append(folder / f"{dept}.html")
        return sorted(files)

    def summary_rows(self) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = []
        for run in self.runs:
            r = run.result
            label = f"{run.window.end.astimezone(JST):%H:%M}"
            rows.append((f"reports {label}: e-mails sent (departments) / recipients",
                         f"{len(r['sent'])} / {r['recipients']}"))
            if r["failed"] or r["in_doubt"]:
                rows.append((f"reports {label}: refused / in doubt", f"{len(r['failed'])} / {len(r['in_doubt'])}"))
        if self.runs:
            rows.append(("reports written to", str(self.out_dir)))
        return rows


def sent_mail(endpoint: str) -> list[dict[str, Any]]:
    """Every raw e-mail moto's SES accepted, read over HTTP (moto's /moto-api/data.json):
    [{"id", "source", "destinations", "raw", "message" (email.message.EmailMessage)}]."""
    import email
    import email.policy
    import json
    import urllib.request

    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=30) as resp:
        data = json.load(resp)
    return [{"id": raw["id"], "source": raw["source"], "destinations": raw["destinations"], "raw": raw["raw_data"],
             "message": email.message_from_string(raw["raw_data"], policy=email.policy.default)}
            for raw in data.get("ses", {}).get("RawMessage", [])]


# ---- sample inquiries (tests and `report preview` demos): realistic texts, some with personal data ----

SAMPLE_TEXTS = [
    ("signal", "network", "complaint", "@ac_signal @hanako_0312 家が圏外。090-1234-5678 に電話ください", "圏外",
     "replied", None, 7),
    ("signal", "network", "praise", "電波改善ありがとう！対応が早くて神対応でした", "電波", "resolved", "answered", 15),
    ("outage", "network", "complaint", "通信障害まだ直らないの？仕事にならない", "通信障害", "new", None, None),
    ("billing", "billing", "complaint", "請求がおかしい。契約番号 1234-5678-9012 です。yamada.hanako@example.com",
     "請求", "resolved", "email_form", 5),
    ("wifi", "home_internet", "neutral", "ワイファイの設定方法を教えてください", "ワイファイ", "new", None, None),
    ("shops", "retail", "praise", "ショップの店員さんがとても丁寧でした", "ショップ", "resolved", "answered", 30),
]


def seed_inquiries(start: datetime, count: int = 24, *, prefix: int = 1_950_000_000_000_000_000) -> list[Inquiry]:
    """`count` inquiries spread over the hours after `start`, cycling through SAMPLE_TEXTS."""
    made = []
    for n in range(count):
        topic, dept, sentiment, text, kw, status, outcome, wait = SAMPLE_TEXTS[n % len(SAMPLE_TEXTS)]
        created = start + timedelta(minutes=7 + n * 11)
        iid = str(prefix + n)
        inq = Inquiry(iid, tweet_id=iid, author_id=str(9000 + n), author_username=f"customer_{n}", text=text,
                      created_at=created, received_at=created, updated_at=created, conversation_id=iid,
                      source="search", account="general", topic=topic, department=dept, sentiment=sentiment,
                      keywords=[kw], status=status, outcome=outcome,
                      first_response_at=created + timedelta(minutes=wait) if wait else None)
        inq.save()
        made.append(inq)
    return made


def jst(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=JST)
