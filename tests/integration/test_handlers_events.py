"""The sample events in events/ drive the real handlers on the local stack, and
malformed input gets a clear error without losing the good records."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from activecare.storage.models import Inquiry
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack
from poller import app as poller_app
from worker import app as worker_app

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def test_scheduler_event_runs_a_poll(stack: LocalStack) -> None:
    report = poller_app.handler(load("poller_schedule.json"), context_for("poller"))
    assert report["sources_done"] == report["requests"] > 3  # three mention sources and every query


def test_poll_in_service_hours_emits_the_silence_metrics(stack: LocalStack, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    poller_app.metrics.clear_metrics()  # earlier runs with metrics disabled leave their values buffered
    capsys.readouterr()
    poller_app.handler(load("poller_schedule.json"), context_for("poller"))  # the clock is at 10:00 JST
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    (metrics,) = [m for m in emf if "ServiceHourPolls" in m]
    def one(value: object) -> object:  # EMF carries a value or a list of values
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    assert one(metrics["ServiceHourPolls"]) == 1.0 and one(metrics["TweetsMatched"]) == 0.0
    assert metrics["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "activecare"


@pytest.mark.parametrize("event", [[], {"scheduled_time": "yesterday-ish"}])
def test_malformed_scheduler_event_is_a_clear_error(stack: LocalStack, event: object) -> None:
    with pytest.raises(ValueError):
        poller_app.handler(event, context_for("poller"))  # type: ignore[arg-type]
    assert stack.twitter.stats.total == 0


def test_sqs_sample_event_stores_one_inquiry(stack: LocalStack) -> None:
    event = load("worker_sqs.json")
    assert worker_app.handler(event, context_for("worker")) == {"batchItemFailures": []}
    assert worker_app.handler(event, context_for("worker")) == {"batchItemFailures": []}  # redelivery
    (inquiry,) = list(Inquiry.scan())
    assert inquiry.topic == "signal" and inquiry.status == "new"
    assert inquiry.keywords == ["圏外", "電波が悪い"]


def test_malformed_record_fails_alone_and_its_reason_is_logged_without_text(
        stack: LocalStack, caplog: pytest.LogCaptureFixture) -> None:
    event = load("worker_sqs_malformed.json")
    with caplog.at_level(logging.INFO):
        result = worker_app.handler(event, context_for("worker"))
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert len(list(Inquiry.scan())) == 1
    (error,) = [r for r in caplog.records if r.getMessage() == "malformed message"]
    assert "tweet.id" in error.reasons and "tweet.author_id" in error.reasons  # type: ignore[attr-defined]
    everything = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "電波が悪すぎる" not in everything and "not-a-number" not in everything  # no tweet content in logs


@pytest.mark.parametrize("function", ["poller", "publisher", "reporter"])
def test_a_scheduled_time_in_the_future_is_refused(stack: LocalStack, function: str) -> None:
    """A report run "at 20:00" invoked at 15:00 once sent the evening reports early and suppressed the real run."""
    from datetime import timedelta

    from activecare.clock import iso_z

    module = __import__(f"{function}.app", fromlist=["handler"])
    later = stack.clock() + timedelta(hours=5)
    with pytest.raises(ValueError, match="in the future"):
        module.handler({"scheduled_time": iso_z(later)}, context_for(function))
    sent = sum(p["DeliveryAttempts"] for p in stack.ses.get_send_statistics()["SendDataPoints"])
    assert sent == 0  # nothing was sent
    if function == "poller":  # the scheduler's own slack is fine (the poller needs no more set-up to run)
        module.handler({"scheduled_time": iso_z(stack.clock() + timedelta(minutes=2))}, context_for(function))
