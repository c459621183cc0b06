"""The desk API on loopback, as API Gateway (HTTP API, JWT authorizer) serves it on AWS.

The routes are template.yaml's (`AWS::ApiGatewayV2::Route`), chosen as API Gateway chooses: the exact path,
else the longest greedy `{proxy+}` prefix, else {"message":"Not Found"}. On a JWT route the Authorization
header's token is checked by the local JWT authorizer (infra/local_auth.py) before anything runs: 401
{"message":"Unauthorized"} (403 {"message":"Forbidden"} for a missing scope) and the handler is never called.
Otherwise the request becomes an API Gateway payload 2.0 event - with `requestContext.authorizer.jwt` {claims,
scopes} on a JWT route, none on an open one - and goes to the desk Lambda handler, one request at a time (one
execution environment). The hosted-UI stand-in (infra/local_hosted_ui.py), when given, answers its OAuth paths
on the same origin.

    pool = stack.staff_pool(); pool.create_staff({"sato": ["agents"]})
    with LocalDeskApi(pool.authorizer(), hosted_ui=pool.hosted_ui()) as api:
        pool.session("sato").get(f"{api.url}/inquiries")      # Authorization: Bearer <sato's access token>
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlsplit

from activecare.clock import Clock
from infra.lambda_runtime import context_for
from infra.local_auth import WWW_AUTHENTICATE, Authorized, Denied, JwtAuthorizer

if TYPE_CHECKING:
    from infra.local_hosted_ui import HostedUi

ACCOUNT_ID = "123456789012"
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
logger = logging.getLogger("activecare.local_api")


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST ... or ANY
    path: str  # /inquiries, /desk/{proxy+}, /
    authorization: Literal["JWT", "NONE"]
    scopes: tuple[str, ...] = ()
    target: str = "DeskIntegration"  # the integration (its function) the route invokes

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def greedy_prefix(self) -> str | None:
        return self.path[: -len("/{proxy+}")] if self.path.endswith("/{proxy+}") else None


def template_routes(template: dict[str, Any] | None = None, api: str = "DeskApi") -> list[Route]:
    """The routes of one HTTP API (the desk's; `WebhookApi`: X's webhook) as template.yaml declares them."""
    from infra.deploy import load_template

    resources = (template or load_template())["Resources"]
    routes = []
    for res in resources.values():
        if res["Type"] != "AWS::ApiGatewayV2::Route" or res["Properties"].get("ApiId") != {"Ref": api}:
            continue
        props = res["Properties"]
        method, path = props["RouteKey"].split(" ", 1)
        kind = props.get("AuthorizationType", "NONE")
        if kind not in ("JWT", "NONE"):
            raise ValueError(f"route {props['RouteKey']}: the local front has no {kind} authorizer")
        target = str((props.get("Target") or {}).get("Fn::Sub", "integrations/${DeskIntegration}"))
        routes.append(Route(method, path, kind, tuple(props.get("AuthorizationScopes", ())),
                            target.removeprefix("integrations/${").removesuffix("}")))
    return routes


def match_route(routes: Sequence[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """API Gateway's choice: an exact route (its method before ANY), else the longest greedy path."""
    def fits(route: Route) -> bool:
        return route.method in (method, "ANY")

    exact = [r for r in routes if r.path == path and fits(r)]
    if exact:
        return sorted(exact, key=lambda r: r.method == "ANY")[0], {}
    for route in sorted((r for r in routes if fits(r) and "{" in r.path and r.greedy_prefix is None),
                        key=lambda r: r.method == "ANY"):  # /form/{token}: one whole, non-empty segment each
        want, got = route.path.split("/"), path.split("/")
        if len(want) == len(got) and all(w == g or (w.startswith("{") and w.endswith("}") and g)
                                         for w, g in zip(want, got, strict=True)):
            return route, {w[1:-1]: g for w, g in zip(want, got, strict=True) if w.startswith("{")}
    # A greedy variable takes one character or more: /{proxy+} is not /, /desk/{proxy+} is not /desk/.
    greedy = [(r, r.greedy_prefix) for r in routes if r.greedy_prefix is not None and fits(r)]
    candidates = [(r, p) for r, p in greedy if p is not None and len(path) > len(p) + 1 and path.startswith(p + "/")]
    if not candidates:
        return None
    route, prefix = sorted(candidates, key=lambda rp: (-len(rp[1]), rp[0].method == "ANY"))[0]
    return route, {"proxy": path[len(prefix) + 1:]}


def http_api_event(method: str, raw_path: str, query: str, headers: dict[str, str], body: bytes, route: Route,
                   path_parameters: dict[str, str], authorized: Authorized | None) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2.0 event; `requestContext.authorizer` on a JWT route."""
    now = datetime.now(UTC)
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID, "apiId": "localdesk", "domainName": "127.0.0.1", "domainPrefix": "127",
        "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                 "userAgent": headers.get("user-agent", "")},
        "requestId": str(uuid.uuid4()), "routeKey": route.key, "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"), "timeEpoch": int(now.timestamp() * 1000),
    }
    if authorized is not None:
        context["authorizer"] = authorized.context()
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": route.key, "rawPath": raw_path, "rawQueryString": query,
        "headers": headers, "requestContext": context, "isBase64Encoded": False,
    }
    if params:
        event["queryStringParameters"] = params
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        event["body"] = body.decode("utf-8", errors="replace")
    return event


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: LocalDeskApi) -> None:
        super().__init__(address, _RequestHandler)
        self.api = api
        self.invoke_lock = threading.Lock()
        self.invocations = 0


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written apart: Nagle + delayed ACK would add 40 ms
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, from the stack's clock when the front has one (the web desk shows service hours by
        the server's time, which a simulated day moves)."""
        clock = self.server.api.clock
        if clock is None:
            return super().date_time_string(timestamp)
        return email.utils.format_datetime(clock().astimezone(UTC), usegmt=True)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        api = self.server.api
        if api.hosted_ui is not None and api.hosted_ui.handles(url.path):
            try:
                reply = api.hosted_ui.handle(method, url.path, url.query, headers, body)
            except Exception:
                logger.exception("the hosted-UI stand-in failed")
                self._reply(500, {"content-type": "application/json"}, b'{"error":"server_error"}')
                return
            self._reply(reply.status, reply.headers, reply.body)
            return
        matched = match_route(api.routes, method, url.path)
        if matched is None:
            self._reply(404, {"content-type": "application/json"}, b'{"message":"Not Found"}')
            return
        route, path_parameters = matched
        authorized: Authorized | None = None
        if route.authorization == "JWT":
            if api.authorizer is None:
                raise RuntimeError(f"route {route.key} needs a JWT authorizer and this front has none")
            try:
                authorized = api.authorizer.authorize(headers.get("authorization"), route.scopes)
            except Denied as denied:
                extra = {"www-authenticate": WWW_AUTHENTICATE} if denied.status == 401 else {}
                self._reply(denied.status, {"content-type": "application/json", **extra}, denied.body)
                return
        event = http_api_event(method, url.path, url.query, headers, body, route, path_parameters, authorized)
        with self.server.invoke_lock:
            self.server.invocations += 1
            try:
                handler = api.handler_for(route)
                result = handler(event, context_for(api.function_name if handler is api.handler else route.target))
            except Exception as exc:  # an unhandled error in the Lambda: API Gateway answers 500
                logger.exception("the %s handler raised", api.function_name)
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
    """Serve the desk handler on 127.0.0.1 (port 0 = a free port) behind the JWT authorizer."""

    def __init__(self, authorizer: JwtAuthorizer | None, handler: Handler | None = None, *,
                 hosted_ui: HostedUi | None = None, routes: Sequence[Route] | None = None,
                 on_start: Callable[[str], None] | None = None, host: str = "127.0.0.1", port: int = 0,
                 clock: Clock | None = None, handlers: dict[str, Handler] | None = None,
                 function_name: str = "desk") -> None:
        """`handlers`: integration -> handler for the routes of other functions (the form: FormIntegration,
        form.app's handler unless given). `on_start(url)`: called with the front's origin once it listens (the
        staff pool registers its callback and logout URLs there, as the template derives them from the API's). Another
        API of the template (X's webhook: infra/local_webhook.py) is served with its routes, its handler (as
        `handler`, `function_name`) and no authorizer."""
        if handler is None:
            from desk.app import handler as desk_handler

            handler = desk_handler
        self.handler: Handler = handler
        self.handlers = dict(handlers or {})
        self.function_name = function_name
        self.authorizer = authorizer
        self.hosted_ui = hosted_ui
        self.clock = clock
        self.routes = list(routes) if routes is not None else template_routes()
        self._on_start = on_start
        self._address = (host, port)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def handler_for(self, route: Route) -> Handler:
        if route.target not in self.handlers and route.target == "FormIntegration":
            from form.app import handler as form_handler

            self.handlers[route.target] = form_handler
        return self.handlers.get(route.target, self.handler)

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"

    @property
    def invocations(self) -> int:
        """Requests that reached the handler (a refused token never does)."""
        return self._httpd.invocations if self._httpd else 0

    def start(self) -> str:
        if self._httpd is None:
            self._httpd = _Server(self._address, self)
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="local-desk-api", daemon=True)
            self._thread.start()
            if self._on_start is not None:
                self._on_start(self.url)
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
