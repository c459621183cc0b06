"""Trainees' replies over the real desk API (Cognito tokens from moto, DynamoDB, the fake X API): a reply by an
agent in `trainees` is held, a supervisor approves (as it is or edited) or rejects it, and it is posted exactly
once - also when the approval crashes between the approval and the post, or after the post."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from activecare.clock import ManualClock
from activecare.desk.service import DeskService
from infra.local_stack import LocalStack
from tests.integration.test_desk_api import Desk, arrive

STAFF = {"sato": ["agents"], "tanaka": ["agents", "trainees"], "kimura": ["supervisors"]}
TEXT = "ご不便をおかけしております。お手数ですが、端末の再起動をお試しいただけますでしょうか。"


@pytest.fixture
def api(stack: LocalStack) -> Iterator[Desk]:
    pool = stack.staff_pool()
    pool.create_staff(STAFF)
    from desk.app import handler

    with pool.desk_api(handler) as server:
        yield Desk(server.url, stack, {name: pool.access_token(name) for name in STAFF})


def _held(api: Desk, clock: ManualClock, text: str = TEXT) -> tuple[str, str]:
    iid = arrive(api.stack, clock, "@ac_signal 駅のホームでずっと圏外です")  # direct: the API may reply
    token = "trn-" + uuid.uuid4().hex
    status, body = api.reply(iid, text, token, agent="tanaka")
    assert status == 202 and body["status"] == "held" and body["agent"] == "tanaka", body
    assert api.stack.twitter.posted == []
    return iid, token


def test_a_trainees_reply_waits_and_is_posted_once_on_approval(api: Desk, clock: ManualClock) -> None:
    iid, token = _held(api, clock)
    assert api.reply(iid, TEXT, token, agent="tanaka")[1]["status"] == "held"  # a retry replays, posts nothing
    status, listed = api.call("GET", "/approvals", "kimura")
    assert status == 200 and [(h["inquiry_id"], h["client_token"], h["agent"], h["text"]) for h in listed["items"]] \
        == [(iid, token, "tanaka", TEXT)]
    assert listed["items"][0]["customer_text"] == "@ac_signal 駅のホームでずっと圏外です"
    assert api.call("GET", "/approvals", "sato")[1]["code"] == "supervisors_only"
    status, body = api.call("POST", f"/inquiries/{iid}/approve", "tanaka", {"client_token": token})
    assert status == 403 and body["code"] == "supervisors_only"  # a trainee cannot approve their own
    shown = api.call("GET", f"/inquiries/{iid}", "tanaka")[1]
    assert [h["client_token"] for h in shown["held_replies"]] == [token]
    assert "held" in [e["kind"] for e in shown["desk_events"]]

    status, posted = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": token})
    assert status == 201 and posted["status"] == "posted" and posted["agent"] == "tanaka"
    assert posted["reviewed_by"] == "kimura"
    status, again = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": token})
    assert status == 200 and again["replayed"] and again["tweet_id"] == posted["tweet_id"]
    status, trainee = api.reply(iid, TEXT, token, agent="tanaka")  # the trainee's retry sees it posted
    assert status == 200 and trainee["tweet_id"] == posted["tweet_id"]
    assert [p["id"] for p in api.stack.twitter.posted] == [posted["tweet_id"]]
    assert api.call("GET", "/approvals", "kimura")[1]["items"] == []
    shown = api.call("GET", f"/inquiries/{iid}", "tanaka")[1]
    (out,) = [m for m in shown["conversation"] if m["direction"] == "out"]
    assert out["agent"] == "tanaka" and out["text"] == TEXT and shown["held_replies"] == []
    assert "approved" in [e["kind"] for e in shown["desk_events"]]
    figures = api.call("GET", "/figures", "kimura")[1]
    assert figures["agents"]["tanaka"]["replies"] == 1


def test_an_approval_that_crashes_before_the_post_posts_once_on_retry(api: Desk, clock: ManualClock,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    iid, token = _held(api, clock)
    edited = TEXT + "改善しない場合はお知らせください。"
    real_send = DeskService._send
    crashes = []

    def crash_once(self: DeskService, res: object) -> object:
        if not crashes:
            crashes.append(res)
            raise RuntimeError("the Lambda died between the approval and the post")
        return real_send(self, res)  # type: ignore[arg-type]

    monkeypatch.setattr(DeskService, "_send", crash_once)
    status, _ = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": token, "text": edited})
    assert status == 500 and crashes and api.stack.twitter.posted == []
    status, body = api.reply(iid, TEXT, token, agent="tanaka")  # the trainee cannot post it meanwhile
    assert status == 409 and body["code"] == "approval_in_progress"
    assert api.call("GET", "/approvals", "kimura")[1]["items"] == []  # approved: no longer waiting
    status, posted = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": token, "text": edited})
    assert status == 201 and posted["status"] == "posted"
    assert [(p["id"], p["text"]) for p in api.stack.twitter.posted] == [(posted["tweet_id"], edited)]


def test_an_approval_whose_answer_is_lost_after_the_post_records_it_once(api: Desk, clock: ManualClock) -> None:
    iid, token = _held(api, clock)
    api.stack.twitter.faults.inject("post", "disconnect")  # the post is made, its response is cut off
    status, body = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": token})
    assert status == 503 and body["code"] == "x_unavailable" and len(api.stack.twitter.posted) == 1
    status, posted = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": token})
    assert status == 201 and posted["tweet_id"] == api.stack.twitter.posted[0]["id"]
    assert len(api.stack.twitter.posted) == 1
    shown = api.call("GET", f"/inquiries/{iid}", "kimura")[1]
    assert [m["tweet_id"] for m in shown["conversation"] if m["direction"] == "out"] == [posted["tweet_id"]]


def test_a_rejected_reply_is_never_posted_and_the_trainee_sees_why(api: Desk, clock: ManualClock) -> None:
    iid, token = _held(api, clock)
    status, body = api.call("POST", f"/inquiries/{iid}/reject", "kimura", {"client_token": token, "reason": ""})
    assert status == 400
    why = "再起動の前に、エリアの障害情報をご案内してください。"
    status, body = api.call("POST", f"/inquiries/{iid}/reject", "kimura", {"client_token": token, "reason": why})
    assert status == 200 and body["status"] == "rejected" and body["review_note"] == why
    status, body = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": token})
    assert status == 409 and body["code"] == "already_reviewed"
    status, body = api.reply(iid, TEXT, token, agent="tanaka")
    assert status == 200 and body["status"] == "rejected" and body["review_note"] == why
    shown = api.call("GET", f"/inquiries/{iid}", "tanaka")[1]
    assert any(e["kind"] == "rejected" and why in e["detail"] for e in shown["desk_events"])
    assert api.stack.twitter.posted == []
    # a supervisor's edit is checked like a reply: personal data is refused and the reply stays held
    token2 = "trn-" + uuid.uuid4().hex
    assert api.reply(iid, TEXT + "ご確認ください。", token2, agent="tanaka")[1]["status"] == "held"
    status, body = api.call("POST", f"/inquiries/{iid}/approve", "kimura",
                            {"client_token": token2, "text": "090-1234-5678 までお電話ください。"})
    assert status == 422 and body["code"] == "personal_data"
    assert [h["client_token"] for h in api.call("GET", "/approvals", "kimura")[1]["items"]] == [token2]
    assert api.call("POST", f"/inquiries/{iid}/reply", "sato",
                    {"text": TEXT, "client_token": uuid.uuid4().hex})[1]["code"] == "claimed"  # tanaka holds it
