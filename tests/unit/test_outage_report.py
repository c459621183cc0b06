"""Outage incidents in the reports: the twice-daily report shows each incident of its window (timeline,
places, volumes, how the desk answered) and the per-incident report holds no personal data."""

from __future__ import annotations

from datetime import datetime, timedelta

from activecare.clock import JST, ManualClock
from activecare.outage.memory import MemoryRadar
from activecare.outage.models import DetectorState, GroupAnswer, Incident, MinuteCount, Sample, StatusPost
from activecare.outage.report import incident_report, incidents_between
from activecare.reporting.memory import MemoryInquiries, MemoryLedger, MemoryMailer
from activecare.reporting.models import IncidentLine
from activecare.reporting.render import render_html, render_text
from activecare.reporting.routing import load_routing
from activecare.reporting.service import Reporter
from activecare.reporting.windows import Schedule

ONSET = datetime(2026, 11, 25, 11, 2, tzinfo=JST)


def _incident() -> Incident:
    m = timedelta(minutes=1)
    return Incident(
        id="202611250202-t-signal", onset=ONSET, detected_at=ONSET + 3 * m, keys=["t:signal", "p:osaka"],
        counts=[MinuteCount(minute=ONSET + k * m, authors=a, tweets=a + 1) for k, a in enumerate((3, 9, 25, 40, 12))],
        peak=40, peak_at=ONSET + 3 * m, closed_at=ONSET + 40 * m, status="closed", confirmed_by="yamada",
        samples=[Sample(tweet_id="1", topic="signal", text="大阪で圏外 ［電話番号］")],
        status_posts=[StatusPost(at=ONSET + 8 * m, tweet_id="77", text="【お知らせ 第1報 11:10】…"),
                      StatusPost(at=ONSET + 41 * m, tweet_id="78", text="【お知らせ 第2報 11:43】…復旧",
                                 kind="closed")],
        answers=[GroupAnswer(inquiry_id="5", action="covered", by="sato", at=ONSET + 9 * m),
                 GroupAnswer(inquiry_id="6", action="replied", by="sato", at=ONSET + 9 * m, how="api")])


class Incidents:
    def __init__(self, radar: MemoryRadar) -> None:
        self.radar = radar

    def between(self, start: datetime, end: datetime) -> list[IncidentLine]:
        return [IncidentLine(**t.as_dict()) for t in incidents_between(self.radar, start, end)]  # type: ignore[arg-type]


def test_the_twice_daily_report_shows_the_windows_incidents_with_their_timeline() -> None:
    radar = MemoryRadar()
    radar.put_incident(_incident())
    radar.state = DetectorState(incidents=["202611250202-t-signal"])
    reporter = Reporter(inquiries=MemoryInquiries([]), ledger=MemoryLedger(), mailer=MemoryMailer(),
                        routing=load_routing(), schedule=Schedule.from_spec("14:00,20:00"), sender="r@example.jp",
                        clock=ManualClock(datetime(2026, 11, 25, 14, 0, tzinfo=JST)), incidents=Incidents(radar))
    report = reporter.build(reporter.schedule.window_at(datetime(2026, 11, 25, 14, 0, tzinfo=JST)))[0]
    text = render_text(report)
    assert "障害インシデント" in text and "電波・通信 ／ 大阪府" in text
    assert "発生 11:02 → 検知 11:05 → 初回お知らせ 11:10 → ピーク 11:05（40人/分） → 収束 11:42" in text
    assert "返信 1件 / お知らせで対応 1件" in text
    assert "障害インシデント" in render_html(report)
    evening = reporter.build(reporter.schedule.window_at(datetime(2026, 11, 25, 20, 0, tzinfo=JST)))[0]
    assert evening.incidents == []  # closed before the evening window began


def test_the_per_incident_report_has_the_timeline_the_volume_and_no_personal_data() -> None:
    text, html = incident_report(_incident())
    assert "検知・アラート: 11:05" in text and "初回お知らせ: 11:10" in text and "収束: 11:42" in text
    assert "11:05 40 / 41" in text and "確認: yamada" in text
    assert "障害インシデント報告" in html and "大阪府" in html
    assert "090" not in text + html and "@" not in text + html
