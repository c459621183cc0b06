"""The reporter over in-memory fakes: grouping, trends, masking, MIME parts, exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from activecare.clock import JST, ManualClock
from activecare.reporting.build import mask_text
from activecare.reporting.memory import MemoryInquiries, MemoryLedger, MemoryMailer
from activecare.reporting.models import Row
from activecare.reporting.ports import MailInDoubt
from activecare.reporting.render import REPORT_ID_HEADER
from activecare.reporting.routing import load_routing
from activecare.reporting.service import Reporter, record_key
from activecare.reporting.windows import Schedule

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=JST)


def row(n: int, minute: int, topic: str, department: str, sentiment: str, text: str, *,
        keywords: tuple[str, ...] = (), status: str = "new", outcome: str | None = None,
        first_response_min: int | None = None, base: datetime = T0) -> Row:
    created = base + timedelta(minutes=minute)
    return Row(inquiry_id=str(1_900_000_000_000_000_000 + n), created_at=created, department=department, topic=topic,
               sentiment=sentiment, text=text, keywords=keywords, status=status, outcome=outcome,
               first_response_at=created + timedelta(minutes=first_response_min) if first_response_min else None)


def window_rows(base: datetime = T0, offset: int = 0) -> list[Row]:
    """Inquiries of 09:00-14:00 (minutes 1..299 after `base`)."""
    return [
        row(offset + 1, 10, "signal", "network", "complaint", "@ac_signal 自宅が圏外です。090-1234-5678に連絡ください",
            keywords=("圏外",), status="replied", first_response_min=6),
        row(offset + 2, 40, "signal", "network", "complaint", "@taro_1987 さんも言ってたけど渋谷で電波が悪い 最悪",
            keywords=("電波が悪い",), status="resolved", outcome="answered", first_response_min=10),
        row(offset + 3, 90, "signal", "network", "praise", "電波改善してくれてありがとう！神対応でした",
            keywords=("電波",), status="resolved", outcome="answered", first_response_min=20),
        row(offset + 4, 120, "outage", "network", "complaint", "通信障害まだ直らないの？仕事にならない",
            keywords=("通信障害",)),
        row(offset + 5, 150, "billing", "billing", "complaint",
            "請求がおかしい。契約番号 1234-5678-9012 で確認して。mail: yamada.hanako@example.com",
            keywords=("請求",), status="resolved", outcome="email_form", first_response_min=4),
        row(offset + 6, 200, "billing", "billing", "neutral", "今月の料金の明細はどこで見られますか",
            keywords=("料金",)),
        row(offset + 7, 260, "mystery", "unknown_dept", "neutral", "分類できないお問い合わせのテスト投稿です"),
    ]


AT = datetime(2026, 11, 25, 14, 0, tzinfo=JST)
SENDER = "voc-report@activecare.example.jp"


def _reporter(rows, *, mailer=None, ledger=None, clock=None) -> Reporter:
    return Reporter(inquiries=MemoryInquiries(rows), ledger=ledger or MemoryLedger(), mailer=mailer or MemoryMailer(),
                    routing=load_routing(), schedule=Schedule.from_spec("14:00,20:00"), sender=SENDER,
                    clock=clock or ManualClock(AT), keep_handles=("ac_help", "ac_signal", "ac_wifi"))


def _parts(msg) -> dict[str, str]:
    return {p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset()) for p in msg.walk()
            if not p.is_multipart()}


def test_mask_text_hides_personal_data_and_customer_usernames_but_not_ours() -> None:
    masked = mask_text("@ac_signal @taro_1987 090-1234-5678 yamada.hanako@example.com https://t.co/abc 圏外",
                       keep_handles=("ac_signal",))
    assert "090-1234-5678" not in masked and "yamada.hanako" not in masked and "taro_1987" not in masked
    assert masked.startswith("@ac_signal @［ユーザー］ ［電話番号］ ［メールアドレス］ ［URL］")


def test_reports_group_by_department_and_topic_with_trends_and_desk_figures() -> None:
    week_ago = [row(100 + i, 30 + i, "signal", "network", "complaint", "圏外です", base=T0 - timedelta(days=7))
                for i in range(5)]
    night = [row(200, -120, "signal", "network", "neutral", "夜の電波はどうですか")]  # 07:00: still this window
    previous = [row(300, -900, "outage", "network", "complaint", "障害？")]  # 18:00 the day before
    reports = {r.department: r for r in _reporter(window_rows() + week_ago + night + previous).build(
        Schedule.from_spec("14:00,20:00").window_at(AT))}
    assert set(reports) == set(load_routing().departments)
    net = reports["network"]
    assert net.counts == {"complaint": 3, "praise": 1, "neutral": 1}
    assert [(t.topic, t.total) for t in net.topics] == [("signal", 4), ("outage", 1)]
    signal = net.topics[0]
    assert (signal.previous, signal.week_ago) == (0, 5)
    assert net.topics[1].previous == 1 and sum(net.previous.values()) == 1
    assert dict(signal.keywords)["圏外"] == 1
    assert net.desk.answered == 3 and net.desk.open == 2
    assert net.desk.median_first_response_s == 600
    assert reports["billing"].desk.email_form == 1
    assert reports["customer_care"].total == 1 and reports["customer_care"].notes  # unknown department: fallback
    assert reports["retail"].total == 0
    texts = " ".join(s.text for r in reports.values() for t in r.topics for s in t.samples)
    for secret in ("090-1234-5678", "1234-5678-9012", "yamada.hanako", "taro_1987"):
        assert secret not in texts


def test_each_department_gets_one_mail_with_both_parts_to_its_recipients() -> None:
    mailer = MemoryMailer()
    result = _reporter(window_rows(), mailer=mailer).run()
    routing = load_routing()
    assert len(result.sent) == len(routing.departments) == len(mailer.sent)
    by_dept = {m[REPORT_ID_HEADER].split("#")[1]: (rcpt, m) for _, rcpt, m in mailer.sent}
    rcpt, msg = by_dept["contracts"]
    assert rcpt == routing.departments["contracts"].recipients
    rcpt, msg = by_dept["network"]
    assert msg.get_content_type() == "multipart/alternative"
    parts = _parts(msg)
    assert set(parts) == {"text/plain", "text/html"}
    assert "電波・圏外" in parts["text/plain"] and "電波・圏外" in parts["text/html"]
    assert "090-1234-5678" not in msg.as_string() and "［電話番号］" in parts["text/plain"]
    assert result.recipients == sum(len(d.recipients) for d in routing.departments.values())


def test_second_run_and_late_retry_send_nothing_again() -> None:
    mailer, ledger, clock = MemoryMailer(), MemoryLedger(), ManualClock(AT)
    first = _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    clock.advance(timedelta(minutes=50))
    again = _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    assert first.sent and not again.sent and sorted(again.already_sent) == sorted(first.sent)
    assert len(mailer.sent) == len(first.sent)


def test_rejected_mail_is_retried_by_the_next_run_once() -> None:
    mailer, ledger, clock = MemoryMailer(verified=set()), MemoryLedger(), ManualClock(AT)
    first = _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    assert not first.sent and len(first.failed) == 8
    mailer.verified = {SENDER}
    clock.set(AT + timedelta(hours=6))  # the 20:00 run
    second = _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    assert sum(1 for s in second.sent if s.startswith("20261125-1400")) == 8
    assert sum(1 for s in second.sent if s.startswith("20261125-2000")) == 8
    third = _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    assert not third.sent and len(mailer.sent) == 16
    assert ledger.records[record_key("20261125-1400", "network")].attempts == 2


class _Crash(BaseException):
    """A crash of the process (not an Exception: nothing catches it)."""


class _CrashingMailer(MemoryMailer):
    def __init__(self, when: str) -> None:
        super().__init__()
        self.when = when

    def send(self, sender, recipients, raw):
        if self.when == "before":
            self.when = ""
            raise _Crash
        message_id = super().send(sender, recipients, raw)
        if self.when == "after":
            self.when = ""
            raise _Crash
        return message_id


def test_crash_before_the_send_is_sent_by_the_retry() -> None:
    mailer, ledger, clock = _CrashingMailer("before"), MemoryLedger(), ManualClock(AT)
    with pytest.raises(_Crash):
        _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    # the crashed attempt is "sending": a retry within the lease leaves it alone ...
    clock.advance(timedelta(minutes=1))
    retry = _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    assert len(retry.busy) == 1 and len(retry.sent) == 7
    # ... and after the lease it is held as in doubt, never sent blind
    clock.advance(timedelta(minutes=20))
    later = _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    assert len(later.in_doubt) == 1 and not later.sent
    assert len(mailer.sent) == 7


def test_crash_after_ses_accepted_never_doubles_the_mail() -> None:
    mailer, ledger, clock = _CrashingMailer("after"), MemoryLedger(), ManualClock(AT)
    with pytest.raises(_Crash):
        _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    for minutes in (1, 30, 6 * 60):
        clock.set(AT + timedelta(minutes=minutes))
        _reporter(window_rows(), mailer=mailer, ledger=ledger, clock=clock).run()
    ids = [m[REPORT_ID_HEADER] for _, _, m in mailer.sent if m[REPORT_ID_HEADER].startswith("20261125-1400")]
    assert len(ids) == len(set(ids)) == 8


def test_a_send_in_doubt_is_held_and_reported() -> None:
    class Doubtful(MemoryMailer):
        def send(self, sender, recipients, raw):
            raise MailInDoubt("ReadTimeoutError")

    ledger = MemoryLedger()
    result = _reporter(window_rows(), mailer=Doubtful(), ledger=ledger).run()
    assert len(result.in_doubt) == 8 and not result.failed
    assert {r.status for r in ledger.records.values()} == {"in_doubt"}
    retry = _reporter(window_rows(), ledger=ledger).run()
    assert not retry.sent and len(retry.in_doubt) == 8


def test_a_reservation_left_pending_is_sent_by_the_next_run() -> None:
    from activecare.reporting.models import ReportRecord

    ledger, mailer = MemoryLedger(), MemoryMailer()
    ledger.reserve(ReportRecord(key=record_key("20261125-1400", "network"), window_id="20261125-1400",
                                department="network", status="pending", report_id="20261125-1400#network"))
    result = _reporter(window_rows(), mailer=mailer, ledger=ledger).run()
    assert "20261125-1400#network" in result.sent and len(mailer.sent) == 8


def test_samples_are_distinct_and_prefer_one_of_each_sentiment() -> None:
    rows = [row(i, i, "signal", "network", "complaint", "圏外です。困っています") for i in range(5)]
    rows += [row(10, 20, "signal", "network", "praise", "電波が良くなりました、ありがとう")]
    (net,) = [r for r in _reporter(rows).build(Schedule.from_spec("14:00,20:00").window_at(AT))
              if r.department == "network"]
    samples = net.topics[0].samples
    assert [s.sentiment for s in samples] == ["complaint", "praise"]
    assert len({s.text for s in samples}) == len(samples)


def test_ses_answers_are_sorted_into_not_sent_and_in_doubt() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

    from activecare.reporting.ports import MailRejected
    from activecare.reporting.ses import SesMailer

    class Client:
        def __init__(self, exc: Exception | None) -> None:
            self.exc, self.calls = exc, []

        def send_raw_email(self, **kwargs):
            self.calls.append(kwargs)
            if self.exc:
                raise self.exc
            return {"MessageId": "0100-abc"}

    def client_error(status: int, code: str) -> ClientError:
        return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "SendRawEmail")

    ok = Client(None)
    assert SesMailer(ok).send(SENDER, ("a@x.jp",), b"raw") == "0100-abc"
    assert ok.calls == [{"Source": SENDER, "RawMessage": {"Data": b"raw"}}]
    for exc in (client_error(400, "MessageRejected"), client_error(400, "Throttling"),
                EndpointConnectionError(endpoint_url="https://email.ap-northeast-1.amazonaws.com")):
        with pytest.raises(MailRejected):
            SesMailer(Client(exc)).send(SENDER, ("a@x.jp",), b"raw")
    for exc in (client_error(500, "InternalFailure"), ReadTimeoutError(endpoint_url="https://email")):
        with pytest.raises(MailInDoubt):
            SesMailer(Client(exc)).send(SENDER, ("a@x.jp",), b"raw")
