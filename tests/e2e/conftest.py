"""One headless Chromium (Debian's, driven by Playwright's sync API) for every browser test in a pytest process:
Playwright's sync API runs one event loop per process, so a second `sync_playwright()` opened while another
file's is still up fails - the browser is shared instead."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, headless, with the background services off: this machine's closed network refuses their connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
    assert shutil.which(CHROMIUM), f"Debian's chromium is missing at {CHROMIUM}: `make system-deps`"
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
