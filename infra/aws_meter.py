"""moto in server mode, with a meter: every AWS request the code makes is counted by
service and operation, so the day's summary and the benchmarks can report AWS
requests per tweet and DynamoDB writes per inquiry from what really crossed HTTP.

The same WSGI wrapper can answer a share of requests with a server-side error instead of
passing them to moto (`AwsFaults`): DynamoDB throttling, SES throttling, as AWS returns them,
so botocore's own retries run first and what they do not absorb reaches the code."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


class MeterReadings:
    """The figures read off `calls` ((channel, service, operation) -> n): by the meter here, or by the parent
    of a moto child process through infra.moto_process.RemoteAwsMeter."""

    calls: Counter[tuple[str, str, str]]

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


class AwsMeter(MeterReadings):
    """Counts (service, operation) per channel: what the simulation is doing at the time,
    e.g. "listening" or "desk", so each part's traffic is reported on its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = "listening"
        self.calls: Counter[tuple[str, str, str]] = Counter()

    def record(self, environ: dict[str, Any]) -> None:
        key = request_key(environ)
        if key is None:
            return
        with self._lock:
            self.calls[(self.current, *key)] += 1

    @contextmanager
    def channel(self, name: str) -> Iterator[None]:
        previous, self.current = self.current, name
        try:
            yield
        finally:
            self.current = previous

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()


def request_key(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(service, operation) of an AWS request; None for moto's own API and unsigned requests."""
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not scope or environ.get("PATH_INFO", "").startswith("/moto-api"):
        return None
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return scope.group(1), (target.rsplit(".", 1)[-1] if target else environ.get("REQUEST_METHOD", "?"))


# Error codes as AWS answers them, with their HTTP status; the JSON protocol for DynamoDB, the query protocol's
# XML for SES. InternalFailure with `after=True`: the service did the work, then the answer was a 500.
FAULT_CODES = {
    "dynamodb": {"ProvisionedThroughputExceededException": 400, "ThrottlingException": 400, "InternalServerError": 500},
    "ses": {"Throttling": 400, "InternalFailure": 500},
}


@dataclass
class AwsFault:
    """Answer matching requests with `code`: `burst` consecutive ones, then let `gap` through, `bursts` times.

    A burst longer than the client's retry budget (pynamodb: 4 attempts) reaches the code; a shorter one is
    absorbed by botocore's retries. `operations` None matches every operation of the service; `channel` (the
    meter's channel at the time, e.g. "listening") keeps the fault away from other parts of the simulation.
    `after`: the request is served by moto first (the work is done), then the error is answered instead."""

    service: str
    code: str
    burst: int = 1
    gap: int = 0
    bursts: int = 1
    operations: frozenset[str] | None = None
    channel: str | None = None
    after: bool = False
    seen: int = 0  # matching requests so far
    fired: int = 0  # requests answered with the error

    def matches(self, service: str, operation: str, channel: str) -> bool:
        return (service == self.service and (self.operations is None or operation in self.operations)
                and (self.channel is None or channel == self.channel))

    @property
    def spent(self) -> bool:
        return self.fired >= self.burst * self.bursts

    def take(self) -> bool:
        """Count one matching request; True if it gets the error."""
        period = self.burst + self.gap
        hit = not self.spent and self.seen % period < self.burst
        self.seen += 1
        self.fired += hit
        return hit


class AwsFaults:
    """Armed server-side faults, checked for every AWS request the metered server receives."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.armed: list[AwsFault] = []
        self.fired: Counter[tuple[str, str]] = Counter()  # (service, code) -> errors served

    def inject(self, service: str, code: str, *, burst: int = 1, gap: int = 0, bursts: int = 1,
               operations: Iterable[str] | None = None, channel: str | None = None, after: bool = False) -> AwsFault:
        if code not in FAULT_CODES.get(service, {}):
            raise ValueError(f"unknown fault {service}/{code}; expected one of {FAULT_CODES}")
        fault = AwsFault(service, code, burst, gap, bursts, frozenset(operations) if operations else None, channel,
                         after)
        with self._lock:
            self.armed.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.armed.clear()

    def take(self, service: str, operation: str, channel: str) -> AwsFault | None:
        with self._lock:
            for fault in self.armed:
                if fault.matches(service, operation, channel) and fault.take():
                    self.fired[(service, fault.code)] += 1
                    return fault
        return None


def _error_response(fault: AwsFault, start_response: Callable[..., Any]) -> list[bytes]:
    status = FAULT_CODES[fault.service][fault.code]
    message = ("We encountered an internal error. Please try again." if status >= 500 else
               "Rate of requests exceeds the allowed throughput." if fault.service == "dynamodb" else
               "Maximum sending rate exceeded.")
    if fault.service == "dynamodb":
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{fault.code}", "message": message}).encode()
        ctype = "application/x-amz-json-1.0"
    else:
        kind = "Receiver" if status >= 500 else "Sender"
        body = (f'<ErrorResponse xmlns="http://{fault.service}.amazonaws.com/doc/2010-12-01/"><Error><Type>{kind}'
                f"</Type><Code>{fault.code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>").encode()
        ctype = "text/xml"
    reason = "Internal Server Error" if status >= 500 else "Bad Request"
    start_response(f"{status} {reason}", [("Content-Type", ctype), ("Content-Length", str(len(body))),
                                       ("x-amzn-RequestId", str(uuid.uuid4()))])
    return [body]


class MeteredMotoServer(ThreadedMotoServer):
    def __init__(self, meter: AwsMeter) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.meter = meter
        self.faults = AwsFaults()

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        meter, faults = self.meter, self.faults

        def metered(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            meter.record(environ)
            if faults.armed:
                key = request_key(environ)
                fault = faults.take(key[0], key[1], meter.current) if key else None
                if fault is not None:
                    if fault.after:  # the service does the work; its answer is lost
                        list(app(environ, lambda *a, **k: (lambda data: None)))
                    else:
                        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))  # drain the body
                    return _error_response(fault, start_response)
            return app(environ, start_response)

        self._server = make_server(self._ip_address, self._port, metered, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=0.05)  # stop() returns within 50 ms, not the default 0.5 s
