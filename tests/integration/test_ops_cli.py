"""Operating a deployed stack with `activecare --stack NAME ...`: the stack is created in moto's CloudFormation
(tests/integration/deployed.py) and the CLI finds every resource from its outputs, over real HTTP.

moto skips AWS::SecretsManager::Secret, so the three secrets are created here out of band under the names
the template gives them (its outputs BearerSecretName / PostingSecretName / CampaignDmSecretName), as
CloudFormation would."""

from __future__ import annotations

import io
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from activecare.cli import main
from tests.integration.deployed import REGION, STACK, Deployed, deployed  # noqa: F401  (fixture)

DATA = Path(__file__).resolve().parents[2] / "functions" / "activecare" / "data"
TWITTER = {"bearer_token": "AAAA-bearer-very-secret",
           "accounts": {"general": {"access_token": "tok-general-secret"},
                        "signal": {"access_token": "tok-signal-secret"},
                        "wifi": {"consumer_key": "ck-secret", "consumer_secret": "cs-secret",
                                 "access_token": "at-secret", "access_token_secret": "ats-secret"}}}
SECRET_VALUES = ("AAAA-bearer-very-secret", "tok-general-secret", "tok-signal-secret", "cs-secret", "ats-secret")
# What set-twitter stores: the bearer token alone, and the accounts (OAuth 1.0a entries keep the app's bearer).
BEARER = {"bearer_token": TWITTER["bearer_token"]}
POSTING = {"accounts": {**TWITTER["accounts"],
                        "wifi": {"bearer_token": "AAAA-bearer-very-secret", **TWITTER["accounts"]["wifi"]}}}


def cli(*argv: str) -> int:
    return main(["--stack", STACK, *argv])


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    assert err.startswith("error: ") and err.strip().count("\n") == 0, err
    return err


@pytest.fixture(scope="module")
def ops(deployed: Deployed) -> Iterator[Deployed]:  # noqa: F811
    """The deployed stack with its three secrets as CloudFormation would have created them (placeholders)."""
    sm = boto3.client("secretsmanager", region_name=REGION)
    sm.create_secret(Name=deployed.outputs["BearerSecretName"], SecretString='{"bearer_token":"set-me"}')
    sm.create_secret(Name=deployed.outputs["PostingSecretName"], SecretString='{"accounts":{}}')
    sm.create_secret(Name=deployed.outputs["CampaignDmSecretName"], SecretString='{"accounts":{}}')
    yield deployed


@pytest.fixture(autouse=True)
def _fresh_secret_cache() -> Iterator[None]:
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    yield
    parameters.clear_caches()


def _secret(ops: Deployed, output: str) -> dict:
    sm = boto3.client("secretsmanager", region_name=REGION)
    return json.loads(sm.get_secret_value(SecretId=ops.outputs[output])["SecretString"])


def test_stack_show_lists_the_outputs_from_the_flag_or_the_environment(
        ops: Deployed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("stack", "show") == 0
    out = capsys.readouterr().out
    assert ops.outputs["KeywordTableName"] in out and f"{STACK}/twitter" in out
    monkeypatch.setenv("ACTIVECARE_STACK", STACK)
    assert main(["stack", "show"]) == 0
    assert ops.outputs["ListenDeadLetterQueueUrl"] in capsys.readouterr().out


def test_secrets_are_validated_stored_and_never_printed(ops: Deployed, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "x.json"
    good.write_text(json.dumps(TWITTER), encoding="utf-8")
    assert cli("secrets", "set-twitter", str(good)) == 0
    out, err = capsys.readouterr()
    assert "general (OAuth 2.0)" in out and "wifi (OAuth 1.0a)" in out
    assert f"stored the bearer token (listening, read-only) in {STACK}/twitter-bearer" in out
    assert "posting tokens of accounts general (OAuth 2.0)" in out and f"in {STACK}/twitter-posting" in out
    assert not any(v in out + err for v in SECRET_VALUES)
    assert _secret(ops, "BearerSecretName") == BEARER  # the listening functions' secret: no account token
    assert _secret(ops, "PostingSecretName") == POSTING

    # a bad shape is refused with the field's name (never its value) and nothing is written
    for doc, reason in (({"bearer_token": "AAAA-bearer-very-secret", "accounts": {"general": {"access_token":
                                                                                             "tok-general-secret"}}},
                         "no credentials for signal, wifi"),
                        ({**TWITTER, "bearer_token": "set-me"}, "bearer_token is missing or empty"),
                        ({**TWITTER, "accounts": {**TWITTER["accounts"], "wifi": {"access_token": "at-secret",
                                                                                 "consumer_key": "ck-secret"}}},
                         "OAuth 1.0a keys need consumer_secret, access_token_secret"),
                        ({**TWITTER, "accounts": {**TWITTER["accounts"], "sigal": {"access_token": "x"}}},
                         "unknown support accounts sigal")):
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(doc)))
        assert cli("secrets", "set-twitter") == 2
        out, err = capsys.readouterr()
        assert reason in one_line_error(err)
        assert not any(v in out + err for v in SECRET_VALUES)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"bearer_token": "AAAA-bearer-very-secret",'))
    assert cli("secrets", "set-twitter", "-") == 2
    assert "stdin: not JSON (line 1" in one_line_error(capsys.readouterr().err)
    assert _secret(ops, "BearerSecretName") == BEARER and _secret(ops, "PostingSecretName") == POSTING

    # the campaign's DM secret: its own command, its own secret
    dm = {"accounts": {"general": {"access_token": "dm-general-secret"}}}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(dm)))
    assert cli("secrets", "set-campaign-dm") == 0
    assert "dm-general-secret" not in capsys.readouterr().out
    assert _secret(ops, "CampaignDmSecretName") == dm
    assert _secret(ops, "BearerSecretName") == BEARER and _secret(ops, "PostingSecretName") == POSTING
    assert cli("secrets", "check") == 0
    out = capsys.readouterr().out
    assert out.count(": ok") == 3 and not any(v in out for v in SECRET_VALUES)

    # each X secret alone; a bearer document with account tokens is refused (it would reach the worker)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(TWITTER)))
    assert cli("secrets", "set-bearer") == 2
    assert "unknown fields accounts" in one_line_error(capsys.readouterr().err)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"bearer_token": "AAAA-bearer-rotated"})))
    assert cli("secrets", "set-bearer") == 0
    assert "AAAA-bearer-rotated" not in capsys.readouterr().out
    assert _secret(ops, "BearerSecretName") == {"bearer_token": "AAAA-bearer-rotated"}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"accounts": TWITTER["accounts"]})))
    assert cli("secrets", "set-posting") == 0
    assert _secret(ops, "PostingSecretName") == {"accounts": TWITTER["accounts"]}
    assert _secret(ops, "BearerSecretName") == {"bearer_token": "AAAA-bearer-rotated"}


def test_keywords_and_calendar_go_into_the_stacks_tables(ops: Deployed, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from activecare.keywords.catalogue import load_catalogue

    catalogue = load_catalogue(DATA / "keywords.csv")
    assert cli("keywords", "import", str(DATA / "keywords.csv")) == 0
    assert f"imported {catalogue.keyword_count} keywords" in capsys.readouterr().out
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=ops.outputs["KeywordTableName"])["Items"]
    assert {i["pk"]["S"] for i in items} >= {f"TOPIC#{t.name}" for t in catalogue.topics}
    exported = tmp_path / "keywords.csv"
    assert cli("keywords", "export", str(exported)) == 0
    assert cli("keywords", "validate", str(exported)) == 0
    assert cli("keywords", "queries") == 0
    assert "for basic (512 characters)" in capsys.readouterr().out  # the stack's access level, from its outputs

    assert cli("posts", "import", str(DATA / "content_calendar.csv")) == 0
    assert "imported" in capsys.readouterr().out
    state = boto3.client("dynamodb", region_name=REGION).scan(TableName=ops.outputs["StateTableName"])["Items"]
    assert any(i["pk"]["S"].startswith("cal#") for i in state)
    assert cli("posts", "export", str(tmp_path / "calendar.csv")) == 0
    assert (tmp_path / "calendar.csv").read_text(encoding="utf-8").strip()


def _dead_letter(ops: Deployed) -> list[str]:
    """Two messages in the DLQ as the redrive leaves them: a well-formed one and a malformed one."""
    from activecare.listening.models import ListenedTweet, TweetBody

    good = ListenedTweet(source="search", source_key="q03", tweet=TweetBody(
        id="1995000000000000001", text="圏外つらい 090-1234-5678", author_id="42",
        created_at="2026-11-25T01:00:00Z")).model_dump_json()
    bad = json.dumps({"v": 1, "source": "search", "source_key": "q04",
                      "tweet": {"id": "not-a-number", "text": "電話は 090-8765-4321 です", "author_id": "43"}},
                     ensure_ascii=False)
    sqs = boto3.client("sqs", region_name=REGION)
    return [sqs.send_message(QueueUrl=ops.outputs["ListenDeadLetterQueueUrl"], MessageBody=b)["MessageId"]
            for b in (good, bad)]


def test_dlq_list_shows_ids_and_reasons_never_text_and_replay_moves_each_message_once(
        ops: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _dead_letter(ops)
    assert cli("dlq", "list") == 0
    out = capsys.readouterr().out
    assert "listen DLQ: 2 messages" in out
    assert all(i in out for i in ids) and "tweet 1995000000000000001" in out and "search:q03" in out
    assert "malformed: tweet.id (string_pattern_mismatch)" in out and "well-formed" in out
    assert "090-" not in out and "圏外" not in out and "電話" not in out
    assert cli("dlq", "list", "--json") == 0  # listing moved nothing: both are still there, visible
    listed = json.loads(capsys.readouterr().out)
    assert listed["depth"] == 2 and {m["message_id"] for m in listed["messages"]} == set(ids)

    assert cli("dlq", "replay", "--dry-run") == 0
    assert "would move up to 2" in capsys.readouterr().out
    sqs = boto3.client("sqs", region_name=REGION)

    def drain_listen_queue() -> list[str]:
        got = sqs.receive_message(QueueUrl=ops.outputs["ListenQueueUrl"], MaxNumberOfMessages=10).get("Messages", [])
        for m in got:
            sqs.delete_message(QueueUrl=ops.outputs["ListenQueueUrl"], ReceiptHandle=m["ReceiptHandle"])
        return [m["Body"] for m in got]

    assert cli("dlq", "replay", "--skip-malformed") == 0  # the well-formed one only; the malformed one stays
    assert "moved 1 messages back to the listen queue; 1 malformed stay in the DLQ" in capsys.readouterr().out
    (body,) = drain_listen_queue()
    assert "1995000000000000001" in body
    assert cli("dlq", "replay") == 0
    assert "moved 1 messages" in capsys.readouterr().out
    assert "not-a-number" in drain_listen_queue()[0]
    assert cli("dlq", "replay") == 0  # again: nothing left, nothing sent twice
    assert "moved 0 messages" in capsys.readouterr().out
    assert drain_listen_queue() == []


def test_figures_count_the_day_in_jst_from_the_stacks_tables(ops: Deployed, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from infra.reporting_sim import jst, seed_inquiries

    assert cli("posts", "import", str(DATA / "content_calendar.csv")) == 0  # also binds the models to the stack
    capsys.readouterr()
    seed_inquiries(jst(2026, 11, 25, 9), count=12)
    _dead_letter(ops)
    from activecare.listening.dynamo import DynamoUsage  # the poller's read counters (listening/usage.py)

    DynamoUsage().add("2026-11", "25", {"post_reads": 200, "user_reads": 50, "owned_reads": 10},
                      {"search#q1": 200}, {"search#q1": 20})
    assert cli("figures", "--day", "2026-11-25", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    bill = figures["x_bill"]
    assert bill["counts"]["post_reads"] == 200 and bill["usd"]["user_reads"] == 0.5
    assert bill["total_usd"] == 1.51 and bill["per_answered_usd"] is None  # no replies that day
    assert bill["per_query_month"] == [{"source": "search#q1", "posts_read": 200, "matched": 20, "yield": 0.1,
                                        "desk_resolved": 0, "desk_answered": 0}]
    assert figures["day"] == "2026-11-25" and figures["inquiries"]["total"] == 12
    assert sum(figures["inquiries"]["by_status"].values()) == 12
    assert figures["queues"]["dead_letters"] == 2 and figures["queues"]["listen"] == 0
    assert set(figures["posts"]) == {"general", "signal", "wifi"}
    assert all(v["cap"] >= v["posted"] == 0 for cats in figures["posts"].values() for v in cats.values())
    assert cli("figures", "--day", "2026-11-24") == 0
    out = capsys.readouterr().out
    assert "お問い合わせ 0 件" in out and "DLQ 2" in out and "X 料金（UTC 2026-11-24、従量課金）$0.00" in out
    assert cli("figures", "--day", "25/11") == 2
    one_line_error(capsys.readouterr().err)
    # the report preview reads the same inquiries, with the stack's report times and routing file
    assert cli("report", "preview", "--at", "2026-11-25T14:00", "--out", str(tmp_path)) == 0
    assert "2026-11-24 20:00〜2026-11-25 14:00 JST: 12件のお声" in capsys.readouterr().out
    assert cli("report", "routing") == 0
    assert "ネットワーク本部" in capsys.readouterr().out
    assert cli("dlq", "replay") == 0  # leave the queues empty for the next test
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.purge_queue(QueueUrl=ops.outputs["ListenQueueUrl"])


def test_erase_works_on_the_stacks_tables(ops: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    from activecare.storage.models import Inquiry
    from infra.reporting_sim import jst, seed_inquiries

    assert cli("erase", "--author", "@nobody_here") == 0  # also binds the models to the stack
    assert capsys.readouterr().out.strip() == "nothing stored for @nobody_here: 0 removed"
    seed_inquiries(jst(2026, 11, 26, 9), count=3)
    author = next(iter(Inquiry.scan(limit=1))).author_id
    mine = list(Inquiry.by_author.query(author))
    assert cli("erase", "--author", author) == 0
    assert mine and f"inquiries            {len(mine)}" in capsys.readouterr().out
    assert list(Inquiry.by_author.query(author)) == []
    assert cli("erase", "--author", author) == 0
    assert "0 removed" in capsys.readouterr().out


def _moto_lambda(ops: Deployed, *, use_docker: bool, results: list[str] = ()) -> None:  # type: ignore[assignment]
    def post(path: str, body: dict) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{ops.endpoint}{path}", data=json.dumps(body).encode(),
                                                      method="POST"), timeout=10)

    post("/moto-api/config", {"lambda": {"use_docker": use_docker}})
    if results:
        post("/moto-api/static/lambda-simple/response", {"results": results, "region": REGION})


def test_campaign_draw_is_run_by_the_deployed_campaign_function(ops: Deployed,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """moto runs Lambda code only in Docker; its Docker-less Lambda echoes the event back, which shows what the
    CLI asked the campaign function (found from the stack's outputs) to do."""
    _moto_lambda(ops, use_docker=False)
    try:
        assert cli("campaign", "draw", "--campaign", "xmas2026", "--tweet", "1995000000000000009",
                   "--winners", "5", "--dry-run", "--json") == 0
        event = json.loads(capsys.readouterr().out)
        assert event["action"] == "draw" and event["campaign_id"] == "xmas2026"
        assert event["tweet_id"] == "1995000000000000009" and event["winners"] == 5 and event["dry_run"] is True
        refused = json.dumps({"ok": False, "error": "no such campaign", "code": "unknown_campaign", "status": 404})
        _moto_lambda(ops, use_docker=False, results=[refused])
        assert cli("campaign", "status", "nope") == 1
        assert "error (404 unknown_campaign): no such campaign" in capsys.readouterr().err
    finally:
        _moto_lambda(ops, use_docker=True)


def test_clear_one_line_errors(ops: Deployed, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    # the stack does not exist
    assert main(["--stack", "activecare-nope", "keywords", "export"]) == 2
    assert "stack activecare-nope does not exist" in one_line_error(capsys.readouterr().err)
    # a stack from an older template: an output the CLI needs is missing
    old = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"Q": {"Value": {"Ref": "Q"}}}}
    boto3.client("cloudformation", region_name=REGION).create_stack(StackName="activecare-old",
                                                                    TemplateBody=json.dumps(old))
    assert main(["--stack", "activecare-old", "figures"]) == 2
    assert "has no output InquiryTableName" in one_line_error(capsys.readouterr().err)
    # a resource the stack names is gone
    sm = boto3.client("secretsmanager", region_name=REGION)
    sm.delete_secret(SecretId=ops.outputs["CampaignDmSecretName"], ForceDeleteWithoutRecovery=True)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"accounts": {"general": {"access_token": "dm-x"}}}'))
    try:
        assert cli("secrets", "set-campaign-dm") == 2
        err = one_line_error(capsys.readouterr().err)
        assert "ResourceNotFoundException" in err and f"{STACK}/twitter-dm" in err and "dm-x" not in err
    finally:
        sm.create_secret(Name=ops.outputs["CampaignDmSecretName"], SecretString='{"accounts":{}}')
    # stack-only commands without a stack
    assert main(["dlq", "list"]) == 2
    assert "needs the deployed stack" in one_line_error(capsys.readouterr().err)
    # an unknown profile, then no credentials at all
    assert main(["--profile", "no-such-profile", "--stack", STACK, "stack", "show"]) == 2
    assert "no-such-profile" in one_line_error(capsys.readouterr().err)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert cli("stack", "show") == 2
    assert "no AWS credentials" in one_line_error(capsys.readouterr().err)
