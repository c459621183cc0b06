"""Regression (fault suite, issue #7): the SES client makes exactly one attempt. botocore's `max_attempts`
counts retries, so `max_attempts: 1` resent SendRawEmail once after a 5xx, a throttle or a read timeout - a
second e-mail when SES had accepted the first. The reporter's ledger holds an unknown outcome in doubt
instead; only `total_max_attempts: 1` leaves that decision to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from activecare.reporting.ports import MailInDoubt
from activecare.reporting.ses import SesMailer, ses_client


class _Failing(BaseHTTPRequestHandler):
    requests = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).requests += 1
        body = (b'<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>'
                b"<Message>boom</Message></Error><RequestId>1</RequestId></ErrorResponse>")
        self.send_response(500)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Failing]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for key, value in {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{server.server_port}", "AWS_ACCESS_KEY_ID": "x",
                       "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "x"}.items():
        monkeypatch.setenv(key, value)
    _Failing.requests = 0
    yield _Failing
    server.shutdown()
    server.server_close()


def test_a_5xx_from_ses_is_in_doubt_after_exactly_one_request(failing_ses: type[_Failing]) -> None:
    mailer = SesMailer(ses_client("ap-northeast-1"))
    with pytest.raises(MailInDoubt):
        mailer.send("reports@example.jp", ("dept@example.jp",), b"Subject: x\r\n\r\nbody")
    assert failing_ses.requests == 1
