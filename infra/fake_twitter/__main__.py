"""Run the fake X API standalone: ``python -m infra.fake_twitter [--port N] [--tier pro]``.

The clock is a ManualClock starting now (UTC), so POST /_fake/clock works; seed it through
the /_fake/ admin endpoints. The three support accounts are registered, each with the bearer
token ``token-<username>``.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import ManualClock, system_clock
from infra.fake_twitter.server import FakeTwitterServer
from infra.fake_twitter.state import FakeTwitterState


def main(argv: list[str] | None = None) -> None:
    """Start the server and block until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tier", default="pro")
    args = parser.parse_args(argv)
    state = FakeTwitterState(ManualClock(system_clock()), tier=args.tier)
    state.add_users([{"id": a.user_id, "username": a.username, "name": a.username} for a in DEFAULT_ACCOUNTS])
    for account in DEFAULT_ACCOUNTS:
        state.add_token(f"token-{account.username}", account.user_id)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with FakeTwitterServer(state, port=args.port) as server:
        print(server.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            done.wait()


if __name__ == "__main__":
    main()
