"""moto in server mode in its own process, with the AWS meter inside it.

The simulated day runs many thousands of AWS calls. With moto on a thread of the same
process, client and server share one GIL (and one core); here the server runs in a child
process on loopback, so boto3/pynamodb and moto each have their own interpreter. The
behaviour the code sees is the same HTTP API; what differs from moto's threaded server:

- requests are served one at a time on the server's main thread (werkzeug closes every
  connection after its response, so no client can hold the server), and a lock around
  moto's app keeps it so: a conditional write is atomic as in DynamoDB (moto's threaded
  server has no lock; see tests/integration/test_publishing.py::dynamodb_atomicity, which
  does the same by hand);
- moto 5 serializes every response through a generic, shape-driven serializer that costs
  ~0.05 ms per attribute value (a 100-row Query of inquiries: tens of milliseconds; the
  keyword table's scan: ~0.4 s). DynamoDB's results are JSON already in wire format
  (moto's DynamoResult), so they are written with json.dumps; errors, blobs and anything
  but a plain result take moto's serializer. MOTO_PROCESS_CHECK=1 serializes both ways and
  reports any difference on stderr (checked over a 10-minute stretch of the day: none);
- moto's TransactWriteItems backs up the whole table once per *item* of the transaction
  (a deep copy each time); the backup is made once per table per transaction here. The
  backups are identical (nothing is written before the last one is taken), so only the cost
  changes: a 100-winner transaction against a 3,000-entrant table took over a minute;
- an item's size (moto checks it on every attribute set and on every item a Query or Scan
  passes) is computed without a wrapper object per map value, and a projection of plain
  top-level names (ProjectionExpression, KEYS_ONLY/INCLUDE indexes) picks the stored
  attributes instead of a round trip through Python values: the same figures and values
  (MOTO_PROCESS_CHECK=1 computes both ways too and reports any difference);
- one server serves the process's stacks one after another (`MotoProcess.acquire` /
  `release`): emptied in between (moto's reset, the meter's counts and channel), as a new
  child would be, without its start-up (imports, service models) each time.

The meter (infra.aws_meter.AwsMeter) counts in the child; the parent reads and steers it
through a small admin endpoint on the same port (`/_meter/...`, never metered):

    GET  /_meter/calls            -> [[channel, service, operation, n], ...]
    GET  /_meter/cpu              -> {"cpu_s": the server's CPU seconds so far}
    POST /_meter/channel?name=X   -> the channel later requests are counted under
    POST /_meter/reset            -> forget the counts

    python -m infra.moto_process   # prints the port on its first line, serves until killed
"""

from __future__ import annotations

import atexit
import copy
import json
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

from infra.aws_meter import MeterReadings

ADMIN = "/_meter/"


def _patch_transact_backup() -> None:
    """One deep copy per table per TransactWriteItems call instead of one per item (same result)."""
    from moto.dynamodb import models as ddb

    original = ddb.DynamoDBBackend.transact_write_items
    if getattr(original, "_copy_once", False):
        return
    copies: dict[int, Any] = {}
    active = threading.local()

    class _CopyOnce:
        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            # Only the tables' backups are shared; anything else (e.g. UpdateItem's copy of the old item)
            # is copied as before.
            if not getattr(active, "on", False) or not isinstance(value, ddb.Table):
                return copy.deepcopy(value, memo)
            key = id(value)
            if key not in copies:
                copies[key] = (value, copy.deepcopy(value, memo))  # keep `value` alive: its id stays unique
            return copies[key][1]

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        active.on = True
        try:
            return original(self, transact_items)
        finally:
            active.on = False
            copies.clear()

    transact_write_items._copy_once = True  # type: ignore[attr-defined]
    ddb.copy = _CopyOnce()  # type: ignore[assignment]
    ddb.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _patch_dynamodb_serializer(check: bool = False) -> None:
    """Write moto's DynamoDB results (already wire-format dicts) with json.dumps."""
    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult.execute_result, "_fast", False):
        return
    slow = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if isinstance(result, dict) and context.serializer_class.__name__ == "JSONSerializer":
            try:
                body = json.dumps(result, separators=(",", ":"))
            except (TypeError, ValueError):
                body = None
            if body is not None and '"B":' not in body and '"BS":' not in body:  # blobs: moto base64-encodes
                if check:
                    _, _, expected = slow(self, context)
                    if json.loads(expected) != json.loads(body):
                        print(f"moto_process: serializer mismatch in {context.operation_model.name}: "
                              f"{expected[:300]} != {body[:300]}", file=sys.stderr, flush=True)
                version = context.service_model.metadata.get("jsonVersion", "1.0")
                return 200, {"Content-Type": f"application/x-amz-json-{version}"}, body
        return slow(self, context)

    execute_result._fast = True  # type: ignore[attr-defined]
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]


TRACKED_SERVICES = frozenset({"ses"})  # what /moto-api/data.json is read for (infra/reporting_sim.sent_mail)


def _patch_instance_tracking() -> None:
    """moto keeps every model instance it ever made (`instances_tracked`, for its dashboard's data.json):
    each DynamoDB item version, each SQS message. Over a simulated day that is memory that only grows, and
    data.json (read for SES's sent mail) walks all of it with dir() and json.dumps per attribute: tens of
    seconds at the end of the day. Only the services data.json is read for are tracked here."""
    from moto.core import common_models

    base = common_models.BaseModel
    if getattr(base.__new__, "_selective", False):
        return

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        instance = super(base, cls).__new__(cls)  # type: ignore[misc]
        if cls.__module__.split(".")[1] in TRACKED_SERVICES:
            cls.instances_tracked.append(instance)  # type: ignore[attr-defined]
        return instance

    __new__._selective = True  # type: ignore[attr-defined]
    base.__new__ = __new__  # type: ignore[method-assign,assignment]


def _patch_attribute_size(check: bool = False) -> None:
    """moto's DynamoType.size without a new DynamoType per map value and set member (the same figure).

    moto sizes an item on every attribute it sets (LimitedSizeDict: the whole item again per attribute, so
    quadratic in the attributes) and on every item a Query or Scan passes; building wrapper objects made
    that a tenth of the server's time over the simulated day. `check`: compare with moto's own on each call."""
    from moto.dynamodb.models import dynamo_type as dt

    if getattr(dt.DynamoType.size, "_fast", False):
        return
    slow = dt.DynamoType.size
    bytesize, wrapper = dt.bytesize, dt.DynamoType

    def size_of(value: Any) -> int:
        if type(value) is not wrapper:
            return int(wrapper(value).size())  # a plain dict, as moto's own code wraps it
        kind, raw = value.type, value.value
        if kind == "N":
            return len(str(raw))
        if kind in ("SS", "NS", "BS"):
            if kind == "NS":
                return sum(len(str(v)) for v in raw)
            return sum(1 if isinstance(v, bool) else bytesize(v) for v in raw)
        if kind == "L":
            return sum(size_of(v) if type(v) is wrapper else v.size() for v in raw)
        if kind == "M":
            return sum(bytesize(k) + size_of(v) for k, v in raw.items())
        if isinstance(raw, bool):
            return 1
        return int(bytesize(raw))

    def size(self: Any) -> int:
        fast = size_of(self)
        if check:
            expected = slow(self)
            if expected != fast:
                print(f"moto_process: size mismatch {expected} != {fast} for {self!r:.300}", file=sys.stderr,
                      flush=True)
        return fast

    size._fast = True  # type: ignore[attr-defined]
    dt.DynamoType.size = size  # type: ignore[method-assign]


def _patch_top_level_projection(check: bool = False) -> None:
    """Item.project for top-level attribute names only (a ProjectionExpression of plain names, a KEYS_ONLY or
    INCLUDE index) picks those attributes, instead of moto's way: the whole item to Python values and back.

    The attributes come back as stored, as a GetItem without projection returns them (moto's round trip
    re-orders string sets and re-formats numbers: the same values). Paths into maps and lists keep moto's
    own code. `check`: compare both, as Python values, on each call."""
    from moto.dynamodb.models import dynamo_type as dt

    if getattr(dt.Item.project, "_fast", False):
        return
    slow = dt.Item.project

    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        if not all(len(path) == 1 and not path[0].endswith("]") for path in projection_expressions):
            return slow(self, projection_expressions)
        picked = {path[0]: self.attrs[path[0]] for path in projection_expressions if path[0] in self.attrs}
        fast = dt.Item(hash_key=self.hash_key, range_key=self.range_key, attrs=picked)
        if check:
            expected = slow(self, projection_expressions)
            if expected.to_regular_json() != fast.to_regular_json():
                print(f"moto_process: projection mismatch {projection_expressions}: {expected!r:.300} != "
                      f"{fast!r:.300}", file=sys.stderr, flush=True)
        return fast

    project._fast = True  # type: ignore[attr-defined]
    dt.Item.project = project  # type: ignore[method-assign]


def build_app() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    import os

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from infra.aws_meter import AwsMeter

    _patch_transact_backup()
    _patch_instance_tracking()
    _patch_dynamodb_serializer(check=bool(os.environ.get("MOTO_PROCESS_CHECK")))
    _patch_attribute_size(check=bool(os.environ.get("MOTO_PROCESS_CHECK")))
    _patch_top_level_projection(check=bool(os.environ.get("MOTO_PROCESS_CHECK")))
    meter = AwsMeter()
    moto_app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def admin(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        action = environ["PATH_INFO"][len(ADMIN):]
        body: Any = {"ok": True}
        if action == "calls":
            with meter._lock:
                body = [[ch, svc, op, n] for (ch, svc, op), n in meter.calls.items()]
        elif action == "channel":
            meter.current = parse_qs(environ.get("QUERY_STRING", "")).get("name", ["listening"])[0]
        elif action == "reset":
            meter.reset()
        elif action == "cpu":  # this server's CPU seconds so far (it outlives a stack: see MotoProcess.acquire)
            import resource

            usage = resource.getrusage(resource.RUSAGE_SELF)
            body = {"cpu_s": usage.ru_utime + usage.ru_stime}
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"ok": false}']
        data = json.dumps(body).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(ADMIN):
            return admin(environ, start_response)
        with lock:  # one request at a time: DynamoDB's conditional writes are atomic
            meter.record(environ)
            return list(moto_app(environ, start_response))

    return app


def serve() -> None:
    import logging

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    # Not threaded: werkzeug closes every connection after its response, so one request at a time on
    # the main thread serves every client, with no thread started per request.
    server = make_server("127.0.0.1", 0, build_app(), threaded=False, request_handler=MotoRequestHandler)
    print(server.port, flush=True)
    # The parent reads only that first line: nothing else may fill the pipe (and block this process).
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    server.serve_forever()


def _exit_with_parent(parent: int) -> None:
    """A server kept for reuse outlives its stacks: it must not outlive the process that started it
    (killed, or gone without running its atexit hooks)."""
    import os
    import time

    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


class RemoteAwsMeter(MeterReadings):
    """The parent's view of the meter in the child: the same interface as infra.aws_meter.AwsMeter
    (`channel`, `by_service`, `count`, `reset`, `calls`, `current`)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.current = "listening"

    def _call(self, method: str, action: str, query: str = "") -> Any:
        import urllib.request

        url = f"{self.endpoint}{ADMIN}{action}" + (f"?{query}" if query else "")
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=30) as resp:
            return json.load(resp)

    @contextmanager
    def channel(self, name: str) -> Iterator[None]:
        from urllib.parse import quote

        previous, self.current = self.current, name
        self._call("POST", "channel", f"name={quote(name)}")
        try:
            yield
        finally:
            self.current = previous
            self._call("POST", "channel", f"name={quote(previous)}")

    @property  # type: ignore[override]
    def calls(self) -> Counter[tuple[str, str, str]]:
        return Counter({(ch, svc, op): n for ch, svc, op, n in self._call("GET", "calls")})

    def reset(self) -> None:
        self._call("POST", "reset")


_spare: list[MotoProcess] = []
_spare_lock = threading.Lock()


class MotoProcess:
    """Start/stop the child; `get_host_and_port()` as moto's ThreadedMotoServer has it.

    `acquire()` / `release()`: a stack's server is kept when the stack stops, emptied (moto's reset, the
    meter's counts and channel), and handed to the next stack of this process - starting a child costs
    ~1 s of CPU for the imports and ~1-2 s more for the service models its first requests load (the fault
    suite starts two dozen stacks, each test file with a simulated day one or more). What a stack sees is
    the same as from a new child: every backend empty, the meter at zero on "listening"."""

    def __init__(self) -> None:
        self._proc: Any = None
        self.port = 0

    @classmethod
    def acquire(cls) -> MotoProcess:
        """A spare server of this process if one is alive, else a new one (started)."""
        with _spare_lock:
            while _spare:
                spare = _spare.pop()
                if spare.alive():
                    return spare
                spare.stop()
        server = cls()
        server.start()
        return server

    def release(self) -> None:
        """Empty the server and keep it for the next `acquire()`; stopped instead if it cannot be emptied."""
        from urllib.request import Request, urlopen

        if not self.alive():
            self.stop()
            return
        endpoint = f"http://127.0.0.1:{self.port}"
        try:
            urlopen(Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
            meter = RemoteAwsMeter(endpoint)
            meter._call("POST", "channel", "name=listening")
            meter.reset()
        except OSError:
            self.stop()
            return
        with _spare_lock:
            _spare.append(self)

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def cpu_s(self) -> float:
        """The child's CPU seconds so far (0 when it is not running)."""
        if not self.alive():
            return 0.0
        try:
            return float(RemoteAwsMeter(f"http://127.0.0.1:{self.port}")._call("GET", "cpu")["cpu_s"])
        except OSError:
            return 0.0

    def start(self) -> None:
        import os
        import subprocess
        from pathlib import Path

        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        for key in ("AWS_ENDPOINT_URL",):  # the child is the endpoint; it must not call itself
            env.pop(key, None)
        self._proc = subprocess.Popen([sys.executable, "-m", "infra.moto_process"], stdout=subprocess.PIPE,
                                      env=env, cwd=root)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().decode().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"moto process did not start (said {line!r})")
        self.port = int(line)

    def get_host_and_port(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def stop(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except Exception:
            self._proc.kill()
            self._proc.wait(timeout=10)
        if self._proc.stdout:
            self._proc.stdout.close()
        self._proc = None


def spare_cpu_s() -> float:
    """CPU seconds so far of the spare servers kept for reuse: they are not finished children (RUSAGE_CHILDREN
    counts them only once stopped), so a caller measuring a stack's CPU adds this before and after."""
    with _spare_lock:
        spares = list(_spare)
    return sum(s.cpu_s() for s in spares)


def _stop_spares() -> None:
    with _spare_lock:
        while _spare:
            _spare.pop().stop()


atexit.register(_stop_spares)


def _serve_profiled(path: str) -> None:
    """MOTO_PROCESS_PROFILE=FILE: profile the server side (cProfile), written when the process is stopped."""
    import cProfile
    import signal

    prof = cProfile.Profile()

    def stop(*_: object) -> None:
        prof.disable()
        prof.dump_stats(path)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    prof.enable()
    serve()


if __name__ == "__main__":
    import os

    if os.environ.get("MOTO_PROCESS_PROFILE"):
        _serve_profiled(os.environ["MOTO_PROCESS_PROFILE"])
    else:
        serve()
