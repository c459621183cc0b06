"""`activecare login` / `activecare logout`: an agent's sign-in to the desk from the command line.

    activecare [--stack NAME] login [--username U] [--password-stdin]
    activecare [--stack NAME] logout

`login` signs in with the stack's CLI app client (Cognito InitiateAuth, USER_PASSWORD_AUTH: the password goes
to Cognito over TLS, never to the desk API); a first sign-in with a temporary password asks for a new one.
The tokens are kept in $XDG_CACHE_HOME/activecare/session-<stack or local>.json (mode 0600) and the access
token is refreshed (REFRESH_TOKEN_AUTH) when it is within a minute of expiring, for as long as the refresh
token lives (12 hours: a shift). `bearer_token()` is what the desk commands send as `Authorization: Bearer`.

Without --stack: the client is $CLI_CLIENT_ID in $AWS_REGION, and $ACTIVECARE_COGNITO_ENDPOINT points at a
local stack's moto. No AWS credentials are needed to sign in (with --stack, reading its outputs does).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from activecare.cli.common import CliError, cognito_client, settings, stack_or_setting, target
from activecare.roles import GROUPS, ordered
from activecare.settings import cache_home

REFRESH_BEFORE_S = 60
Now = Callable[[], float]


@dataclass
class Session:
    username: str
    groups: list[str]
    client_id: str
    region: str
    access_token: str
    id_token: str
    refresh_token: str
    expires_at: float  # epoch seconds: when the access token expires


def session_name() -> str:
    return target.stack_name or "local"


def session_path(name: str | None = None) -> Path:
    return cache_home() / f"session-{name or session_name()}.json"


def _claims(token: str) -> dict[str, Any]:
    """The payload of a token Cognito just handed us (for the name and groups shown; the API verifies it)."""
    try:
        part = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))
    except (IndexError, ValueError):
        return {}


def save(session: Session, path: Path | None = None) -> Path:
    """Write the session readable by its owner only (0600, in a 0700 directory), replacing any earlier one."""
    target_path = path or session_path()
    target_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = target_path.with_name(f".{target_path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask or an older file said
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(session), out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, target_path)
    return target_path


def load(path: Path | None = None) -> Session | None:
    source = path or session_path()
    try:
        return Session(**json.loads(source.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        raise CliError(f"{source} is not a session this CLI wrote: run `activecare login` again") from None


def _client_id() -> str:
    return stack_or_setting("CliClientId", settings().cli_client_id, "CLI_CLIENT_ID")


def _region() -> str:
    stack = target.stack()
    return stack.region if stack is not None else settings().region


def _auth_error(exc: Exception) -> CliError | None:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "")
    if code in ("NotAuthorizedException", "UserNotFoundException"):  # one answer, whether or not the user exists
        reason = message if "disabled" in message.lower() or "exceeded" in message.lower() else \
            "incorrect user name or password"
        return CliError(f"sign-in refused: {reason}")
    if code == "PasswordResetRequiredException":
        return CliError("sign-in refused: the password must be reset (ask an admin: `activecare staff ...`)")
    if code == "InvalidPasswordException":
        return CliError(f"new password refused: {message}")
    if code in ("ResourceNotFoundException", "InvalidParameterException"):
        return CliError(f"the CLI app client cannot sign in: {code}: {message}")
    return None


def sign_in(username: str, password: str, new_password: Callable[[], str], *, client: Any, client_id: str,
            region: str, now: Now = time.time) -> Session:
    """InitiateAuth (USER_PASSWORD_AUTH); a NEW_PASSWORD_REQUIRED challenge is answered with `new_password()`."""
    from botocore.exceptions import ClientError

    try:
        answer = client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": username, "PASSWORD": password})
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            answer = client.respond_to_auth_challenge(
                ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=answer["Session"],
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password()})
    except ClientError as exc:
        raise (_auth_error(exc) or exc) from None
    if "AuthenticationResult" not in answer:
        raise CliError(f"sign-in needs {answer.get('ChallengeName')}, which `activecare login` does not answer yet")
    result = answer["AuthenticationResult"]
    claims = _claims(result["AccessToken"])
    groups = claims.get("cognito:groups") or []
    return Session(username=str(claims.get("username") or username), groups=_ordered(groups),
                   client_id=client_id, region=region, access_token=result["AccessToken"],
                   id_token=result.get("IdToken", ""), refresh_token=result.get("RefreshToken", ""),
                   expires_at=now() + int(result.get("ExpiresIn", 3600)))


def refresh(session: Session, *, client: Any, now: Now = time.time) -> Session:
    """New access and ID tokens from the refresh token (REFRESH_TOKEN_AUTH); the refresh token stays."""
    from botocore.exceptions import ClientError

    try:
        answer = client.initiate_auth(ClientId=session.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": session.refresh_token})
    except ClientError as exc:
        code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code", "")
        if code == "NotAuthorizedException":  # expired, revoked, or the member was disabled
            session_path().unlink(missing_ok=True)
            raise CliError("the sign-in has expired: run `activecare login` again") from None
        raise
    result = answer["AuthenticationResult"]
    claims = _claims(result["AccessToken"])
    return Session(username=session.username, groups=_ordered(claims.get("cognito:groups") or []),
                   client_id=session.client_id, region=session.region, access_token=result["AccessToken"],
                   id_token=result.get("IdToken", session.id_token),
                   refresh_token=result.get("RefreshToken") or session.refresh_token,
                   expires_at=now() + int(result.get("ExpiresIn", 3600)))


def bearer_token(*, now: Now = time.time, client: Any = None) -> str:
    """The signed-in agent's access token for `Authorization: Bearer`, refreshed first when it expires within a
    minute. Not signed in (or the refresh token expired) -> CliError telling to run `activecare login`."""
    session = load()
    if session is None:
        raise CliError(f"not signed in ({session_name()}): run `activecare login`")
    if session.expires_at - now() <= REFRESH_BEFORE_S:
        session = refresh(session, client=client or cognito_client(session.region), now=now)
        save(session)
    return session.access_token


def _read_passwords(args: argparse.Namespace) -> tuple[str, Callable[[], str]]:
    if args.password_stdin:
        lines = sys.stdin.read().splitlines()
        if not lines or not lines[0]:
            raise CliError("--password-stdin: no password on stdin")

        def next_line() -> str:
            if len(lines) < 2 or not lines[1]:
                raise CliError("a new password is required: give it on the second line of stdin")
            return lines[1]

        return lines[0], next_line

    def ask_new() -> str:
        print("初回のサインインです。新しいパスワードを設定してください。", file=sys.stderr)
        first = getpass.getpass("新しいパスワード: ")
        if first != getpass.getpass("新しいパスワード（確認）: "):
            raise CliError("the two new passwords differ")
        return first

    return getpass.getpass("パスワード: "), ask_new


def _ordered(groups: object) -> list[str]:
    """The token's groups in the pool's order (agents, supervisors, admins): Cognito does not keep one."""
    names = {str(g) for g in groups} if isinstance(groups, list | tuple) else set()
    return [*ordered(names), *sorted(names - set(GROUPS))]


def cmd_login(args: argparse.Namespace) -> int:
    username = (args.username or "").strip()
    if not username:
        if args.password_stdin:
            raise CliError("--password-stdin needs --username")
        username = input("ユーザー名: ").strip()
    password, new_password = _read_passwords(args)
    region = _region()
    session = sign_in(username, password, new_password, client=cognito_client(region), client_id=_client_id(),
                      region=region)
    path = save(session)
    until = time.strftime("%H:%M", time.localtime(session.expires_at))
    print(f"{session.username} としてサインインしました（{', '.join(session.groups) or 'グループなし'}）。"
          f"アクセストークンは {until} まで、以降は自動で更新します。({path})")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    session = load()
    path = session_path()
    if session is None:
        print(f"サインインしていません（{session_name()}）")
        return 0
    path.unlink(missing_ok=True)
    try:  # the refresh token stops working at once (Cognito RevokeToken); the access token lives out its hour
        cognito_client(session.region).revoke_token(Token=session.refresh_token, ClientId=session.client_id)
        revoked = True
    except (ClientError, BotoCoreError):
        revoked = False
    print(f"{session.username} をサインアウトしました" + ("" if revoked else
          "（リフレッシュトークンは失効させられませんでした。期限まで有効です）"))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("login", help="sign in to the desk (Cognito); the session is kept for the shift")
    p.add_argument("--username", help="your user name (default: asked)")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from stdin (a new one on the second line, at the first sign-in)")
    p.set_defaults(func=cmd_login)
    p = sub.add_parser("logout", help="forget the session and revoke its refresh token")
    p.set_defaults(func=cmd_logout)
