"""Helpers for the fake-X and gateway integration tests (imported, not auto-loaded by pytest)."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import ManualClock, iso_z
from activecare.twitter.gateway import TweepyGateway, make_gateway
from activecare.twitter.snowflake import snowflake
from infra.fake_twitter import FakeTwitterServer, FakeTwitterState

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 10:00 JST
HELP, SIGNAL, WIFI = DEFAULT_ACCOUNTS
USER_TOKEN = "user-token-help"  # OAuth 2.0 user context of @activecare_help
APP_TOKEN = "app-only-bearer"
CUSTOMER = {"id": "1300000000000000001", "username": "hanako", "name": "花子",
            "created_at": "2019-04-01T00:00:00.000Z",
            "public_metrics": {"followers_count": 42, "following_count": 100, "tweet_count": 1234,
                               "listed_count": 1}}
REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT.parent / "shared" / "reference"  # read in place, never copied into the repo
CASSETTES = REFERENCE / "tweepy-cassettes"


@dataclass
class FakeX:
    """A running fake X API with a manual clock, the support accounts and one customer."""

    clock: ManualClock
    state: FakeTwitterState
    base_url: str
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def gateway(self, token: str = USER_TOKEN, **kw: Any) -> TweepyGateway:
        return make_gateway(token, base_url=self.base_url, **kw)

    def tweet(self, text: str, *, author: str = CUSTOMER["id"], ago: timedelta = timedelta(minutes=1),
              **extra: Any) -> dict[str, Any]:
        """Add one post created `ago` before now (negative: in the future) and return it."""
        at = self.clock() - ago
        body = {"id": snowflake(at, next(self._seq)), "text": text, "author_id": author,
                "created_at": iso_z(at), **extra}
        self.state.add_tweets([body])
        return body

    def get(self, path: str, token: str | None = APP_TOKEN, **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(self.base_url + path, params=params, headers=headers, timeout=5)

    def post(self, path: str, payload: Any, token: str | None = USER_TOKEN) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.post(self.base_url + path, json=payload, headers=headers, timeout=5)


@contextmanager
def running_fake(tier: str = "pro") -> Iterator[FakeX]:
    """Start a fake X API on a free loopback port; stop it afterwards."""
    clock = ManualClock(NOW)
    state = FakeTwitterState(clock, tier=tier)
    state.add_users([{"id": a.user_id, "username": a.username, "name": "サポート",
                      "created_at": "2012-04-01T00:00:00.000Z"} for a in DEFAULT_ACCOUNTS])
    state.add_users([CUSTOMER])
    state.add_token(USER_TOKEN, HELP.user_id)
    with FakeTwitterServer(state) as server:
        yield FakeX(clock, state, server.base_url)


@dataclass
class Recorded:
    """One recorded response; `body` exactly as recorded (gzip-compressed)."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        raw = self.body
        if self.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return json.loads(raw)


def load(name: str) -> dict[tuple[str, str], Recorded]:
    """The interactions of one vcrpy cassette, keyed by (method, path); `!!binary` bodies are bytes."""
    doc = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text(encoding="utf-8"))
    out = {}
    for item in doc["interactions"]:
        req, resp = item["request"], item["response"]
        body = resp["body"]["string"]
        headers = {k.lower(): v[0] for k, v in resp["headers"].items()
                   if k.lower() in ("content-type", "content-encoding", "x-rate-limit-limit",
                                    "x-rate-limit-remaining", "x-rate-limit-reset")}
        out[(req["method"], urlsplit(req["uri"]).path)] = Recorded(
            resp["status"]["code"], headers, body if isinstance(body, bytes) else body.encode())
    return out
