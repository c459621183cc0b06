"""A stand-in, on the local front, for Cognito's hosted UI: the OAuth 2.0 endpoints the web desk uses on AWS
(at the stack's HostedUiDomain), so its sign-in - authorization code with PKCE - runs locally too. moto has no
hosted UI; this page checks the password against moto (InitiateAuth) and hands out moto's tokens.

    GET  /oauth2/authorize?response_type=code&client_id&redirect_uri&state&code_challenge
                           &code_challenge_method=S256&scope      the sign-in page (ユーザー名 / パスワード)
    POST /login?<the same query>                                   password (or a first sign-in's new password)
                                                                   -> 302 redirect_uri?code=...&state=...
    POST /oauth2/token   grant_type=authorization_code (code, redirect_uri, client_id, code_verifier)
                         grant_type=refresh_token (refresh_token, client_id)
                         -> {id_token, access_token, refresh_token, expires_in, token_type}
    GET  /logout?client_id&logout_uri                              -> 302 logout_uri

As Cognito: the client must allow the code grant and name the redirect URI among its CallbackURLs (else an
error page, never a redirect); later errors go back to the redirect URI (`error=...&state=...`); a code works
once, for 5 minutes, for the client and redirect URI it was made for, and only with the verifier whose S256
hash is its challenge (PKCE is optional for a public client, as with Cognito - the web desk always sends it);
token errors are 400 {"error": "invalid_grant"} and the like. The user name and password form tells an unknown
user and a wrong password apart by nothing.

Where it differs, knowingly: the tokens are the ones moto issues for the password sign-in (InitiateAuth
USER_PASSWORD_AUTH with the web client - moto does not check a client's ExplicitAuthFlows, so the local web
client keeps the template's settings), so their scope is "aws.cognito.signin.user.admin" where Cognito's hosted
UI would put "openid profile email" (the desk API's routes accept either); no sign-in session cookie is kept, so
every /oauth2/authorize shows the form, and /logout has nothing to clear.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from activecare.clock import Clock, system_clock

CODE_TTL = timedelta(minutes=5)
PATHS = frozenset({"/oauth2/authorize", "/login", "/oauth2/token", "/logout"})


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class _Request:
    client_id: str
    redirect_uri: str
    state: str | None
    scope: str
    code_challenge: str | None


@dataclass(frozen=True)
class _Code:
    request: _Request
    tokens: dict[str, Any]
    issued: datetime


def _redirect(location: str) -> Reply:
    return Reply(302, {"location": location, "cache-control": "no-store"})


def _with_query(uri: str, params: dict[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def _token_error(error: str, status: int = 400) -> Reply:
    return Reply(status, {"content-type": "application/json;charset=UTF-8", "cache-control": "no-store"},
                 json.dumps({"error": error}).encode())


def _page(title: str, content: str, status: int = 200) -> Reply:
    doc = f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(title)} - activecare</title>
<style>body{{font-family:sans-serif;background:#f4f5f7;margin:0}}main{{max-width:22rem;margin:4rem auto;
background:#fff;padding:2rem;border-radius:6px}}label{{display:block;margin:1rem 0 .25rem}}input{{width:100%;
padding:.5rem;box-sizing:border-box}}button{{margin-top:1.5rem;width:100%;padding:.6rem}}
.error{{color:#b00020}}</style></head>
<body><main><h1>activecare デスク</h1>{content}</main></body></html>"""
    return Reply(status, {"content-type": "text/html; charset=utf-8", "cache-control": "no-store"},
                 doc.encode("utf-8"))


def _error_page(message: str, error: str) -> Reply:
    return _page("エラー", f'<p class="error">{html.escape(message)}</p><p><code>{html.escape(error)}</code></p>',
                 400)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class HostedUi:
    def __init__(self, cognito: Any, user_pool_id: str, *, clock: Clock = system_clock) -> None:
        """`cognito`: a boto3 cognito-idp client of the local moto."""
        self.cognito = cognito
        self.pool = user_pool_id
        self.clock = clock
        # A test's knob: the lifetime the token answer states (moto's tokens always live an hour), so a browser
        # test sees the page refresh its session within seconds. None: the token's own.
        self.stated_ttl_s: int | None = None
        self.grants: list[str] = []  # the token grants answered, in order (tests read it)
        self._codes: dict[str, _Code] = {}
        self._lock = threading.Lock()

    def handles(self, path: str) -> bool:
        return path in PATHS

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Reply:
        params = dict(parse_qsl(query, keep_blank_values=True))
        if path == "/oauth2/authorize" and method == "GET":
            checked = self._check(params)
            return checked if isinstance(checked, Reply) else self._form(query)
        form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        if path == "/login" and method == "POST":
            return self._login(params, query, form)
        if path == "/oauth2/token" and method == "POST":
            return self._token(form)
        if path == "/logout" and method == "GET":
            return self._logout(params)
        return Reply(405, {"content-type": "application/json"}, b'{"message":"Method Not Allowed"}')

    # --- the app client, as the pool has it -----------------------------------------------------

    def _client(self, client_id: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        if not client_id:
            return None
        try:
            client: dict[str, Any] = self.cognito.describe_user_pool_client(
                UserPoolId=self.pool, ClientId=client_id)["UserPoolClient"]
        except ClientError:
            return None
        return client

    def _check(self, params: dict[str, str]) -> _Request | Reply:
        client = self._client(params.get("client_id", ""))
        if client is None or not client.get("AllowedOAuthFlowsUserPoolClient"):
            return _error_page("このアプリからはサインインできません。", "invalid_client")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.get("CallbackURLs", []):
            return _error_page("リダイレクト先が登録されていません。", "redirect_mismatch")
        state = params.get("state")

        def back(error: str) -> Reply:
            return _redirect(_with_query(redirect_uri, {"error": error, "state": state}))

        response_type = params.get("response_type", "")
        flows = client.get("AllowedOAuthFlows", [])
        if response_type not in ("code", "token"):
            return back("unsupported_response_type")
        if {"code": "code", "token": "implicit"}[response_type] not in flows:
            return back("unauthorized_client")
        if response_type != "code":
            return _error_page("このスタンドインは認可コードフローだけを扱います。", "unsupported_response_type")
        challenge = params.get("code_challenge") or None
        method = params.get("code_challenge_method") or None
        if (challenge is None) != (method is None) or (method is not None and method != "S256"):
            return back("invalid_request")
        allowed = client.get("AllowedOAuthScopes", [])
        scope = params.get("scope") or " ".join(allowed)
        if not set(scope.split()) <= set(allowed):
            return back("invalid_scope")
        return _Request(client["ClientId"], redirect_uri, state, scope, challenge)

    # --- the sign-in page -------------------------------------------------------------------------

    def _form(self, query: str, error: str = "", username: str = "") -> Reply:
        note = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        return _page("サインイン", f"""{note}
<form method="post" action="/login?{html.escape(query)}">
<label for="username">ユーザー名</label>
<input id="username" name="username" value="{html.escape(username)}" autocomplete="username" required autofocus>
<label for="password">パスワード</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">サインイン</button>
</form>""")

    def _new_password_form(self, query: str, username: str, session: str, error: str = "") -> Reply:
        note = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        return _page("新しいパスワード", f"""<p>初回のサインインです。新しいパスワードを設定してください。</p>{note}
<form method="post" action="/login?{html.escape(query)}">
<input type="hidden" name="username" value="{html.escape(username)}">
<input type="hidden" name="session" value="{html.escape(session)}">
<label for="new_password">新しいパスワード</label>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" required autofocus>
<button type="submit">パスワードを設定してサインイン</button>
</form>""")

    def _login(self, params: dict[str, str], query: str, form: dict[str, str]) -> Reply:
        from botocore.exceptions import ClientError

        checked = self._check(params)
        if isinstance(checked, Reply):
            return checked
        username = form.get("username", "").strip()
        try:
            if form.get("session"):
                answer = self.cognito.respond_to_auth_challenge(
                    ClientId=checked.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=form["session"],
                    ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": form.get("new_password", "")})
            else:
                answer = self.cognito.initiate_auth(
                    ClientId=checked.client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": username, "PASSWORD": form.get("password", "")})
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", ""), str(error.get("Message", ""))
            if code == "InvalidPasswordException" and form.get("session"):
                return self._new_password_form(query, username, form["session"],
                                               "パスワードの条件を満たしていません（12文字以上、大文字・小文字・数字・記号）。")
            if code == "NotAuthorizedException" and "disabled" in message.lower():
                return self._form(query, "このアカウントは無効になっています。管理者にお問い合わせください。", username)
            if code in ("NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"):
                return self._form(query, "ユーザー名またはパスワードが正しくありません。", username)
            raise
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            return self._new_password_form(query, username, answer["Session"])
        if "AuthenticationResult" not in answer:
            return _error_page("このサインイン方法には対応していません。", str(answer.get("ChallengeName")))
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = _Code(checked, dict(answer["AuthenticationResult"]), self.clock())
        return _redirect(_with_query(checked.redirect_uri, {"code": code, "state": checked.state}))

    # --- the token endpoint -----------------------------------------------------------------------

    def _token(self, form: dict[str, str]) -> Reply:
        from botocore.exceptions import ClientError

        grant = form.get("grant_type", "")
        client = self._client(form.get("client_id", ""))
        if not grant:
            return _token_error("invalid_request")
        if client is None:
            return _token_error("invalid_client")
        if client.get("ClientSecret"):  # only public clients here: the web desk's has no secret
            return _token_error("invalid_client")
        if grant == "authorization_code":
            with self._lock:
                issued = self._codes.pop(form.get("code", ""), None)  # a code is used up by any attempt
            if issued is None or self.clock() - issued.issued > CODE_TTL:
                return _token_error("invalid_grant")
            request = issued.request
            if request.client_id != client["ClientId"] or form.get("redirect_uri") != request.redirect_uri:
                return _token_error("invalid_grant")
            if request.code_challenge is not None and s256(form.get("code_verifier", "")) != request.code_challenge:
                return _token_error("invalid_grant")
            tokens = issued.tokens
            self.grants.append("authorization_code")
            return self._tokens(tokens["IdToken"], tokens["AccessToken"], tokens.get("RefreshToken"),
                                int(tokens.get("ExpiresIn", 3600)))
        if grant == "refresh_token":
            if not form.get("refresh_token"):
                return _token_error("invalid_request")
            try:
                result = self.cognito.initiate_auth(
                    ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": form["refresh_token"]})["AuthenticationResult"]
            except ClientError:
                return _token_error("invalid_grant")
            self.grants.append("refresh_token")
            return self._tokens(result["IdToken"], result["AccessToken"], None, int(result.get("ExpiresIn", 3600)))
        return _token_error("unsupported_grant_type")

    def _tokens(self, id_token: str, access_token: str, refresh_token: str | None, expires_in: int) -> Reply:
        body: dict[str, Any] = {"id_token": id_token, "access_token": access_token}
        if refresh_token:
            body["refresh_token"] = refresh_token
        body |= {"expires_in": self.stated_ttl_s or expires_in, "token_type": "Bearer"}
        return Reply(200, {"content-type": "application/json;charset=UTF-8", "cache-control": "no-store",
                           "pragma": "no-cache"}, json.dumps(body).encode())

    # --- sign-out ---------------------------------------------------------------------------------

    def _logout(self, params: dict[str, str]) -> Reply:
        client = self._client(params.get("client_id", ""))
        if client is None:
            return _error_page("このアプリからはサインアウトできません。", "invalid_client")
        logout_uri = params.get("logout_uri", "")
        if logout_uri not in client.get("LogoutURLs", []):
            return _error_page("サインアウト後の移動先が登録されていません。", "redirect_mismatch")
        return _redirect(logout_uri)
