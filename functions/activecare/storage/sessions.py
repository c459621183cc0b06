"""One botocore data loader for every pynamodb connection in the process.

pynamodb gives each table's connection (per thread) a botocore session of its own, and every new
session reads botocore's service model, endpoint rules and partitions from disk again: about 30 ms
of JSON per table on an idle core, repeated for each of the tables a cold Lambda touches and on every
`bind_tables` (the local stack, each test stack). The sessions made here share one loader, so the
files are parsed once per process; everything else a session holds (credentials, config, event
hooks) is still its own, made fresh as before. The loader only caches read-only data files.
"""

from __future__ import annotations

import threading

import botocore.session
from botocore.loaders import Loader

_lock = threading.Lock()
_loader: Loader | None = None


def _shared_loader() -> Loader:
    global _loader
    with _lock:
        if _loader is None:
            _loader = botocore.session.get_session().get_component("data_loader")
        return _loader


def session_with_shared_loader() -> botocore.session.Session:
    """What botocore.session.get_session() returns, with the process's shared data loader."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _shared_loader())
    return session


def share_loader_with_pynamodb() -> None:
    """pynamodb's connections make their sessions with this module's function from now on (idempotent)."""
    from pynamodb.connection import base

    base.get_session = session_with_shared_loader  # type: ignore[assignment]
