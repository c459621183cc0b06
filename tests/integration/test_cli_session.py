"""`activecare login` / `logout` and `bearer_token()` against the local stack's user pool (moto, over HTTP): the
session file is the owner's only, the access token is refreshed a minute before it expires, and what the CLI
sends is what the desk API's JWT authorizer takes."""

from __future__ import annotations

import io
import json
import stat
import time
from pathlib import Path

import pytest

from activecare.cli import main
from activecare.cli.common import CliError
from activecare.cli.session import bearer_token, load, session_path
from infra.local_stack import LocalStack, StaffPool

SCOPES = ("openid", "aws.cognito.signin.user.admin")  # template.yaml's DeskApiRoute


@pytest.fixture
def pool(stack: LocalStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StaffPool:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pool = stack.staff_pool()
    pool.create_staff({"sato": ["agents", "supervisors"]})
    return pool


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _login(monkeypatch: pytest.MonkeyPatch, username: str, lines: str) -> int:
    _stdin(monkeypatch, lines)
    return main(["login", "--username", username, "--password-stdin"])


def test_login_keeps_the_session_for_its_owner_only_and_the_desk_api_takes_the_token(
        pool: StaffPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _login(monkeypatch, "sato", f"{pool.passwords['sato']}\n") == 0
    assert "sato としてサインインしました（agents, supervisors）" in capsys.readouterr().out
    path = session_path()
    assert path == tmp_path / "cache" / "activecare" / "session-local.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["username"] == "sato" and saved["client_id"] == pool.cli_client_id and saved["refresh_token"]
    assert 3500 < saved["expires_at"] - time.time() <= 3600
    token = bearer_token()
    assert token == saved["access_token"]
    authorized = pool.authorizer().authorize(f"Bearer {token}", SCOPES)
    assert authorized.claims["username"] == "sato" and authorized.claims["client_id"] == pool.cli_client_id


def test_the_access_token_is_refreshed_within_a_minute_of_expiry(pool: StaffPool,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert _login(monkeypatch, "sato", f"{pool.passwords['sato']}\n") == 0
    first = load()
    assert first is not None
    assert bearer_token(now=lambda: first.expires_at - 61) == first.access_token  # not yet
    later = first.expires_at - 59
    token = bearer_token(now=lambda: later)
    assert token != first.access_token
    again = load()
    assert again is not None and again.access_token == token and again.refresh_token == first.refresh_token
    assert again.expires_at == later + 3600
    assert stat.S_IMODE(session_path().stat().st_mode) == 0o600
    pool.authorizer().authorize(f"Bearer {token}", SCOPES)


def test_a_revoked_refresh_token_ends_the_session(pool: StaffPool, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _login(monkeypatch, "sato", f"{pool.passwords['sato']}\n") == 0
    session = load()
    assert session is not None
    pool.cognito.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username="sato")
    with pytest.raises(CliError, match="run `activecare login` again"):
        bearer_token(now=lambda: session.expires_at)
    assert not session_path().exists()
    with pytest.raises(CliError, match="not signed in"):
        bearer_token()


def test_a_first_sign_in_sets_the_new_password(pool: StaffPool, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "add", "tanaka", "--email", "tanaka@example.co.jp", "--group", "agents",
                 "--print-password"]) == 0
    temporary = capsys.readouterr().out.rsplit(": ", 1)[1].strip()
    assert _login(monkeypatch, "tanaka", f"{temporary}\n") == 2
    assert "new password is required" in capsys.readouterr().err
    assert _login(monkeypatch, "tanaka", f"{temporary}\nTanaka-new-pass-1!\n") == 0
    assert "tanaka としてサインインしました" in capsys.readouterr().out
    assert _login(monkeypatch, "tanaka", "Tanaka-new-pass-1!\n") == 0  # the new password is the password now


def test_a_refused_sign_in_says_why_and_keeps_no_session(pool: StaffPool, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert _login(monkeypatch, "sato", "Wrong-password-1!\n") == 2
    assert _login(monkeypatch, "nobody", "Wrong-password-1!\n") == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors == ["error: sign-in refused: incorrect user name or password"] * 2
    pool.cognito.admin_disable_user(UserPoolId=pool.pool_id, Username="sato")
    assert _login(monkeypatch, "sato", f"{pool.passwords['sato']}\n") == 2
    assert "disabled" in capsys.readouterr().err
    assert not session_path().exists()


def test_logout_forgets_the_session(pool: StaffPool, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert _login(monkeypatch, "sato", f"{pool.passwords['sato']}\n") == 0
    capsys.readouterr()
    assert main(["logout"]) == 0
    assert "sato をサインアウトしました" in capsys.readouterr().out
    assert not session_path().exists()
    assert main(["logout"]) == 0
    assert "サインインしていません" in capsys.readouterr().out
