"""Real X API v2 recordings (tweepy's own vcrpy cassettes) replayed over HTTP through the
project's gateway: the gateway must turn genuine responses into the right domain types."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from activecare.twitter.gateway import TWEET_FIELDS, TweepyGateway, make_gateway
from activecare.twitter.models import Tweet, User
from activecare.twitter.snowflake import snowflake_time
from tests.integration.conftest_twitter import CASSETTES, Recorded, load

pytestmark = pytest.mark.skipif(not CASSETTES.is_dir(),
                                reason=f"reference recordings not found at {CASSETTES}")


@dataclass
class Replay:
    """Recorded responses keyed by (method, path); requests received, for assertions."""

    responses: dict[tuple[str, str], Recorded] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)


def _handler(replay: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            replay.received.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                                    "headers": dict(self.headers), "body": body})
            rec = replay.responses.get((self.command, url.path))
            if rec is None:
                rec = Recorded(404, {"content-type": "application/json"}, b'{"title":"Not Found"}')
            self.send_response(rec.status)
            for name, value in rec.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(rec.body)))
            self.end_headers()
            self.wfile.write(rec.body)

        do_GET = _serve
        do_POST = _serve

    return Handler


@pytest.fixture
def replay() -> Iterator[tuple[Replay, TweepyGateway]]:
    state = Replay()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield state, make_gateway("recorded-bearer", base_url=f"http://{host}:{port}")
    finally:
        httpd.shutdown()
        httpd.server_close()


def _check_tweets(tweets: list[Tweet], recorded: list[dict[str, Any]]) -> None:
    assert [t.id for t in tweets] == [r["id"] for r in recorded]
    assert [t.text for t in tweets] == [r["text"] for r in recorded]
    for t in tweets:  # the recordings asked for no fields: time comes from the snowflake id
        assert isinstance(t, Tweet) and t.created_at == snowflake_time(t.id)
        assert t.author_id == "" and t.author is None and t.referenced_tweets == ()


def test_search_recent_recording(replay: tuple[Replay, TweepyGateway]) -> None:
    state, gw = replay
    state.responses = load("test_client_search_recent_tweets")
    recorded = state.responses[("GET", "/2/tweets/search/recent")].json()
    page = gw.search_recent("Tweepy", max_results=10)
    _check_tweets(page.tweets, recorded["data"])
    assert (page.newest_id, page.oldest_id, page.next_token, page.result_count) == (
        "1578516068309794817", "1578511538419212288", "b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul", 10)
    sent = state.received[-1]
    assert sent["query"]["query"] == ["Tweepy"] and sent["query"]["max_results"] == ["10"]
    assert sent["query"]["tweet.fields"] == [",".join(TWEET_FIELDS)]
    # No user objects (billed $0.010 each): the poller looks up only the matched tweets' authors.
    assert "user.fields" not in sent["query"] and "expansions" not in sent["query"]
    assert sent["headers"]["Authorization"] == "Bearer recorded-bearer"
    assert gw.usage["search"] == 1


def test_users_mentions_recording(replay: tuple[Replay, TweepyGateway]) -> None:
    state, gw = replay
    state.responses = load("test_client_get_users_mentions")
    recorded = state.responses[("GET", "/2/users/783214/mentions")].json()
    page = gw.mentions("783214")
    _check_tweets(page.tweets, recorded["data"])
    assert page.result_count == recorded["meta"]["result_count"] == len(page.tweets)
    assert page.newest_id == recorded["meta"]["newest_id"]
    assert page.next_token == recorded["meta"]["next_token"]
    assert any("@Twitter" in t.text for t in page.tweets)


def test_users_tweets_recording(replay: tuple[Replay, TweepyGateway]) -> None:
    state, gw = replay
    state.responses = load("test_client_get_users_tweets")
    page = gw.user_tweets("783214", max_results=5)
    assert [t.id for t in page.tweets] == ["1577730467436138524", "1565318587736285184"]
    assert page.tweets[1].text.startswith("if you see an edited Tweet")
    assert (page.result_count, page.next_token) == (2, "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex")
    assert state.received[-1]["path"] == "/2/users/783214/tweets"


def test_lookup_users_recording(replay: tuple[Replay, TweepyGateway]) -> None:
    """The poller's lookup of matched authors: GET /2/users?ids= answers in the users-by-username shape."""
    state, gw = replay
    recorded = load("test_client_get_users")[("GET", "/2/users/by")]
    state.responses = {("GET", "/2/users"): recorded}
    users = gw.lookup_users(["783214", "2244994945"])
    assert [u.username for u in users] == [u["username"] for u in recorded.json()["data"]]
    sent = state.received[-1]
    assert sent["path"] == "/2/users" and sent["query"]["ids"] == ["783214,2244994945"]
    assert "user.fields" not in sent["query"]  # X's default fields: id, name, username
    assert gw.lookup_users([]) == [] and gw.usage["users"] == 1  # nothing to look up: no request


def test_get_me_recording(replay: tuple[Replay, TweepyGateway]) -> None:
    state, gw = replay
    state.responses = load("test_client_get_me")
    assert gw.me() == User(id="1072250532645998596", username="TweepyDev", name="Tweepy Testing")


def test_create_tweet_recording(replay: tuple[Replay, TweepyGateway]) -> None:
    state, gw = replay
    state.responses = load("test_client_create_and_delete_tweet")
    assert gw.post("Test Tweet") == "1456012973835788293"
    sent = state.received[-1]
    assert sent["method"] == "POST" and json.loads(sent["body"]) == {"text": "Test Tweet"}
    gw.post("Test Tweet", in_reply_to="1456012973835788000")
    assert json.loads(state.received[-1]["body"]) == {
        "text": "Test Tweet", "reply": {"in_reply_to_tweet_id": "1456012973835788000"}}
