"""Reports over real HTTP: the reporter handler against moto's DynamoDB and SES; mail read back from what
crossed HTTP (moto's /moto-api/data.json and SES GetSendStatistics)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from activecare.clock import ManualClock, iso_z
from activecare.reporting.render import REPORT_ID_HEADER
from activecare.reporting.routing import load_routing
from activecare.reporting.ses import SesMailer, ses_client
from activecare.wiring import reset_runtime
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack
from infra.reporting_sim import jst, seed_inquiries, sent_mail
from reporter import app as reporter_app

AT_14 = jst(2026, 11, 25, 14)
AT_20 = jst(2026, 11, 25, 20)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(AT_14)


def _run(at) -> dict:
    return reporter_app.handler({"scheduled_time": iso_z(at)}, context_for("reporter"))


def _delivery_attempts(stack: LocalStack) -> int:
    return sum(p["DeliveryAttempts"] for p in stack.ses.get_send_statistics()["SendDataPoints"])


def _parts(msg) -> dict[str, str]:
    return {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}


def test_each_department_gets_its_report_with_both_parts_and_masked_data(stack: LocalStack) -> None:
    seed_inquiries(jst(2026, 11, 25, 9))
    seed_inquiries(jst(2026, 11, 24, 20, 30), count=6, prefix=1_940_000_000_000_000_000)  # the night: same window
    seed_inquiries(jst(2026, 11, 25, 14, 1), count=3, prefix=1_960_000_000_000_000_000)  # next window: not in it
    result = _run(AT_14)
    routing = load_routing()
    assert len(result["sent"]) == len(routing.departments)
    mails = {m["message"][REPORT_ID_HEADER]: m for m in sent_mail(stack.aws_endpoint)}
    assert set(mails) == {f"20261125-1400#{d}" for d in routing.departments}
    for dept in routing.departments.values():
        mail = mails[f"20261125-1400#{dept.key}"]
        assert mail["source"] == stack.settings.report_sender
        assert sorted(mail["destinations"]) == sorted(dept.recipients)
    assert _delivery_attempts(stack) == sum(len(d.recipients) for d in routing.departments.values())

    network = mails["20261125-1400#network"]["message"]
    assert network.get_content_type() == "multipart/alternative"
    assert "ネットワーク本部" in network["Subject"] and "件" in network["Subject"]
    parts = _parts(network)
    assert set(parts) == {"text/plain", "text/html"}
    # 24 in the day + 6 overnight cycle through 6 texts: network has 3 of them (signal x2, outage) -> 15
    assert "件数: 15件" in parts["text/plain"] and "15件" in parts["text/html"]
    assert "電波・圏外" in parts["text/html"] and "<table" in parts["text/html"]
    billing = mails["20261125-1400#billing"]["message"]
    everything = "".join(m["message"].as_string() + "".join(_parts(m["message"]).values()) for m in mails.values())
    for secret in ("090-1234-5678", "1234-5678-9012", "yamada.hanako", "hanako_0312"):
        assert secret not in everything
    assert "［電話番号］" in parts["text/plain"] and "@［ユーザー］" in parts["text/plain"]
    assert "［契約番号］" in _parts(billing)["text/plain"]
    assert "メールフォームへのご案内 5件" in _parts(billing)["text/plain"]


class _CrashAfterSes(SesMailer):
    """Our adapter, crashing at a step boundary: SES accepted the mail, the ledger write never happens."""

    def send(self, sender, recipients, raw):
        message_id = super().send(sender, recipients, raw)
        raise SystemExit("killed after SendRawEmail")
        return message_id  # pragma: no cover


def test_exactly_once_per_window_under_retries_double_runs_and_a_crash(stack: LocalStack, clock: ManualClock) -> None:
    seed_inquiries(jst(2026, 11, 25, 9))
    departments = len(load_routing().departments)
    # first attempt dies right after SES accepted the first department's mail
    crashing = stack.runtime.reporter(mailer=_CrashAfterSes(ses_client(stack.settings.region)))
    with pytest.raises(SystemExit):
        crashing.run(AT_14)
    assert len(sent_mail(stack.aws_endpoint)) == 1
    # the scheduler's retry a minute later, and a second copy of the run: the rest go, nothing twice
    clock.advance(timedelta(minutes=1))
    first = _run(AT_14)
    second = _run(AT_14)
    assert len(first["sent"]) == departments - 1 and len(first["busy"]) == 1
    assert not second["sent"] and len(second["already_sent"]) == departments - 1
    # a late retry after the lease: the crashed send is held in doubt (alarmed), never sent blind
    clock.advance(timedelta(minutes=30))
    late = _run(AT_14 + timedelta(minutes=31))
    assert not late["sent"] and len(late["in_doubt"]) == 1
    ids = [m["message"][REPORT_ID_HEADER] for m in sent_mail(stack.aws_endpoint)]
    assert len(ids) == len(set(ids)) == departments
    # the evening run sends the evening window only
    clock.set(AT_20)
    evening = _run(AT_20)
    assert len(evening["sent"]) == departments and all(s.startswith("20261125-2000#") for s in evening["sent"])
    ids = [m["message"][REPORT_ID_HEADER] for m in sent_mail(stack.aws_endpoint)]
    assert len(ids) == len(set(ids)) == 2 * departments


def test_a_refused_send_is_retried_by_the_next_run_without_doubles(stack: LocalStack, clock: ManualClock) -> None:
    seed_inquiries(jst(2026, 11, 25, 9))
    departments = len(load_routing().departments)
    sender = "voc-new-sender@activecare.example.jp"  # not verified yet: SES (moto) refuses it
    reset_runtime(stack.settings.model_copy(update={"report_sender": sender}), clock)
    first = _run(AT_14)
    assert not first["sent"] and len(first["failed"]) == departments
    assert sent_mail(stack.aws_endpoint) == []
    stack.ses.verify_email_identity(EmailAddress=sender)
    clock.set(AT_20)
    evening = _run(AT_20)
    assert sorted(s.split("#")[0] for s in evening["sent"]) == ["20261125-1400"] * departments + [
        "20261125-2000"] * departments
    again = _run(AT_20)
    assert not again["sent"]
    ids = [m["message"][REPORT_ID_HEADER] for m in sent_mail(stack.aws_endpoint)]
    assert len(ids) == len(set(ids)) == 2 * departments
    assert {m["source"] for m in sent_mail(stack.aws_endpoint)} == {sender}
