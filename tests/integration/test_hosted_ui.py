"""The hosted-UI stand-in on the local front: the web desk's sign-in (authorization code + PKCE) with requests,
as a browser would do it, and the token endpoint's refusals as Cognito words them."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from activecare.clock import ManualClock
from infra.local_api import LocalDeskApi
from infra.local_hosted_ui import s256
from infra.local_stack import LocalStack, StaffPool


@dataclass
class Desk:
    url: str
    pool: StaffPool
    clock: ManualClock  # the stand-in's: when codes expire
    passwords: dict[str, str]

    @property
    def callback(self) -> str:
        return f"{self.url}/desk/callback"

    def authorize_params(self, verifier: str, **extra: str) -> dict[str, str]:
        return {"response_type": "code", "client_id": self.pool.web_client_id, "redirect_uri": self.callback,
                "state": "st-42", "code_challenge": s256(verifier), "code_challenge_method": "S256",
                "scope": "openid profile email", **extra}

    def sign_in(self, verifier: str, username: str = "sato", password: str | None = None) -> requests.Response:
        """GET the sign-in page, POST its form: the response is the redirect (not followed)."""
        page = requests.get(f"{self.url}/oauth2/authorize", params=self.authorize_params(verifier), timeout=10)
        assert page.status_code == 200, page.text
        action = html.unescape(re.search(r'action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
        return requests.post(self.url + action, data={"username": username,
                                                      "password": password or self.passwords[username]},
                             allow_redirects=False, timeout=10)

    def code(self, verifier: str) -> str:
        resp = self.sign_in(verifier)
        assert resp.status_code == 302, resp.text
        query = parse_qs(urlsplit(resp.headers["location"]).query)
        assert query["state"] == ["st-42"]
        return query["code"][0]

    def token(self, **form: str) -> requests.Response:
        return requests.post(f"{self.url}/oauth2/token", data=form, timeout=10)

    def exchange(self, code: str, verifier: str, **extra: str) -> requests.Response:
        form = {"grant_type": "authorization_code", "code": code, "client_id": self.pool.web_client_id,
                "redirect_uri": self.callback, "code_verifier": verifier}
        return self.token(**(form | extra))


@pytest.fixture
def desk(stack: LocalStack) -> Iterator[Desk]:
    pool = stack.staff_pool()
    passwords = pool.create_staff({"sato": ["agents"], "kimura": ["supervisors"]})
    clock = ManualClock(datetime.now(UTC))

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        claims = (event["requestContext"].get("authorizer") or {}).get("jwt", {}).get("claims", {})
        return {"statusCode": 200, "body": claims.get("username", "")}

    with LocalDeskApi(pool.authorizer(), handler, hosted_ui=pool.hosted_ui(clock=clock),
                      on_start=pool.register_origin) as api:
        yield Desk(api.url, pool, clock, passwords)


def test_the_sign_in_page_is_a_japanese_form_with_no_external_assets(desk: Desk) -> None:
    page = requests.get(f"{desk.url}/oauth2/authorize", params=desk.authorize_params("v" * 43), timeout=10)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    text = page.content.decode("utf-8")
    assert all(word in text for word in ("ユーザー名", "パスワード", "サインイン", 'lang="ja"'))
    assert "http://" not in text.replace(desk.url, "") and "https://" not in text  # nothing fetched from elsewhere


def test_the_code_grant_with_pkce_signs_the_web_desk_in(desk: Desk) -> None:
    verifier = secrets.token_urlsafe(48)
    resp = desk.sign_in(verifier)
    assert resp.status_code == 302
    location = urlsplit(resp.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == desk.callback
    code = parse_qs(location.query)["code"][0]
    tokens = desk.exchange(code, verifier)
    assert tokens.status_code == 200 and tokens.headers["cache-control"] == "no-store"
    body = tokens.json()
    assert set(body) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    # The access token is the web client's and the desk API takes it.
    api = requests.get(f"{desk.url}/inquiries", headers={"Authorization": f"Bearer {body['access_token']}"},
                       timeout=10)
    assert (api.status_code, api.text) == (200, "sato")
    # The refresh grant: new access and ID tokens, no new refresh token.
    refreshed = desk.token(grant_type="refresh_token", refresh_token=body["refresh_token"],
                           client_id=desk.pool.web_client_id)
    assert refreshed.status_code == 200 and set(refreshed.json()) == {"id_token", "access_token", "expires_in",
                                                                       "token_type"}
    assert desk.token(grant_type="refresh_token", refresh_token="not-a-refresh-token",
                      client_id=desk.pool.web_client_id).json() == {"error": "invalid_grant"}


def test_a_wrong_verifier_is_invalid_grant_and_uses_the_code_up(desk: Desk) -> None:
    verifier = secrets.token_urlsafe(48)
    code = desk.code(verifier)
    resp = desk.exchange(code, secrets.token_urlsafe(48))
    assert (resp.status_code, resp.json()) == (400, {"error": "invalid_grant"})
    assert desk.exchange(code, verifier).json() == {"error": "invalid_grant"}
    code = desk.code(verifier)
    assert desk.token(grant_type="authorization_code", code=code, client_id=desk.pool.web_client_id,
                      redirect_uri=desk.callback).json() == {"error": "invalid_grant"}  # no verifier at all


def test_a_code_works_once(desk: Desk) -> None:
    verifier = secrets.token_urlsafe(48)
    code = desk.code(verifier)
    assert desk.exchange(code, verifier).status_code == 200
    resp = desk.exchange(code, verifier)
    assert (resp.status_code, resp.json()) == (400, {"error": "invalid_grant"})


def test_a_code_expires_after_five_minutes(desk: Desk) -> None:
    verifier = secrets.token_urlsafe(48)
    fresh, stale = desk.code(verifier), desk.code(verifier)
    desk.clock.advance(timedelta(minutes=4, seconds=59))
    assert desk.exchange(fresh, verifier).status_code == 200
    desk.clock.advance(timedelta(seconds=2))
    assert desk.exchange(stale, verifier).json() == {"error": "invalid_grant"}


def test_a_code_is_only_for_its_client_and_redirect_uri(desk: Desk) -> None:
    verifier = secrets.token_urlsafe(48)
    assert desk.exchange(desk.code(verifier), verifier, redirect_uri=f"{desk.url}/elsewhere").json() == {
        "error": "invalid_grant"}
    resp = desk.token(grant_type="authorization_code", code=desk.code(verifier), client_id=desk.pool.cli_client_id,
                      redirect_uri=desk.callback, code_verifier=verifier)
    assert resp.json() == {"error": "invalid_grant"}
    assert desk.token(grant_type="authorization_code", code="x", client_id="nobody").json() == {
        "error": "invalid_client"}
    assert desk.token(grant_type="password", client_id=desk.pool.web_client_id).json() == {
        "error": "unsupported_grant_type"}
    assert desk.token(client_id=desk.pool.web_client_id).json() == {"error": "invalid_request"}


def test_a_wrong_password_shows_the_form_again_saying_nothing_about_the_user(desk: Desk) -> None:
    verifier = secrets.token_urlsafe(48)
    wrong = desk.sign_in(verifier, password="Wrong-password-1!")
    unknown = desk.sign_in(verifier, username="nobody", password="Wrong-password-1!")
    for resp in (wrong, unknown):
        assert resp.status_code == 200 and "ユーザー名またはパスワードが正しくありません。" in resp.text
        assert "location" not in resp.headers


def test_a_disabled_member_cannot_sign_in(desk: Desk) -> None:
    desk.pool.cognito.admin_disable_user(UserPoolId=desk.pool.pool_id, Username="sato")
    resp = desk.sign_in(secrets.token_urlsafe(48))
    assert resp.status_code == 200 and "このアカウントは無効になっています" in resp.text


def test_a_first_sign_in_sets_a_new_password(desk: Desk) -> None:
    from activecare.staff.cognito import CognitoStaffDirectory
    from activecare.staff.service import StaffService

    added = StaffService(CognitoStaffDirectory(desk.pool.cognito, desk.pool.pool_id)).add(
        "tanaka", "tanaka@example.co.jp", ["agents"], print_password=True)
    verifier = secrets.token_urlsafe(48)
    assert added.temporary_password
    page = desk.sign_in(verifier, "tanaka", added.temporary_password)
    assert page.status_code == 200 and "新しいパスワード" in page.text
    action = html.unescape(re.search(r'action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    session = html.unescape(re.search(r'name="session" value="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    resp = requests.post(desk.url + action, data={"username": "tanaka", "session": session,
                                                  "new_password": "Tanaka-new-pass-1!"},
                         allow_redirects=False, timeout=10)
    assert resp.status_code == 302
    code = parse_qs(urlsplit(resp.headers["location"]).query)["code"][0]
    assert desk.exchange(code, verifier).status_code == 200


def test_the_authorize_endpoint_refuses_as_cognito_does(desk: Desk) -> None:
    verifier = secrets.token_urlsafe(48)

    def authorize(**extra: str) -> requests.Response:
        return requests.get(f"{desk.url}/oauth2/authorize", params=desk.authorize_params(verifier, **extra),
                            allow_redirects=False, timeout=10)

    # An unknown client or an unregistered redirect URI: an error page, never a redirect.
    for resp in (authorize(client_id="nobody"), authorize(client_id=desk.pool.cli_client_id),
                 authorize(redirect_uri="https://evil.example/steal")):
        assert resp.status_code == 400 and "location" not in resp.headers
    assert "redirect_mismatch" in authorize(redirect_uri="https://evil.example/steal").text

    def error_of(resp: requests.Response) -> tuple[str, str]:
        assert resp.status_code == 302
        query = parse_qs(urlsplit(resp.headers["location"]).query)
        return query["error"][0], query["state"][0]

    assert error_of(authorize(response_type="token")) == ("unauthorized_client", "st-42")  # no implicit flow
    assert error_of(authorize(response_type="id_token")) == ("unsupported_response_type", "st-42")
    assert error_of(authorize(code_challenge_method="plain")) == ("invalid_request", "st-42")
    assert error_of(authorize(scope="openid aws.cognito.signin.user.admin")) == ("invalid_scope", "st-42")


def test_logout_goes_to_a_registered_logout_uri_only(desk: Desk) -> None:
    resp = requests.get(f"{desk.url}/logout", params={"client_id": desk.pool.web_client_id,
                                                      "logout_uri": f"{desk.url}/desk"},
                        allow_redirects=False, timeout=10)
    assert (resp.status_code, resp.headers["location"]) == (302, f"{desk.url}/desk")
    resp = requests.get(f"{desk.url}/logout", params={"client_id": desk.pool.web_client_id,
                                                      "logout_uri": "https://evil.example/"},
                        allow_redirects=False, timeout=10)
    assert resp.status_code == 400 and "location" not in resp.headers
