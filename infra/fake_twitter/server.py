"""The HTTP side of the fake X API v2: a ThreadingHTTPServer on 127.0.0.1 in a background thread.

Pipeline for every /2/ request: route -> auth (401) -> count -> fault -> rate limit (429) ->
endpoint -> x-rate-limit-* headers. Admin endpoints under /_fake/ (no auth, JSON) let another
process drive the state:

    POST /_fake/users    [user, ...] or {"users": [...]}
    POST /_fake/tweets   [tweet, ...] or {"tweets": [...]}
    POST /_fake/tokens   {"token": "...", "user_id": "..."}
    POST /_fake/clock    {"now": "2026-11-25T00:00:00Z"}  (409 unless the clock has .set())
    POST /_fake/faults   {"endpoint": "search", "kind": "5xx", "times": 2, "seconds": 1, "status": 503}
                         or {"clear": true[, "endpoint": "search"]}; DELETE /_fake/faults clears all
    POST /_fake/tier     {"tier": "basic"}
    POST /_fake/delete_tweet {"id": "..."}: the author deletes a post; POST /_fake/user_state {"id", "state":
                         "suspended"|"protected"|"deactivated"|"active"} (infra/fake_twitter/compliance.py)
    POST /_fake/reset_limits
    GET  /_fake/stats    request counts, 429s, faults, tier, clock, posted count, identical_across_accounts
    GET  /_fake/posted   {"data": [posts created through POST /2/tweets]}
    GET  /_fake/billing  X's pay-per-use bill per UTC day and per search query (billing.py)
    POST /_fake/by_hand  {"token": "<user token>", "text": "...", "in_reply_to": "<id>"}: a post a
                         person sends in the X app (intent link); the API's reply rule does not apply
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from activecare.clock import iso_z, parse_iso
from infra.fake_twitter import api
from infra.fake_twitter.faults import Fault
from infra.fake_twitter.limits import Decision
from infra.fake_twitter.problems import ApiError, about_blank, too_many_requests
from infra.fake_twitter.state import JSON, FakeTwitterState

Handler = Callable[[FakeTwitterState, api.ApiRequest], tuple[int, JSON]]
ROUTES: tuple[tuple[str, re.Pattern[str], str, Handler], ...] = (
    ("GET", re.compile(r"^/2/tweets/search/recent$"), "search", api.search_recent),
    ("GET", re.compile(r"^/2/users/me$"), "me", api.users_me),
    ("GET", re.compile(r"^/2/users/([^/]+)/mentions$"), "mentions", api.users_mentions),
    ("GET", re.compile(r"^/2/users/([^/]+)/tweets$"), "user_tweets", api.users_tweets),
    ("POST", re.compile(r"^/2/tweets$"), "post", api.create_tweet),
    ("GET", re.compile(r"^/2/tweets/([^/]+)/retweeted_by$"), "retweeted_by", api.retweeted_by),
    ("GET", re.compile(r"^/2/users/([^/]+)/followers$"), "followers", api.users_followers),
    ("POST", re.compile(r"^/2/dm_conversations/with/([^/]+)/messages$"), "dm_send", api.dm_send),
    ("GET", re.compile(r"^/2/dm_conversations/with/([^/]+)/dm_events$"), "dm_events", api.dm_events),
    ("GET", re.compile(r"^/2/dm_events$"), "dm_events_all", api.dm_events_all),
    ("GET", re.compile(r"^/2/tweets$"), "tweets_lookup", api.tweets_lookup),
    ("GET", re.compile(r"^/2/users$"), "users_lookup", api.users_lookup),
    ("POST", re.compile(r"^/2/compliance/jobs$"), "compliance_jobs", api.compliance_create),
    ("GET", re.compile(r"^/2/compliance/jobs$"), "compliance_jobs", api.compliance_list),
    ("GET", re.compile(r"^/2/compliance/jobs/([0-9]+)$"), "compliance_jobs", api.compliance_get),
)
_OAUTH_TOKEN_RE = re.compile(r'oauth_token="([^"]*)"')
JSON_TYPE = "application/json; charset=utf-8"
PROBLEM_TYPE = "application/problem+json"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: FakeTwitterState) -> None:
        super().__init__(address, _RequestHandler)
        self.state = state
        self.stopping = threading.Event()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    disable_nagle_algorithm = True  # header and body writes must not wait for delayed ACKs
    server: _HTTPServer

    def version_string(self) -> str:
        return "tsa_b"  # what api.x.com answers with

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    # --- plumbing ---------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        try:
            if url.path.startswith("/_storage/"):  # the compliance jobs' signed upload/download URLs
                signature = dict(parse_qsl(url.query)).get("signature", "")
                status, payload, ctype = self.server.state.compliance.storage(method, url.path, signature, body)
                self._send(status, payload, content_type=ctype, compress=False)
            elif url.path.startswith("/_fake/"):
                self._admin(method, url.path, body)
            else:
                self._api(method, url.path, url.query, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              content_type: str = JSON_TYPE, *, compress: bool = True, cut_at: int | None = None) -> None:
        if compress and "gzip" in (self.headers.get("Accept-Encoding") or "") and body:
            body = gzip.compress(body, mtime=0)
            headers = {**(headers or {}), "content-encoding": "gzip"}
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if cut_at is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut_at])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        ctype = JSON_TYPE if status < 400 else PROBLEM_TYPE
        self._send(status, _dumps(payload), headers, ctype)

    # --- the API ------------------------------------------------------------------------

    def _api(self, method: str, path: str, query: str, body: bytes) -> None:
        state = self.server.state
        route = _route(method, path)
        if route is None:
            err = about_blank(404, "Sorry, that page does not exist")
            self._send_json(err.status, err.body)
            return
        endpoint, handler, match = route
        authed, user_id = self._auth()
        if not authed:
            err = about_blank(401, "Unauthorized")
            self._send_json(err.status, err.body)
            return
        state.stats.count(endpoint)
        limit_user = user_id  # user context: per-user budget; app-only: the app's budget
        fault = state.faults.take(endpoint)
        if fault is not None:
            state.stats.count_fault(fault.kind)
            if fault.kind == "slow":
                self.server.stopping.wait(fault.seconds)
            elif fault.kind in ("429", "5xx"):
                self._serve_fault_status(fault, endpoint, limit_user)
                return
        decision = state.limiter.take(state.tier, endpoint, limit_user, state.now())
        if not decision.allowed:
            state.stats.count_429(endpoint)
            err = too_many_requests()
            self._send_json(err.status, err.body, decision.headers())
            return
        params: dict[str, str] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            params[name] = value
        request = api.ApiRequest(params, body, user_id, match.group(1) if match.groups() else "")
        try:
            status, payload = handler(state, request)
        except ApiError as err:
            status, payload = err.status, err.body
        if fault is None or fault.kind == "slow":  # a broken body is not billed (the caller read nothing)
            owned = endpoint == "me" or state.owns(request.path_id)
            state.billing.meter(endpoint, params, request.path_id, status, payload, state.now(), owned,
                                  body=body)
        if fault is not None and fault.kind in ("malformed", "truncated", "disconnect"):
            self._serve_broken(fault, status, payload, decision)
            return
        self._send_json(status, payload, decision.headers())

    def _serve_fault_status(self, fault: Fault, endpoint: str, user_id: str | None) -> None:
        state = self.server.state
        peek = state.limiter.take(state.tier, endpoint, user_id, state.now(), consume=False)
        if fault.kind == "429":
            state.stats.count_429(endpoint)
            err = too_many_requests()
            headers = Decision(False, peek.limit, 0, peek.reset).headers()
        else:
            err = about_blank(fault.status)
            headers = peek.headers()
        self._send_json(err.status, err.body, headers)

    def _serve_broken(self, fault: Fault, status: int, payload: JSON, decision: Decision) -> None:
        full = _dumps(payload)
        if fault.kind == "malformed":
            body = b"<html><body><h1>Over capacity</h1></body></html>"
            self._send(200, body, decision.headers(), compress=False)
        elif fault.kind == "truncated":
            self._send(status, full[: max(1, len(full) // 2)], decision.headers(), compress=False)
        else:
            self._send(status, full, decision.headers(), compress=False, cut_at=max(1, len(full) // 2))

    def _auth(self) -> tuple[bool, str | None]:
        """(authenticated, user id or None for app-only). Bearer tokens registered with
        add_token are user context; any other bearer token is app-only. OAuth 1.0a headers
        must carry a registered oauth_token (signatures are not verified)."""
        header = self.headers.get("Authorization") or ""
        state = self.server.state
        if header.startswith("Bearer "):
            token = header[len("Bearer "):].strip()
            return (bool(token), state.user_for_token(token) if token else None)
        if header.startswith("OAuth "):
            found = _OAUTH_TOKEN_RE.search(header)
            user_id = state.user_for_token(unquote(found.group(1))) if found else None
            return (user_id is not None, user_id)
        return (False, None)

    # --- admin --------------------------------------------------------------------------

    def _admin(self, method: str, path: str, body: bytes) -> None:
        state = self.server.state
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
            result = _admin_action(state, method, path, data)
        except LookupError as exc:
            self._send_json(404, {"error": str(exc)})
            return
        except TypeError as exc:
            self._send_json(409, {"error": str(exc)})
            return
        except (ValueError, KeyError) as exc:
            self._send_json(400, {"error": str(exc)})
            return
        self._send_json(200, result)


def _route(method: str, path: str) -> tuple[str, Handler, re.Match[str]] | None:
    for verb, pattern, endpoint, handler in ROUTES:
        match = pattern.match(path)
        if match and verb == method:
            return endpoint, handler, match
    return None


def _items(data: Any, key: str) -> list[JSON]:
    if isinstance(data, dict):
        data = data.get(key, data.get("data", []))
    if not isinstance(data, list):
        raise ValueError(f"expected a list of {key}")
    return data


def _admin_action(state: FakeTwitterState, method: str, path: str, data: Any) -> JSON:
    """Apply one admin call; raises LookupError (404), TypeError (409), ValueError (400)."""
    route = (method, path.rstrip("/"))
    if route == ("GET", "/_fake/stats"):
        return {**state.stats.snapshot(), "tier": state.tier, "now": iso_z(state.now()),
                "posted": len(state.posted), "armed_faults": state.faults.active()}
    if route == ("GET", "/_fake/billing"):
        return state.billing.report()
    if route == ("GET", "/_fake/posted"):
        with state.lock:
            return {"data": list(state.posted)}
    if route == ("POST", "/_fake/users"):
        users = _items(data, "users")
        state.add_users(users)
        return {"added": len(users)}
    if route == ("POST", "/_fake/tweets"):
        tweets = _items(data, "tweets")
        state.add_tweets(tweets)
        return {"added": len(tweets)}
    if route == ("POST", "/_fake/by_hand"):
        user_id = state.user_for_token(str(data["token"]))
        if user_id is None:
            raise LookupError("unknown token")
        reply_to = data.get("in_reply_to")
        try:
            tweet = state.post_by_hand(user_id, str(data["text"]), reply_to=str(reply_to) if reply_to else None)
        except ApiError as err:
            raise ValueError(str(err.body.get("detail"))) from None
        return {"data": {"id": tweet["id"], "text": tweet["text"]}}
    if route == ("POST", "/_fake/dm"):  # a person's DM in X's app: a user to the account, an agent by hand
        event = state.social.user_dm(str(data["sender_id"]), str(data["participant_id"]), str(data["text"]))
        return {"data": {"dm_event_id": event["id"]}}
    if route == ("POST", "/_fake/tokens"):
        state.add_token(str(data["token"]), str(data["user_id"]))
        return {"ok": True}
    if route == ("POST", "/_fake/clock"):
        state.set_clock(parse_iso(str(data["now"])))
        return {"now": iso_z(state.now())}
    if route == ("POST", "/_fake/faults"):
        if data.get("clear"):
            state.faults.clear(data.get("endpoint"))
        else:
            state.faults.inject(str(data.get("endpoint", "*")), str(data["kind"]), times=data.get("times", 1),
                                seconds=float(data.get("seconds", 1.0)), status=int(data.get("status", 503)))
        return {"armed": state.faults.active()}
    if route == ("DELETE", "/_fake/faults"):
        state.faults.clear()
        return {"armed": {}}
    if route == ("POST", "/_fake/delete_tweet"):
        return {"deleted": state.compliance.delete_tweet(str(data["id"]))}
    if route == ("POST", "/_fake/user_state"):
        state.compliance.set_user(str(data["id"]), str(data["state"]))
        return {"id": str(data["id"]), "state": state.compliance.user_state(str(data["id"]))}
    if route == ("POST", "/_fake/tier"):
        state.set_tier(str(data["tier"]))
        return {"tier": state.tier}
    if route == ("POST", "/_fake/reset_limits"):
        state.reset_limits()
        return {"ok": True}
    raise LookupError(f"no admin route {method} {path}")


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class FakeTwitterServer:
    """Serve `state` over HTTP on 127.0.0.1 (port 0 = a free port).

    ``url = server.start()`` or ``with FakeTwitterServer(state) as server: server.base_url``.
    """

    def __init__(self, state: FakeTwitterState, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Bind, serve in a daemon thread, return the base URL ("http://127.0.0.1:PORT")."""
        if self._httpd is None:
            self._httpd = _HTTPServer(self._address, self.state)
            host, port = self._httpd.server_address[:2]
            self.state.compliance.storage_base = f"http://{host}:{port}"
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="fake-twitter", daemon=True)
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close the socket (slow faults in flight are woken up)."""
        if self._httpd is None:
            return
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeTwitterServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
