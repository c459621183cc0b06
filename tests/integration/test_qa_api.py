"""QA over the real desk API (Cognito tokens from moto, DynamoDB, the fake X API) and the `activecare qa` CLI:
ops change the skill standards without a deploy (a bad file is refused with line and reason); a supervisor scores
a sampled reply, the agent sees it unread and acknowledges it; a revision keeps the earlier version and a stale one
is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from activecare.cli import main
from activecare.clock import ManualClock
from infra.local_stack import LocalStack
from tests.integration.test_desk_api import Desk, arrive

STAFF = {"sato": ["agents"], "tanaka": ["agents", "trainees"], "kimura": ["supervisors"]}
HEADER = "kind,key,name,value,description\n"
TWO = (HEADER + "criterion,empathy,共感,1-5,お客様の気持ちを受け止める一言がある\n"
       "criterion,accuracy,正確さ,1-3,案内内容が正しい\nsampling,share,,1,全件レビュー\n")


@pytest.fixture
def api(stack: LocalStack) -> Iterator[Desk]:
    pool = stack.staff_pool()
    pool.create_staff(STAFF)
    from desk.app import handler

    with pool.desk_api(handler) as server:
        yield Desk(server.url, stack, {name: pool.access_token(name) for name in STAFF})


def _replied(api: Desk, clock: ManualClock, text: str, agent: str = "sato") -> str:
    iid = arrive(api.stack, clock, "@ac_signal 駅のホームでずっと圏外です")
    status, body = api.reply(iid, text, agent=agent)
    assert status == 201, body
    return str(body["tweet_id"])


def test_a_bad_standards_file_is_refused_with_line_and_reason_and_a_good_one_applies_without_a_deploy(
        api: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, before = api.call("GET", "/qa/standards", "sato")
    assert status == 200 and before["source"] == "default" and len(before["criteria"]) == 7
    assert [c["name"] for c in before["criteria"]][:2] == ["名乗り・挨拶", "共感"]
    bad = tmp_path / "standards.csv"
    bad.write_text(HEADER + "criterion,empathy,共感,1-5,気持ちを受け止める\ncriterion,empathy,共感,1-5,重複\n"
                   "criterion,tone,敬語・トーン,5-1,逆\nsampling,shares,,0.2,\n", encoding="utf-8")
    assert main(["qa", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "standards.csv:3: criterion empathy is already defined on line 2" in err
    assert "standards.csv:4: criterion tone: scale '5-1'" in err
    assert "standards.csv:5: unknown sampling rule 'shares'" in err
    assert api.call("GET", "/qa/standards", "sato")[1] == before  # nothing written

    good = tmp_path / "good.csv"
    good.write_text(TWO, encoding="utf-8")
    assert main(["qa", "validate", str(good)]) == 0
    assert main(["qa", "import", str(good)]) == 0
    assert "2 criteria (共感・正確さ)" in capsys.readouterr().out
    status, after = api.call("GET", "/qa/standards", "sato")
    assert after["source"] == "imported" and after["share"] == 1.0
    assert [(c["key"], c["low"], c["high"]) for c in after["criteria"]] == [("empathy", 1, 5), ("accuracy", 1, 3)]
    out = tmp_path / "export.csv"
    assert main(["qa", "export", str(out)]) == 0
    assert "criterion,accuracy,正確さ,1-3,案内内容が正しい" in out.read_text(encoding="utf-8")


def test_a_supervisor_scores_a_reply_and_the_agent_sees_and_acknowledges_it(
        api: Desk, clock: ManualClock, tmp_path: Path) -> None:
    (tmp_path / "two.csv").write_text(TWO, encoding="utf-8")
    assert main(["qa", "import", str(tmp_path / "two.csv")]) == 0  # every reply sampled
    text = "ご不便をおかけしております。お手数ですが、端末の再起動をお試しいただけますでしょうか。"
    tweet = _replied(api, clock, text)
    assert api.call("GET", "/qa/reviews", "sato")[1]["code"] == "supervisors_only"
    status, queue = api.call("GET", "/qa/reviews", "kimura")
    assert status == 200 and queue["sampled"] == 1 and queue["reviewed"] == 0
    (item,) = queue["items"]
    assert (item["tweet_id"], item["agent"], item["text"], item["review"]) == (tweet, "sato", text, None)
    assert api.call("GET", "/qa/feedback", "sato")[1]["unread"] == 0

    status, body = api.call("POST", f"/qa/reviews/{tweet}", "kimura", {"scores": {"empathy": 4}, "comment": ""})
    assert status == 400 and body["code"] == "bad_scores" and "accuracy (正確さ): not scored" in body["error"]
    status, body = api.call("POST", f"/qa/reviews/{tweet}", "kimura", {"scores": {"empathy": 4, "accuracy": 5}})
    assert status == 400 and "accuracy (正確さ): 5 is outside 1-3" in body["error"]
    status, body = api.call("POST", f"/qa/reviews/{tweet}", "sato", {"scores": {"empathy": 4, "accuracy": 3}})
    assert status == 403
    comment = "お詫びの一言が良いです。再起動の前に障害情報の確認があると、なお正確です。"
    status, review = api.call("POST", f"/qa/reviews/{tweet}", "kimura",
                              {"scores": {"empathy": 4, "accuracy": 2}, "comment": comment})
    assert status == 201 and review["version"] == 1 and review["reviewer"] == "kimura"

    status, feedback = api.call("GET", "/qa/feedback", "sato")
    assert status == 200 and feedback["unread"] == 1
    (mine,) = feedback["items"]
    assert mine["comment"] == comment and mine["scores"] == {"empathy": 4, "accuracy": 2} and mine["unread"]
    assert mine["reply_text"] == text
    assert api.call("GET", "/qa/feedback", "tanaka")[1]["items"] == []  # nobody else's
    assert api.call("GET", f"/qa/reviews/{tweet}", "tanaka")[0] == 404
    status, acked = api.call("POST", f"/qa/feedback/{tweet}/ack", "sato", {"version": 1})
    assert status == 200 and not acked["unread"]
    assert api.call("GET", "/qa/feedback", "sato")[1]["unread"] == 0

    # A revision names the version it revises; the earlier one is kept; the agent sees it unread again.
    status, revised = api.call("POST", f"/qa/reviews/{tweet}", "kimura",
                               {"scores": {"empathy": 5, "accuracy": 2}, "comment": comment + "（共感を5に修正）",
                                "version": 1})
    assert status == 201 and revised["version"] == 2
    assert [(v["version"], v["scores"]["empathy"], v["comment"]) for v in revised["history"]] == [(1, 4, comment)]
    status, stale = api.call("POST", f"/qa/reviews/{tweet}", "kimura",
                             {"scores": {"empathy": 1, "accuracy": 1}, "comment": "古い画面から", "version": 1})
    assert status == 409 and stale["code"] == "review_changed" and stale["version"] == 2
    assert api.call("GET", "/qa/feedback", "sato")[1]["unread"] == 1
    status, body = api.call("POST", f"/qa/feedback/{tweet}/ack", "sato", {"version": 1})
    assert status == 409 and body["code"] == "review_changed"
    assert api.call("POST", f"/qa/feedback/{tweet}/ack", "sato", {"version": 2})[0] == 200
    queue = api.call("GET", "/qa/reviews", "kimura")[1]
    assert queue["reviewed"] == 1 and queue["items"][0]["review"]["version"] == 2
    figures = api.call("GET", "/qa/figures", "kimura")[1]["agents"]["sato"]
    assert figures["reviewed"] == 1 and figures["averages"] == {"empathy": 5.0, "accuracy": 2.0}
    assert figures["overall"] == round((1.0 + 0.5) / 2, 3)


def test_sampling_is_deterministic_and_takes_every_trainee_reply(api: Desk, clock: ManualClock) -> None:
    """The packaged standards: 20% of each agent's replies, all of a trainee's (approved ones)."""
    sampled_sato = []
    for n in range(6):
        sampled_sato.append(_replied(api, clock, f"ご不便をおかけしております。確認いたします（{n}）。"))
    iid = arrive(api.stack, clock, "@ac_signal 自宅でも圏外になります")
    held = api.reply(iid, "ご不便をおかけしております。エリアを確認いたします。", agent="tanaka")[1]
    assert held["status"] == "held"
    api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": held["client_token"]})
    first = api.call("GET", "/qa/reviews", "kimura")[1]
    assert first == api.call("GET", "/qa/reviews", "kimura")[1]  # the same replies on every read
    assert first["replies"] == 7
    trainee = [i for i in first["items"] if i["agent"] == "tanaka"]
    assert len(trainee) == 1 and trainee[0]["trainee"]
    assert len([i for i in first["items"] if i["agent"] == "sato"]) < 6


def test_the_customers_next_post_is_their_reaction_per_agent_and_template(api: Desk, clock: ManualClock) -> None:
    from datetime import timedelta

    from activecare.clock import parse_iso
    from activecare.desk.templates import default_templates
    from activecare.listening.models import ListenedTweet
    from activecare.twitter.models import Tweet
    from tests.integration.spine import tweet

    stack = api.stack
    restart = default_templates().get("restart")
    replies = {}
    for n, (answer, agent) in enumerate([("@ac_signal 再起動したら繋がりました！ありがとうございます", "sato"),
                                         ("@ac_signal 再起動してもまだ繋がらない…困ります", "sato"),
                                         (None, "tanaka")]):
        iid = arrive(stack, clock, f"@ac_signal 駅のホームでずっと圏外です（{n}）")
        author = stack.twitter.tweet(iid)
        text = restart.render(f"cust{n}")
        if agent == "tanaka":  # a trainee's: posted on approval
            held = api.reply(iid, text, agent=agent)[1]
            posted = api.call("POST", f"/inquiries/{iid}/approve", "kimura", {"client_token": held["client_token"]})[1]
        else:
            posted = api.reply(iid, text, agent=agent)[1]
        replies[iid] = posted["tweet_id"]
        if answer:
            body = tweet(clock() + timedelta(seconds=5), answer, author["author_id"], conversation_id=iid,
                         referenced_tweets=[{"type": "replied_to", "id": posted["tweet_id"]}],
                         in_reply_to_user_id="1600000000000000002")
            stack.twitter.add_tweets([body])
            clock.advance(timedelta(minutes=1))  # the answer arrives through listening (the worker's ingestor)
            found = Tweet(body["id"], answer, author["author_id"], parse_iso(body["created_at"]), iid,
                          in_reply_to_user_id="1600000000000000002",
                          referenced_tweets=(("replied_to", posted["tweet_id"]),), lang="ja")
            assert stack.runtime.ingestor().ingest(ListenedTweet.of(found, "mention", "signal", None)) != "created"
    figures = api.call("GET", "/qa/figures", "kimura")[1]
    assert figures["agents"]["sato"]["reactions"] == {"thanks": 1, "unhappy": 1, "none": 0, "no_reply": 0}
    assert figures["agents"]["sato"]["satisfaction"] == 0.5
    assert figures["agents"]["tanaka"]["reactions"]["no_reply"] == 1
    assert figures["agents"]["tanaka"]["satisfaction"] is None
    assert figures["templates"]["restart"] == {"thanks": 1, "unhappy": 1, "none": 0, "no_reply": 1}
    mine = api.call("GET", "/qa/figures", "sato")[1]
    assert list(mine["agents"]) == ["sato"]  # an agent sees their own row


def test_the_case_library_exports_a_masked_training_pack(api: Desk, clock: ManualClock, tmp_path: Path) -> None:
    from activecare.desk.templates import default_templates

    username = "hanako_1987"
    user = {"id": "1300000000000077777", "username": username, "name": "花子"}
    api.stack.twitter.add_users([user])
    iid = arrive(api.stack, clock, "@ac_signal 圏外です。090-1234-5678 に電話ください、yamada.hanako@example.com",
                 user)
    text = default_templates().get("email_form").render(username)  # our reply names the customer: {name}様
    assert api.reply(iid, text)[0] == 201
    body = {"kind": "good", "note": f"@{username} さんへの個人情報の扱いが良い例です"}
    assert api.call("POST", f"/qa/cases/{iid}", "sato", body)[0] == 403
    assert api.call("POST", f"/qa/cases/{iid}", "kimura", {"kind": "meh", "note": "x"})[0] == 400
    status, case = api.call("POST", f"/qa/cases/{iid}", "kimura", body)
    assert status == 200, case
    assert [p[0] for p in case["posts"]] == ["お客様", "sato"]
    assert api.call("GET", "/qa/cases", "kimura")[1]["items"][0]["inquiry_id"] == iid
    for form in ("html", "csv"):
        resp = requests.get(api.url + "/qa/cases/pack", params={"format": form}, timeout=10,
                            headers={"Authorization": f"Bearer {api.tokens['kimura']}"})
        assert resp.status_code == 200 and f"cases.{form}" in resp.headers["Content-Disposition"]
        pack = resp.text
        assert "個人情報の扱いが良い例です" in pack and "圏外です" in pack and "@ac_signal" in pack
        assert username not in pack and "090-1234-5678" not in pack and "yamada.hanako" not in pack
    assert main(["qa", "cases", "--out", str(tmp_path)]) == 0
    assert "良い例" in (tmp_path / "cases.html").read_text(encoding="utf-8")
    assert username not in (tmp_path / "cases.csv").read_text(encoding="utf-8")


def test_the_weekly_team_report_is_on_the_api_and_sent_by_ses(api: Desk, clock: ManualClock, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import timedelta

    (tmp_path / "two.csv").write_text(TWO, encoding="utf-8")
    assert main(["qa", "import", str(tmp_path / "two.csv")]) == 0
    first = _replied(api, clock, "ご不便をおかけしております。確認いたします。")  # Wednesday 2026-11-25
    api.call("POST", f"/qa/reviews/{first}", "kimura", {"scores": {"empathy": 3, "accuracy": 3}})
    clock.advance(timedelta(days=7))
    second = _replied(api, clock, "ご不便をおかけしております。お調べいたします。")
    api.call("POST", f"/qa/reviews/{second}", "kimura", {"scores": {"empathy": 5, "accuracy": 3}})
    assert api.call("GET", "/qa/weekly", "sato")[0] == 403
    status, report = api.call("GET", "/qa/weekly", "kimura", weeks=2)
    assert status == 200 and report["weeks"] == ["2026-11-23", "2026-11-30"]
    earlier, later = report["agents"]["sato"]
    assert earlier["scores"] == {"empathy": 3.0, "accuracy": 3.0}
    assert later["scores"] == {"empathy": 5.0, "accuracy": 3.0}
    assert earlier["first_responses"] == 1
    assert 0 < earlier["first_response_p50_min"] <= earlier["first_response_p90_min"]
    assert later["sla_breaches"] == 0 and later["email_form_rate"] == 0
    capsys.readouterr()
    before = sum(p["DeliveryAttempts"] for p in api.stack.ses.get_send_statistics()["SendDataPoints"])
    assert main(["qa", "weekly", "--weeks", "2", "--send", "--to", "supervisors@activecare.example.jp"]) == 0
    out = capsys.readouterr().out
    assert "週次QAレポート（2026-11-23週〜2026-11-30週）" in out and "■ sato" in out and "sent to supervisors@" in out
    after = sum(p["DeliveryAttempts"] for p in api.stack.ses.get_send_statistics()["SendDataPoints"])
    assert after == before + 1
