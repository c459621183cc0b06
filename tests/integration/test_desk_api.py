"""The agent desk over real HTTP: requests with a staff member's Cognito access token -> local API
Gateway stand-in (JWT authorizer) -> desk Lambda handler -> DynamoDB (moto server) and the fake X API
(tweepy). Inquiries arrive through the real listening spine (poller -> SQS -> worker)."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import JST, ManualClock, parse_iso
from activecare.keywords.catalogue import default_catalogue
from activecare.keywords.matcher import Matcher
from activecare.listening.models import ListenedTweet, MatchInfo
from activecare.twitter.models import Tweet, User
from infra.lambda_runtime import context_for
from infra.local_stack import LocalStack
from tests.integration.spine import customer, minute, tweet

EVENTS = Path(__file__).resolve().parents[2] / "events"
_users = itertools.count(1)
FORM_URL = "https://www.example.co.jp/support/form"


STAFF = {"sato": ["agents"], "suzuki": ["agents"], "kimura": ["supervisors"]}


@pytest.fixture
def api(stack: LocalStack) -> Iterator[Desk]:
    pool = stack.staff_pool()
    pool.create_staff(STAFF)
    from desk.app import handler

    with pool.desk_api(handler) as server:
        yield Desk(server.url, stack, {name: pool.access_token(name) for name in STAFF})


class Desk:
    """A tiny client: one method per call, each returning (status, JSON body), as the named staff member (their
    access token as `Authorization: Bearer`; agent=None sends none)."""

    def __init__(self, url: str, stack: LocalStack, tokens: dict[str, str]) -> None:
        self.url = url
        self.stack = stack
        self.tokens = tokens

    def call(self, method: str, path: str, agent: str | None = "sato", body: Any = None,
             raw: bytes | None = None, **params: Any) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.tokens[agent]}"} if agent else {}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        resp = requests.request(method, self.url + path, headers=headers, data=data, params=params, timeout=30)
        return resp.status_code, resp.json()

    def reply(self, inquiry_id: str, text: str, token: str | None = None, agent: str = "sato",
              **extra: Any) -> tuple[int, dict[str, Any]]:
        body = {"text": text, "client_token": token or uuid.uuid4().hex, **extra}
        return self.call("POST", f"/inquiries/{inquiry_id}/reply", agent, body)


@cache
def _matcher() -> Matcher:
    """The poller's matcher over the catalogue LocalStack imports (built once, not per test)."""
    return Matcher(default_catalogue())


def arrive(stack: LocalStack, clock: ManualClock, text: str, user: dict[str, Any] | None = None,
           *, spine: bool = False, **extra: Any) -> str:
    """A customer tweets and, a minute later, it is an inquiry. With `spine` the whole listening
    path runs (poller -> SQS -> worker); otherwise the poller's message goes straight to the real
    ingestor (same DynamoDB and X context reads, a second faster). Returns the inquiry id."""
    if user is None:
        n = next(_users)
        user = customer(str(1300000000000000000 + n), f"cust{n}")
        stack.twitter.add_users([user])
    body = tweet(clock() + timedelta(seconds=5), text, user["id"], **extra)
    stack.twitter.add_tweets([body])
    if spine:
        minute(stack, clock)
        return body["id"]
    clock.advance(timedelta(minutes=1))
    author = User(user["id"], user["username"], user["name"])
    found = Tweet(body["id"], text, user["id"], parse_iso(body["created_at"]), body["conversation_id"],
                  lang="ja", author=author)
    hit = _matcher().match(text)
    mentioned = next((a for a in DEFAULT_ACCOUNTS if f"@{a.username}" in text), None)
    match = MatchInfo(topic=hit.topic, department=hit.department, account=hit.account,
                      keywords=list(hit.keywords)) if hit else None
    message = ListenedTweet.of(found, "mention" if mentioned else "search",
                               mentioned.key if mentioned else "q0", match)
    assert stack.runtime.ingestor().ingest(message) == "created"
    return body["id"]


def test_a_claimed_inquiry_cannot_be_claimed_by_another_agent(api: Desk, clock: ManualClock) -> None:
    iid = arrive(api.stack, clock, "また圏外…電波が悪い")
    assert api.call("POST", f"/inquiries/{iid}/claim", "sato")[0] == 200
    status, body = api.call("POST", f"/inquiries/{iid}/claim", "suzuki")
    assert status == 409 and body["code"] == "claimed" and body["claimed_by"] == "sato"
    status, body = api.reply(iid, "ご不便をおかけしております。", agent="suzuki")
    assert status == 409 and body["claimed_by"] == "sato"
    assert api.call("POST", f"/inquiries/{iid}/claim", "sato")[0] == 200  # the holder may renew
    clock.advance(timedelta(minutes=16))  # the claim expires
    assert api.call("POST", f"/inquiries/{iid}/claim", "suzuki")[0] == 200
    assert api.call("POST", f"/inquiries/{iid}/release", "sato")[1]["code"] == "not_claimed"
    assert api.call("POST", f"/inquiries/{iid}/release", "suzuki")[0] == 200


def test_a_retried_reply_posts_once_even_when_the_response_was_lost(api: Desk, clock: ManualClock) -> None:
    stack = api.stack
    iid = arrive(stack, clock, "@ac_signal 駅のホームでずっと圏外です")  # direct: the API may reply (pro)
    text = "ご不便をおかけしております。端末の再起動をお試しいただけますでしょうか。"
    token = "tok-" + uuid.uuid4().hex
    stack.twitter.faults.inject("post", "disconnect")  # the post is made, its response is cut off
    status, body = api.reply(iid, text, token)
    assert status == 503 and body["code"] == "x_unavailable"
    assert len(stack.twitter.posted) == 1  # it did reach X
    status, first = api.reply(iid, text, token)  # the client retries with the same token
    assert status == 201 and first["status"] == "posted" and first["mode"] == "api"
    status, again = api.reply(iid, text, token)
    assert status == 200 and again["replayed"] and again["tweet_id"] == first["tweet_id"]
    assert [p["id"] for p in stack.twitter.posted] == [first["tweet_id"]]
    posted = stack.twitter.posted[0]
    assert posted["author_id"] == "1600000000000000002"  # @ac_signal owns the signal topic
    assert posted["referenced_tweets"] == [{"type": "replied_to", "id": iid}]
    status, body = api.reply(iid, text + "よろしくお願いいたします。", token)
    assert status == 409 and body["code"] == "token_reused"
    shown = api.call("GET", f"/inquiries/{iid}")[1]
    (out,) = [m for m in shown["conversation"] if m["direction"] == "out"]
    assert out["agent"] == "sato" and out["tweet_id"] == first["tweet_id"] and out["text"] == text
    assert shown["inquiry"]["status"] == "replied" and shown["inquiry"]["first_response_at"]


def test_a_reply_with_personal_data_is_refused_and_nothing_is_posted(api: Desk, clock: ManualClock) -> None:
    cases = [("お電話番号 090-1234-5678 までご連絡いただけますか", "phone", "@ac_help 料金の請求がおかしいです"),
             ("詳細を support.taro@example.com 宛にお送りください", "email", "@ac_help 契約内容を確認したい")]
    for text, kind, question in cases:
        iid = arrive(api.stack, clock, question)
        status, body = api.reply(iid, text)
        assert status == 422 and body["code"] == "personal_data" and body["kinds"] == [kind]
        assert FORM_URL in body["offer"]["text"]
        assert api.stack.twitter.posted == []
    status, _ = api.reply(iid, body["offer"]["text"])  # the offered e-mail form reply goes out
    assert status == 201
    posted = api.stack.twitter.posted[0]["text"]  # with a single-use link of this inquiry's (issue #19)
    assert re.fullmatch(re.escape(body["offer"]["text"]).replace(re.escape(FORM_URL), re.escape(FORM_URL) +
                                                                   "/[A-Za-z0-9_-]{32}"), posted)
    figures = api.call("GET", "/figures")[1]
    assert figures["agents"]["sato"]["refusals"]["personal_data"] == 2
    assert figures["agents"]["sato"]["email_form_guidance"] == 1
    assert figures["api_cost"] == {"posts": 1, "posts_with_url": 1, "usd": 0.2}


def test_out_of_hours_replies_are_refused_unless_overridden(api: Desk, clock: ManualClock) -> None:
    iid = arrive(api.stack, clock, "@ac_wifi Wi-Fiが繋がらない")
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=JST))
    status, body = api.reply(iid, "ルーターの再起動をお試しください。")
    assert status == 422 and body["code"] == "out_of_service_hours"
    assert api.stack.twitter.posted == []
    status, body = api.reply(iid, "ルーターの再起動をお試しください。", override_hours=True)
    assert status == 403 and body["code"] == "override_needs_supervisor"  # only supervisors override the hours
    # the supervisor takes it over and replies anyway
    status, body = api.call("POST", f"/inquiries/{iid}/reassign", "kimura", body={"to": "kimura"})
    assert status == 200 and body["previous"] == "sato" and body["claimed_by"] == "kimura"
    status, body = api.reply(iid, "ルーターの再起動をお試しください。", agent="kimura", override_hours=True)
    assert status == 201 and body["status"] == "posted"
    events = [e["kind"] for e in api.call("GET", f"/inquiries/{iid}")[1]["desk_events"]]
    assert events == ["refused", "reassign", "override_hours", "reply"]


def test_the_history_of_a_returning_customer_is_shown_first(api: Desk, clock: ManualClock) -> None:
    user = customer("1399999999999999999", "tanaka_k")
    api.stack.twitter.add_users([user])
    first = arrive(api.stack, clock, "@ac_signal 家の中だけ圏外になる", user)
    reply_text = "ご不便をおかけしております。エリアマップをご確認ください。"
    assert api.reply(first, reply_text)[0] == 201
    assert api.call("POST", f"/inquiries/{first}/resolve", body={"outcome": "answered"})[0] == 200
    clock.advance(timedelta(hours=2))
    second = arrive(api.stack, clock, "今度は請求額が高すぎる…料金プラン見直したい", user)
    status, shown = api.call("GET", f"/inquiries/{second}", "suzuki")
    assert status == 200
    assert next(iter(shown)) == "history"
    history = shown["history"]
    assert history["returning_customer"] is True
    (past,) = history["earlier_inquiries"]
    assert past["inquiry_id"] == first and past["outcome"] == "answered" and past["resolved_by"] == "sato"
    assert past["our_replies"][0]["text"] == reply_text and past["our_replies"][0]["agent"] == "sato"
    assert shown["inquiry"]["topic"] == "billing" and "料金" in "".join(shown["inquiry"]["keywords"])
    assert shown["inquiry"]["returning_customer"] is True
    assert shown["context"]["before"], "the author's earlier tweets are shown"
    # The queue puts direct mentions and returning customers first.
    newcomer = arrive(api.stack, clock, "スマホの画面割れた、故障受付ってどこ？")
    order = [i["inquiry_id"] for i in api.call("GET", "/inquiries", order="priority")[1]["items"]]
    assert order.index(second) < order.index(newcomer)


def test_bad_input_gets_a_clear_4xx_with_a_reason(api: Desk, clock: ManualClock) -> None:
    iid = arrive(api.stack, clock, "@ac_help 解約したいのにショップの待ち時間2時間ってなに")
    cases = [
        (api.call("GET", "/inquiries/1234567890123"), 404, "unknown_inquiry"),
        (api.call("GET", "/inquiries/not-a-tweet"), 404, "unknown_inquiry"),
        (api.call("POST", f"/inquiries/{iid}/reply", raw=b"{not json"), 400, "malformed_body"),
        (api.call("POST", f"/inquiries/{iid}/reply", body={"text": "こんにちは"}), 400, "malformed_body"),
        (api.call("POST", f"/inquiries/{iid}/reply", body={"text": "x", "client_token": "short"}), 400,
         "malformed_body"),
        (api.call("POST", f"/inquiries/{iid}/resolve", body={"outcome": "maybe"}), 400, "malformed_body"),
        (api.call("GET", "/inquiries", status="lost"), 400, "bad_status"),
        (api.call("GET", "/inquiries", limit="many"), 400, "bad_limit"),
        (api.call("GET", "/inquiries", cursor="garbage"), 400, "bad_cursor"),
        (api.reply(iid, "あ" * 141), 422, "too_long"),
        (api.call("POST", f"/inquiries/{iid}/confirm", body={"client_token": "never-used-1"}), 404,
         "unknown_client_token"),
        (api.call("GET", "/nowhere"), 404, "no_route"),
    ]
    for (status, body), want_status, want_code in cases:
        assert (status, body.get("code")) == (want_status, want_code), body
        assert body["error"]
    too_long = cases[9][0][1]
    assert too_long["weighted_length"] == 282 and "280" in too_long["error"]
    status, body = api.call("GET", "/inquiries", agent=None)
    assert (status, body) == (401, {"message": "Unauthorized"})  # no token: the authorizer refuses, no Lambda runs
    assert api.stack.twitter.posted == []


def test_where_the_tier_forbids_api_replies_the_desk_prepares_and_confirms(api: Desk, clock: ManualClock) -> None:
    stack = api.stack
    iid = arrive(stack, clock, "家のWi-Fiが繋がらない…ルーター再起動しても無理", spine=True)  # keyword search
    text = "ご不便をおかけしております。ルーターの電源を入れ直していただけますでしょうか。"
    token = "manual-" + uuid.uuid4().hex
    status, prepared = api.reply(iid, text, token)
    assert status == 202 and prepared["mode"] == "manual"
    assert prepared["intent_url"].startswith(f"https://x.com/intent/post?in_reply_to={iid}&text=")
    assert stack.twitter.posted == []  # nothing went through the API
    status, body = api.call("POST", f"/inquiries/{iid}/confirm", body={"client_token": token})
    assert status == 409 and body["code"] == "not_posted_yet"
    # The agent opens the link logged in as @ac_wifi and sends it from the X app.
    sent = requests.post(f"{stack.twitter_url}/_fake/by_hand", timeout=10, json={
        "token": stack.account_tokens["wifi"], "text": text, "in_reply_to": iid}).json()["data"]
    status, confirmed = api.call("POST", f"/inquiries/{iid}/confirm", body={"client_token": token})
    assert status == 200 and confirmed["tweet_id"] == sent["id"] and confirmed["mode"] == "manual"
    assert api.reply(iid, text, token)[1]["tweet_id"] == sent["id"]  # the token now replays the result
    # The customer answers our reply: the inquiry is back in the queue with the conversation so far,
    # and now the API may reply (they replied to us).
    answer = tweet(clock() + timedelta(seconds=5), "@ac_wifi 再起動したら繋がりました！ありがとうございます",
                   stack.twitter.tweet(iid)["author_id"], conversation_id=iid,
                   referenced_tweets=[{"type": "replied_to", "id": sent["id"]}],
                   in_reply_to_user_id="1600000000000000003")
    stack.twitter.add_tweets([answer])
    minute(stack, clock)
    shown = api.call("GET", f"/inquiries/{iid}")[1]
    assert shown["inquiry"]["status"] == "new"
    assert [m["direction"] for m in shown["conversation"]] == ["in", "out", "in"]
    assert shown["reply"] == {"account": "ac_wifi", "in_reply_to": answer["id"], "mode": "api",
                              "access_level": "pro"}
    status, posted = api.reply(iid, "つながってよかったです。今後ともよろしくお願いいたします。")
    assert status == 201 and posted["mode"] == "api"
    assert api.call("POST", f"/inquiries/{iid}/resolve", body={"outcome": "answered"})[0] == 200
    assert api.call("POST", f"/inquiries/{iid}/resolve", body={"outcome": "answered"})[0] == 409
    assert api.call("POST", f"/inquiries/{iid}/reopen", body={"reason": "追加のご質問"})[0] == 200
    figures = api.call("GET", "/figures")[1]
    assert figures["desk"]["replies"] == 2 and figures["desk"]["manual_posts"] == 1
    assert figures["desk"]["first_responses"] == 1 and figures["desk"]["median_first_response_s"] > 0


def test_enterprise_replies_to_any_post_through_the_api(api: Desk, clock: ManualClock) -> None:
    stack = api.stack
    stack.twitter.set_tier("enterprise")
    stack.runtime.settings = stack.runtime.settings.model_copy(update={"access_level": "enterprise"})
    iid = arrive(stack, clock, "また圏外で動画が止まる")
    status, body = api.reply(iid, "ご不便をおかけしております。機内モードのオン・オフをお試しください。")
    assert status == 201 and body["mode"] == "api" and len(stack.twitter.posted) == 1


def test_sample_events_run_through_the_handler(stack: LocalStack, clock: ManualClock) -> None:
    from desk import app as desk_app

    tid = arrive(stack, clock, "@ac_signal 圏外のままです")
    results = {}
    for path in sorted(EVENTS.glob("desk_*.json")):
        event = json.loads(path.read_text(encoding="utf-8").replace("1861000000000000001", tid))
        results[path.stem] = desk_app.handler(event, context_for("desk"))
    assert results["desk_list"]["statusCode"] == 200
    assert json.loads(results["desk_list"]["body"])["items"][0]["inquiry_id"] == tid
    assert results["desk_show"]["statusCode"] == 200
    assert results["desk_claim"]["statusCode"] == 200
    assert results["desk_reply"]["statusCode"] == 201
    assert results["desk_no_identity"]["statusCode"] == 401  # on AWS the JWT authorizer answers this itself


def test_the_cli_runs_the_same_desk_through_the_api(api: Desk, clock: ManualClock, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`activecare desk` signs in through Cognito (activecare login, the token cached) and calls the desk API:
    who acts is the token's user, never a name on the command line."""
    import io

    from activecare.cli import main

    stack, pool = api.stack, api.stack.staff_pool()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    stack.configure(desk_api_url=api.url)  # as DESK_API_URL does for a new process

    def login(name: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(pool.passwords[name] + "\n"))
        assert main(["login", "--username", name, "--password-stdin"]) == 0
        assert f"{name} としてサインインしました" in capsys.readouterr().out

    assert main(["desk", "list"]) == 2  # not signed in
    assert "activecare login" in capsys.readouterr().err
    login("sato")
    user = customer("1388888888888888888", "yamada_h")
    stack.twitter.add_users([user])
    first = arrive(stack, clock, "@ac_signal 地下鉄で圏外", user)
    assert main(["desk", "reply", first, "--template", "restart"]) == 0
    assert main(["desk", "resolve", first, "--outcome", "answered"]) == 0
    second = arrive(stack, clock, "@ac_signal また圏外です", user)
    capsys.readouterr()
    assert main(["desk", "list", "--order", "priority"]) == 0
    assert second in capsys.readouterr().out
    assert main(["desk", "show", second]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("■ このお客様の過去のお問い合わせ: 1件（リピーター）")
    assert "yamada_h様、ご不便をおかけしております" in shown and shown.index("再起動") < shown.index("■ お問い合わせ")
    login("suzuki")
    assert main(["desk", "claim", second]) == 0
    assert main(["desk", "reply", second, "--text", "090-1111-2222 までお電話ください"]) == 1
    err = capsys.readouterr().err
    assert "personal_data" in err and "https://www.example.co.jp/support/form" in err
    login("sato")
    assert main(["desk", "reply", second, "--text", "ご確認ください。"]) == 1  # suzuki holds it
    assert "409 claimed" in capsys.readouterr().err
    assert main(["desk", "reassign", second, "--to", "sato"]) == 1  # only supervisors
    assert "403" in capsys.readouterr().err
    assert main(["desk", "figures"]) == 0
    out = capsys.readouterr().out
    assert "デスク全体" in out and "sato" in out and "suzuki" not in out  # an agent sees their own row
    login("kimura")
    assert main(["desk", "figures", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["agents"]) == {"sato", "suzuki"}  # the supervisor: the team
    assert len(stack.twitter.posted) == 1


def test_hostile_query_parameters_are_400s_never_500s(api: Desk, clock: ManualClock) -> None:
    """Unicode digits pass str.isdigit(); huge numbers and cursors with the wrong value types once gave 500s."""
    import base64

    arrive(api.stack, clock, "@ac_help 料金プランについて教えてください")

    def cursor(key: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()

    cases = [
        ({"limit": "²"}, "bad_limit"), ({"limit": "١٢"}, "bad_limit"), ({"limit": "9" * 5000}, "bad_limit"),
        ({"limit": "0"}, "bad_limit"), ({"limit": "101"}, "bad_limit"), ({"limit": "-1"}, "bad_limit"),
        ({"min_age_minutes": "²"}, "bad_min_age_minutes"), ({"min_age_minutes": "12345678901234"},
                                                            "bad_min_age_minutes"),
        ({"order": "random"}, "bad_order"), ({"topic": "料金"}, "bad_topic"), ({"account": "x" * 500}, "bad_account"),
        ({"cursor": cursor({"inquiry_id": 1, "status": "new", "created_at": "x"})}, "bad_cursor"),
        ({"cursor": cursor({"inquiry_id": {"S": ["1"]}, "status": {"S": "new"}, "created_at": {"S": "x"}})},
         "bad_cursor"),
        ({"cursor": cursor([1, 2])}, "bad_cursor"), ({"cursor": "x" * 5000}, "bad_cursor"),
        ({"cursor": "２"}, "bad_cursor"), ({"order": "priority", "cursor": "١"}, "bad_cursor"),
    ]
    for params, code in cases:
        status, body = api.call("GET", "/inquiries", **params)
        assert (status, body["code"]) == (400, code), (params if len(str(params)) < 200 else code, body)
        assert "9" * 100 not in body["error"]  # the input is not echoed back
    for bad_id in ("²", "١٢٣", "1" * 40):
        assert api.call("GET", f"/inquiries/{bad_id}")[0] == 404


def test_the_openapi_document_is_served_and_checked_in() -> None:
    """docs/openapi.json is what the desk API serves at /openapi.json; regenerate it with
    `python -m infra.openapi` when the API changes."""
    from desk.app import handler

    event = json.loads((EVENTS / "desk_no_identity.json").read_text(encoding="utf-8"))
    event.update(rawPath="/openapi.json")
    event["requestContext"]["http"].update(method="GET", path="/openapi.json")
    served = handler(event, context_for("desk"))
    assert served["statusCode"] == 200
    checked_in = (EVENTS.parent / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert json.loads(served["body"]) == json.loads(checked_in), "drifted: run python -m infra.openapi"
    doc = json.loads(checked_in)
    assert {"/inquiries", "/inquiries/{inquiry_id}/reply", "/me", "/figures"} <= set(doc["paths"])
    limit = next(p for p in doc["paths"]["/inquiries"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100


def test_an_opt_out_reply_stops_active_support_until_a_supervisor_lifts_it(api: Desk, clock: ManualClock) -> None:
    """返信不要 in a reply to us: poller (flag) -> SQS -> worker (record) -> the desk refuses, marks, lifts."""
    stack = api.stack
    signal = next(a for a in DEFAULT_ACCOUNTS if a.key == "signal")
    user = customer("1300000000000000901", "optout901")
    stack.twitter.add_users([user])
    iid = arrive(stack, clock, "また圏外…電波が悪い", user, spine=True)
    arrive(stack, clock, "@ac_signal 返信不要です。絡まないでください", user, spine=True, conversation_id=iid,
           in_reply_to_user_id=signal.user_id)
    (row,) = [i for i in api.call("GET", "/inquiries")[1]["items"] if i["inquiry_id"] == iid]
    assert row["do_not_contact"] is True and row["messages"] == 2  # the opt-out joined the thread
    detail = api.call("GET", f"/inquiries/{iid}")[1]["inquiry"]
    assert detail["do_not_contact_reason"] == "opt_out" and detail["do_not_contact_since"]
    status, body = api.reply(iid, "ご不便をおかけしております。")
    assert (status, body["code"]) == (422, "do_not_contact") and stack.twitter.posted == []
    assert api.call("GET", "/figures")[1]["agents"]["sato"]["refusals"]["do_not_contact"] == 1
    lift = f"/inquiries/{iid}/do-not-contact/lift"
    assert api.call("POST", lift, "sato", body={"reason": "お客様のご依頼"})[1]["code"] == "supervisors_only"
    assert api.call("POST", lift, "kimura", body={"reason": ""})[0] == 400
    status, body = api.call("POST", lift, "kimura", body={"reason": "お客様から再開のご依頼"})
    assert status == 200 and body["lifted_by"] == "kimura"
    assert api.call("GET", f"/inquiries/{iid}")[1]["inquiry"]["do_not_contact"] is False


def test_a_customer_who_blocked_us_is_recorded_when_x_refuses_the_reply(api: Desk, clock: ManualClock) -> None:
    stack = api.stack
    signal = next(a for a in DEFAULT_ACCOUNTS if a.key == "signal")
    user = customer("1300000000000000902", "blocker902")
    stack.twitter.add_users([user])
    iid = arrive(stack, clock, "@ac_signal 駅でずっと圏外です", user)
    stack.twitter.block(user["id"], signal.user_id)
    status, body = api.reply(iid, "ご不便をおかけしております。")
    assert (status, body["code"], body["dnc_reason"]) == (422, "do_not_contact", "blocked")
    assert stack.twitter.posted == []
    assert api.call("GET", f"/inquiries/{iid}")[1]["inquiry"]["do_not_contact_reason"] == "blocked"
