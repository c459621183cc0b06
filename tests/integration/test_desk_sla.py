"""Response-time targets over the real desk API: the queue shows the service time left and the breach, the breach
is one `SlaBreaches` metric (EMF on stdout, as CloudWatch reads it) however often the queue is read, and the late
first response counts against the agent and the topic in the QA figures. Service time only: nights do not count."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from activecare.clock import JST, ManualClock
from infra.local_stack import LocalStack
from tests.integration.test_desk_api import Desk, arrive

STAFF = {"sato": ["agents"], "kimura": ["supervisors"]}


@pytest.fixture
def api(stack: LocalStack) -> Iterator[Desk]:
    pool = stack.staff_pool()
    pool.create_staff(STAFF)
    from desk.app import handler

    with pool.desk_api(handler) as server:
        yield Desk(server.url, stack, {name: pool.access_token(name) for name in STAFF})


def _breaches(out: str) -> list[dict]:
    emf = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    return [m for m in emf if "SlaBreaches" in m or "SlaBreachesByKind" in m]


def _row(api: Desk, iid: str) -> dict:
    items = api.call("GET", "/inquiries", "sato", order="priority")[1]["items"]
    return next(i for i in items if i["inquiry_id"] == iid)


def test_a_breach_shows_on_the_queue_is_one_metric_and_counts_against_agent_and_topic(
        api: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    iid = arrive(api.stack, clock, "@ac_signal 駅のホームでずっと圏外です")  # direct: 15 minutes
    search = arrive(api.stack, clock, "また圏外…電波が悪い")  # a search find: 60 minutes
    row = _row(api, iid)
    assert (row["sla_kind"], row["sla_target_minutes"], row["sla_breached"]) == ("direct", 15, False)
    assert 13 <= row["sla_left_minutes"] <= 14
    assert _row(api, search)["sla_kind"] == "search"
    capsys.readouterr()
    clock.advance(timedelta(minutes=20))
    row = _row(api, iid)
    assert row["sla_breached"] and row["sla_left_minutes"] < 0
    assert not _row(api, search)["sla_breached"]
    _row(api, iid)  # read again: the breach was counted already
    metrics = _breaches(capsys.readouterr().out)
    assert [(m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], m.get("kind")) for m in metrics] == [
        ("SlaBreaches", None), ("SlaBreachesByKind", "direct")]
    assert metrics[0]["service"] == "desk"  # the dimension SlaBreachesAlarm (template.yaml) watches
    assert all(m["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "activecare" for m in metrics)
    assert iid not in json.dumps(metrics)  # the kind only: no tweet, no name

    assert api.reply(iid, "大変お待たせいたしました。ご不便をおかけしております。")[0] == 201
    assert _breaches(capsys.readouterr().out) == []  # the late answer is the same breach
    shown = api.call("GET", f"/inquiries/{iid}", "sato")[1]["inquiry"]
    assert shown["sla_breached"] and shown["sla_left_minutes"] is None  # answered: nothing left to count down
    figures = api.call("GET", "/qa/figures", "kimura")[1]
    assert (figures["agents"]["sato"]["first_responses"], figures["agents"]["sato"]["sla_breaches"]) == (1, 1)
    assert figures["topics"]["signal"] == {"first_responses": 1, "sla_breaches": 1}


def test_the_night_does_not_count(api: Desk, clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 25, 19, 50, tzinfo=JST))
    iid = arrive(api.stack, clock, "夜分にすみません、また圏外…電波が悪い")  # search: 60 service minutes
    clock.set(datetime(2026, 11, 26, 8, 30, tzinfo=JST))
    row = _row(api, iid)
    # tweeted 19:50:05: 9m55s of service time that evening, the other 50m05s from 09:00 the next morning
    assert row["sla_due_at"] == "2026-11-26T09:50:05+09:00" and row["sla_left_minutes"] == 50.1
    assert not row["sla_breached"]
