"""Staff management on moto's cognito-idp over HTTP: the Cognito adapter, and `activecare staff ...` on the
local stack's user pool (made with template.yaml's settings)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
import requests

from activecare.cli import main
from activecare.staff.cognito import CognitoStaffDirectory
from activecare.staff.errors import StaffExists, UnknownStaff
from activecare.staff.service import StaffService
from infra.local_stack import LocalStack, template_staff_settings


def test_the_local_pool_is_made_as_the_template_declares_it(stack: LocalStack) -> None:
    pool = stack.staff_pool()
    wanted = template_staff_settings()
    cognito = pool.cognito
    got = cognito.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]
    assert got["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert got["Policies"]["PasswordPolicy"]["MinimumLength"] == wanted["pool"]["Policies"]["PasswordPolicy"][
        "MinimumLength"]
    assert got["DeletionProtection"] == "ACTIVE"
    groups = {g["GroupName"]: g.get("Precedence") for g in cognito.list_groups(UserPoolId=pool.pool_id)["Groups"]}
    assert groups == {"agents": 30, "supervisors": 20, "admins": 10, "trainees": 40}
    web = cognito.describe_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.web_client_id)["UserPoolClient"]
    assert web["AllowedOAuthFlows"] == ["code"] and web["AllowedOAuthScopes"] == ["openid", "profile", "email"]
    assert web["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]  # the template's, not widened locally
    cli = cognito.describe_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.cli_client_id)["UserPoolClient"]
    assert cli["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert "ClientSecret" not in web and "ClientSecret" not in cli
    assert stack.runtime.settings.user_pool_id == pool.pool_id  # the CLI finds it without a stack


def test_moto_publishes_the_pools_issuer_and_keys_where_the_authorizer_looks(stack: LocalStack) -> None:
    pool = stack.staff_pool()
    base = f"{pool.endpoint}/{pool.pool_id}/.well-known"
    discovery = requests.get(f"{base}/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == pool.issuer == (
        f"https://cognito-idp.ap-northeast-1.amazonaws.com/{pool.pool_id}")  # as template.yaml configures it
    assert urlsplit(discovery["jwks_uri"]).path == f"/{pool.pool_id}/.well-known/jwks.json"
    (key,) = requests.get(f"{base}/jwks.json", timeout=10).json()["keys"]
    assert (key["kty"], key["alg"], key["kid"]) == ("RSA", "RS256", "dummy")
    pool.create_staff({"sato": ["agents"]})
    header = jwt.get_unverified_header(pool.access_token("sato"))  # a token's header names that key
    assert (header["alg"], header["kid"]) == ("RS256", "dummy")


def test_the_cognito_adapter_creates_lists_disables_and_groups(stack: LocalStack) -> None:
    pool = stack.staff_pool()
    service = StaffService(CognitoStaffDirectory(pool.cognito, pool.pool_id))
    added = service.add("tanaka", "tanaka@example.co.jp", ["agents"], print_password=True)
    assert added.temporary_password and added.member.status == "FORCE_CHANGE_PASSWORD"
    invited = service.add("ito", "ito@example.co.jp", ["agents", "supervisors"])  # Cognito makes the password
    assert invited.temporary_password is None
    with pytest.raises(StaffExists):
        service.add("tanaka", "t2@example.co.jp", ["agents"])
    members = {m.username: m for m in service.list()}
    assert set(members) == {"ito", "tanaka"}
    assert members["ito"].groups == ("agents", "supervisors") and members["ito"].email == "ito@example.co.jp"
    assert members["tanaka"].enabled and members["tanaka"].created_at.tzinfo is not None
    assert service.set_groups("tanaka", ["admins"]) == ("admins",)
    assert service.groups("tanaka") == ("admins",)
    service.disable("tanaka")
    assert not {m.username: m for m in service.list()}["tanaka"].enabled
    # A disabled member cannot sign in (the temporary password would otherwise start the first sign-in).
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
        pool.cognito.initiate_auth(ClientId=pool.cli_client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "tanaka", "PASSWORD": added.temporary_password})
    service.enable("tanaka")
    answer = pool.cognito.initiate_auth(ClientId=pool.cli_client_id, AuthFlow="USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "tanaka", "PASSWORD": added.temporary_password})
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    for call in (service.disable, service.enable, service.groups):
        with pytest.raises(UnknownStaff):
            call("nobody")


def test_the_staff_cli_on_the_local_pool(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.staff_pool()
    assert main(["staff", "add", "sato", "--email", "sato@example.co.jp", "--group", "agents",
                 "--print-password"]) == 0
    out = capsys.readouterr().out
    assert "added sato (agents)" in out and "temporary password (shown once" in out
    assert main(["staff", "add", "kimura", "--email", "kimura@example.co.jp", "--group", "agents",
                 "--group", "supervisors"]) == 0
    assert "Cognito e-mails the invitation" in capsys.readouterr().out
    assert main(["staff", "groups", "kimura", "--set", "supervisors,admins"]) == 0
    assert capsys.readouterr().out.strip() == "kimura: supervisors, admins"
    assert main(["staff", "disable", "sato"]) == 0
    capsys.readouterr()
    assert main(["staff", "list", "--json"]) == 0
    listed: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    assert [(m["username"], m["groups"], m["enabled"]) for m in listed] == [
        ("kimura", ["supervisors", "admins"], True), ("sato", ["agents"], False)]
    assert main(["staff", "list"]) == 0
    assert "無効" in capsys.readouterr().out
    # refusals of the one error model exit 1 with "error (status code): reason" (usage errors exit 2)
    assert main(["staff", "add", "Sato", "--email", "x@example.co.jp", "--group", "agents"]) == 1
    assert "lower-case" in capsys.readouterr().err
    assert main(["staff", "add", "suzuki", "--email", "s@example.co.jp", "--group", "owners"]) == 1
    assert "unknown group owners" in capsys.readouterr().err
    assert main(["staff", "enable", "nobody"]) == 1
    assert "no staff member 'nobody'" in capsys.readouterr().err


def test_the_staff_cli_without_a_pool_says_where_it_looks(stack: LocalStack,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "list"]) == 2  # the stack made no pool yet, and no USER_POOL_ID is set
    assert "give --stack NAME (its output UserPoolId) or set USER_POOL_ID" in capsys.readouterr().err
