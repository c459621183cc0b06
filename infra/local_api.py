"""The desk API on loopback, as API Gateway (HTTP API, AWS_IAM authorizer) would serve it.

Each HTTP request becomes an API Gateway v2 event with an IAM authorizer context for the
agent named in the ``X-Local-Agent`` header (standing in for a SigV4 signature), and is
handed to the desk Lambda handler; its response is sent back. A request without the
header is refused with 403 before the handler runs, as IAM authorisation would. Handler
calls are serialised: one Lambda execution environment serves one request at a time.

    with LocalDeskApi() as api:
        requests.get(f"{api.url}/inquiries", headers={"X-Local-Agent": "sato"})
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.lambda_runtime import context_for

ACCOUNT_ID = "123456789012"
AGENT_HEADER = "X-Local-Agent"
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def http_api_event(method: str, raw_path: str, query: str, headers: dict[str, str], body: bytes,
                   agent: str | None) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2.0 event, with the IAM authorizer context if `agent`."""
    now = datetime.now(UTC)
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID, "apiId": "localdesk", "domainName": "127.0.0.1", "domainPrefix": "127",
        "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                 "userAgent": headers.get("user-agent", "")},
        "requestId": str(uuid.uuid4()), "routeKey": "$default", "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"), "timeEpoch": int(now.timestamp() * 1000),
    }
    if agent:
        groups = headers.get("x-local-groups", "agents").replace(",", " ")
        context["authorizer"] = {"jwt": {"claims": {"username": agent, "cognito:groups": f"[{groups}]",
                                                    "token_use": "access"}, "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": "$default", "rawPath": raw_path, "rawQueryString": query,
        "headers": headers, "requestContext": context, "isBase64Encoded": False,
    }
    if params:
        event["queryStringParameters"] = params
    if body:
        event["body"] = body.decode("utf-8", errors="replace")
    return event


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Handler) -> None:
        super().__init__(address, _RequestHandler)
        self.handler = handler
        self.invoke_lock = threading.Lock()
        self.invocations = 0


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        agent = self.headers.get(AGENT_HEADER)
        if not agent:
            self._reply(403, {"content-type": "application/json"}, b'{"message":"Forbidden"}')
            return
        event = http_api_event(method, url.path, url.query, headers, body, agent)
        with self.server.invoke_lock:
            self.server.invocations += 1
            try:
                result = self.server.handler(event, context_for("desk"))
            except Exception as exc:  # an unhandled error in the Lambda: API Gateway answers 500
                message = json.dumps({"message": "Internal Server Error", "error": repr(exc)}).encode()
                self._reply(500, {"content-type": "application/json"}, message)
                return
        out_headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        self._reply(int(result.get("statusCode", 200)), out_headers, (result.get("body") or "").encode("utf-8"))

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name != "content-length":
                self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LocalDeskApi:
    """Serve the desk handler on 127.0.0.1 (port 0 = a free port)."""

    def __init__(self, handler: Handler | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        if handler is None:
            from desk.app import handler as desk_handler

            handler = desk_handler
        self._handler = handler
        self._address = (host, port)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def invocations(self) -> int:
        return self._httpd.invocations if self._httpd else 0

    def start(self) -> str:
        if self._httpd is None:
            self._httpd = _Server(self._address, self._handler)
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="local-desk-api", daemon=True)
            self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> LocalDeskApi:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
