"""`activecare report ...` and the reporter's sample events, on the local stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activecare.cli import main
from activecare.clock import parse_iso
from activecare.events import scheduled_time
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack
from infra.reporting_sim import jst, seed_inquiries
from reporter import app as reporter_app

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_preview_renders_a_window_to_html_files_and_status_shows_the_ledger(
        stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed_inquiries(jst(2026, 11, 25, 9))
    assert main(["report", "preview", "--at", "2026-11-25T14:00", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2026-11-24 20:00〜2026-11-25 14:00 JST: 24件のお声、8部署" in out
    html = (tmp_path / "20261125-1400" / "network.html").read_text(encoding="utf-8")
    assert "ネットワーク本部" in html and "090-1234-5678" not in html
    assert main(["report", "preview", "--at", "2026-11-25T15:30", "--out", str(tmp_path),
                 "--department", "billing"]) == 0
    assert "billing" in capsys.readouterr().out
    # a preview sends nothing; the scheduled event does, and status shows it
    assert stack.ses.get_send_statistics()["SendDataPoints"] == [] or all(
        p["DeliveryAttempts"] == 0 for p in stack.ses.get_send_statistics()["SendDataPoints"])
    event = json.loads((EVENTS / "reporter_schedule.json").read_text(encoding="utf-8"))
    stack.clock.set(parse_iso(event["scheduled_time"]))  # the scheduler fires it at its time (not before)
    assert len(reporter_app.handler(event, context_for("reporter"))["sent"]) == 8
    assert main(["report", "status", "--at", "2026-11-25T14:00", "--windows", "1"]) == 0
    status = capsys.readouterr().out
    assert status.count(" sent ") == 8
    assert main(["report", "preview", "--department", "nobody", "--out", str(tmp_path)]) == 2


def test_routing_command_and_malformed_event() -> None:
    assert main(["report", "routing"]) == 0
    with pytest.raises(ValueError, match="scheduled_time"):
        scheduled_time(json.loads((EVENTS / "reporter_malformed.json").read_text(encoding="utf-8")), "reporter")
    for name in ("reporter_schedule.json", "reporter_evening.json"):
        assert scheduled_time(json.loads((EVENTS / name).read_text(encoding="utf-8")), "reporter")


def test_a_bad_routing_file_is_an_error_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "routing.json"
    bad.write_text('{"departments": {"a": {"name": "A", "recipients": ["nope"]}}, "fallback_department": "a"}',
                   encoding="utf-8")
    assert main(["report", "routing", str(bad)]) == 2
    assert "'nope' is not an e-mail address" in capsys.readouterr().err
