"""Security checks that span the template and the code: credentials only in Secrets Manager,
no function role wider than it must be, no role manages the staff user pool."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
CREDENTIAL_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|API_KEY|PRIVATE", re.IGNORECASE)


def _sources() -> list[Path]:
    return [p for p in FUNCTIONS.rglob("*.py") if ".egg-info" not in str(p)]


def _functions(tpl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == "AWS::Lambda::Function"}


def test_no_function_environment_carries_a_credential(transformed: dict[str, Any]) -> None:
    """A variable named like a credential may only point at a secret (a Ref/ARN), never hold one."""
    for name, fn in _functions(transformed).items():
        variables = fn["Properties"].get("Environment", {}).get("Variables", {})
        for key, value in variables.items():
            if CREDENTIAL_NAME.search(key):
                assert key.endswith(("_SECRET_ID", "_SECRET_ARN")), (name, key)
                assert isinstance(value, dict), f"{name}.{key} is a literal, not a reference to a secret"


def test_the_code_reads_the_environment_only_through_settings() -> None:
    """Only settings.py reads os.environ (plus the CLI's agent name): no token can come from the environment."""
    readers = set()
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                readers.add(path.relative_to(FUNCTIONS).as_posix())
    assert readers <= {"activecare/settings.py", "activecare/cli/desk.py"}, readers


def test_x_credentials_are_read_from_secrets_manager_only_in_the_wiring() -> None:
    """The bearer token and user tokens reach the gateway from the secret, in one place."""
    users = {p.relative_to(FUNCTIONS).as_posix() for p in _sources()
             if '"bearer_token"' in p.read_text(encoding="utf-8")}
    assert users <= {"activecare/wiring.py", "activecare/cli/secrets.py"}, users
    wiring = (FUNCTIONS / "activecare" / "wiring.py").read_text(encoding="utf-8")
    assert "get_secret" in wiring


def test_staff_sign_in_with_cognito_and_no_role_manages_the_user_pool(transformed: dict[str, Any]) -> None:
    """Agents hold no AWS grant at all (the desk API takes their Cognito access token), and no function role may
    touch the user pool: staff are managed with an operator's own credentials (`activecare staff ...`)."""
    assert not [n for n, r in transformed["Resources"].items() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    for name, res in transformed["Resources"].items():
        if res["Type"] == "AWS::IAM::Role":
            assert "cognito" not in json.dumps(res["Properties"]).lower(), name


def test_no_role_may_scan_the_inquiry_table(transformed: dict[str, Any]) -> None:
    """Reading every customer's tweets in bulk is the widest data access: roles query named indexes instead."""
    for name, res in transformed["Resources"].items():
        if res["Type"] != "AWS::IAM::Role":
            continue
        for policy in res["Properties"].get("Policies", []):
            for stmt in policy["PolicyDocument"]["Statement"]:
                actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
                if "dynamodb:Scan" in actions:
                    assert "InquiryTable" not in json.dumps(stmt["Resource"]), (name, stmt)


@pytest.mark.parametrize("raw, reason", [
    ("not json", "not JSON"),
    ('{"key": "general"}', "JSON list"),
    ('[{"key": "general", "username": "ac_help"}]', "needs exactly key, username and user_id"),
    ('[{"key":"general","username":"ac_help","user_id":"1"},{"key":"general","username":"ac_x","user_id":"2"},'
     '{"key":"wifi","username":"ac_wifi","user_id":"3"}]', "exactly one each"),
    ('[{"key":"general","username":"ac_help","user_id":"16000x"},{"key":"signal","username":"ac_s","user_id":"2"},'
     '{"key":"wifi","username":"ac_wifi","user_id":"3"}]', "numeric id"),
    ('[{"key":"general","username":"@ac_help","user_id":"1"},{"key":"signal","username":"ac_s","user_id":"2"},'
     '{"key":"wifi","username":"ac_wifi","user_id":"3"}]', "without @"),
    ('[{"key":"general","username":"ac_help","user_id":"1"},{"key":"signal","username":"ac_s","user_id":"1"},'
     '{"key":"wifi","username":"ac_wifi","user_id":"3"}]', "distinct user_ids"),
])
def test_a_broken_support_accounts_setting_is_refused_at_cold_start(raw: str, reason: str) -> None:
    """Duplicate keys, non-numeric ids or a missing account once gave a 500 on every inquiry of that account."""
    from activecare.settings import Settings

    with pytest.raises(ValueError, match=reason):
        Settings.from_env({"SUPPORT_ACCOUNTS": raw})


# ---- X credentials split by what they allow (issue 14 item 7) ----


def _secret_readers(tpl: dict[str, Any]) -> dict[str, set[str]]:
    """Role -> the secrets (logical ids) its statements let it read, inline or attached policies."""
    attached: dict[str, list[Any]] = {}
    for res in tpl["Resources"].values():
        if res["Type"] == "AWS::IAM::Policy":
            for role in res["Properties"]["Roles"]:
                attached.setdefault(role["Ref"], []).append(res["Properties"]["PolicyDocument"])
    readers: dict[str, set[str]] = {}
    for name, res in tpl["Resources"].items():
        if res["Type"] != "AWS::IAM::Role":
            continue
        docs = [p["PolicyDocument"] for p in res["Properties"].get("Policies", [])] + attached.get(name, [])
        found: set[str] = set()
        for stmt in (s for d in docs for s in d["Statement"]):
            actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
            if any(a.startswith("secretsmanager:") for a in actions):
                resources = stmt["Resource"] if isinstance(stmt["Resource"], list) else [stmt["Resource"]]
                found |= {r["Ref"] for r in resources}  # every secret is named by its Ref, never a pattern
        readers[name] = found
    return readers


def test_listening_roles_cannot_read_the_posting_or_dm_secrets(transformed: dict[str, Any]) -> None:
    """The worker handles untrusted text and the poller only listens: the poller reads the bearer token, the worker
    no secret at all (it reads nothing from X since the desk reads an inquiry's context on open), nothing that can
    post or DM; only the desk, the publisher and the outage radar (template status posts of confirmed incidents)
    hold the accounts' posting tokens."""
    readers = _secret_readers(transformed)
    assert readers["PollerFunctionRole"] == {"BearerSecret"}
    assert readers["WorkerFunctionRole"] == set()
    assert {n for n, s in readers.items() if "PostingSecret" in s} == {"DeskFunctionRole", "PublisherFunctionRole",
                                                                       "OutageFunctionRole"}
    assert {n for n, s in readers.items() if "CampaignDmSecret" in s} == {"CampaignFunctionRole"}
    for name, fn in _functions(transformed).items():  # and the environment names only what the role may read
        variables = fn["Properties"].get("Environment", {}).get("Variables", {})
        if name in ("PollerFunction", "WorkerFunction"):
            assert "POSTING_SECRET_ID" not in variables and "CAMPAIGN_SECRET_ID" not in variables, name
            if name == "PollerFunction":
                assert variables["BEARER_SECRET_ID"] == {"Ref": "BearerSecret"}, name
            else:
                assert "BEARER_SECRET_ID" not in variables, name
    bearer = transformed["Resources"]["BearerSecret"]["Properties"]["GenerateSecretString"]
    assert json.loads(bearer["SecretStringTemplate"]) == {"bearer_token": "set-me"}  # no account field


def test_runtime_poster_reads_only_the_posting_secret_and_twitter_only_the_bearer(
        monkeypatch: Any) -> None:
    """From the code: Runtime.poster asks Secrets Manager for the posting secret alone, Runtime.twitter for the
    bearer secret alone (so a role without the posting secret cannot post)."""
    from aws_lambda_powertools.utilities import parameters

    from activecare.settings import Settings
    from activecare.wiring import Runtime

    asked: list[str] = []
    values = {"bearer-id": {"bearer_token": "b"}, "posting-id": {"accounts": {"general": {"access_token": "u"}}}}

    def get_secret(name: str, **_: Any) -> Any:
        asked.append(name)
        return values[name]

    monkeypatch.setattr(parameters, "get_secret", get_secret)
    rt = Runtime(Settings(bearer_secret_id="bearer-id", posting_secret_id="posting-id", campaign_secret_id="dm-id"))
    rt.poster("general")
    assert asked == ["posting-id"]
    asked.clear()
    assert rt.twitter is not None
    assert asked == ["bearer-id"]
    wiring = (FUNCTIONS / "activecare" / "wiring.py").read_text(encoding="utf-8")
    start = wiring.index("    def poster(")
    end = wiring.index("\n    def ", start + 1)
    assert [m.start() for m in re.finditer("posting_secret_id", wiring)] and all(
        start < m.start() < end for m in re.finditer("posting_secret_id", wiring))
