"""moto in server mode, with a meter: every AWS request the code makes is counted by
service and operation, so the day's summary and the benchmarks can report AWS
requests per tweet and DynamoDB writes per inquiry from what really crossed HTTP."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


class AwsMeter:
    """Counts (service, operation) per channel: what the simulation is doing at the time,
    e.g. "listening" or "desk", so each part's traffic is reported on its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = "listening"
        self.calls: Counter[tuple[str, str, str]] = Counter()

    def record(self, environ: dict[str, Any]) -> None:
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not scope or environ.get("PATH_INFO", "").startswith("/moto-api"):
            return
        operation = target.rsplit(".", 1)[-1] if target else environ.get("REQUEST_METHOD", "?")
        with self._lock:
            self.calls[(self.current, scope.group(1), operation)] += 1

    @contextmanager
    def channel(self, name: str) -> Iterator[None]:
        previous, self.current = self.current, name
        try:
            yield
        finally:
            self.current = previous

    def by_service(self, channel: str = "listening") -> Counter[str]:
        out: Counter[str] = Counter()
        for (ch, service, _), n in self.calls.items():
            if ch == channel:
                out[service] += n
        return out

    def count(self, service: str, operations: Iterable[str] | None = None, channel: str = "listening") -> int:
        ops = None if operations is None else set(operations)
        return sum(n for (ch, s, op), n in self.calls.items()
                   if ch == channel and s == service and (ops is None or op in ops))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()


class MeteredMotoServer(ThreadedMotoServer):
    def __init__(self, meter: AwsMeter) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.meter = meter

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        meter = self.meter

        def metered(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            meter.record(environ)
            return app(environ, start_response)

        self._server = make_server(self._ip_address, self._port, metered, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
