"""The web desk's figures on the local stack (infra/desk_live.py: moto, the staff pool, the desk function behind
the JWT-checking front), printed side by side with their targets; asserts nothing about time.

- queue page to interactive: headless Chromium (Debian's), signed in, from navigating to /desk until the
  queue's first row is on screen and the page answers a key (median and worst of N loads);
- desk API per route: p50 / p95 over N requests each with a staff access token, through the local front
  (token verified, handler invoked as API Gateway would), so the figure includes the JWT check;
- cold import of the desk handler (`desk.app`) in a fresh interpreter compiling from source, as Lambda does
  (tests/bench/bench_cold_import.py measures the built artifact).

Targets (the web-desk issue): page <= 500 ms, API p95 <= 150 ms.

Run: .venv/bin/python tests/bench/bench_desk.py [--loads 10] [--requests 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from infra.desk_live import LiveDesk  # noqa: E402

PASSWORD = "Bench-desk-2026!"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def page_loads(live: LiveDesk, loads: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP").new_page()
        page.goto(live.url + "/desk")
        page.fill("#username", "sato")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector(".qrow")
        for _ in range(loads + 1):  # the first warms the handler's caches, as a warm Lambda would
            start = time.perf_counter()
            page.goto(live.url + "/desk")
            page.wait_for_selector(".qrow", state="visible")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(1)))")  # painted, input handled
            times.append((time.perf_counter() - start) * 1000)
        browser.close()
    return times[1:]


def api_routes(live: LiveDesk, n: int) -> dict[str, list[float]]:
    import requests

    http = requests.Session()
    http.headers["Authorization"] = "Bearer " + live.pool.access_token("suzuki")
    ids = [live.seeded.last(u) for u in ("kenta_run", "sakura_n", "nao_photo", "ryo_dev", "emi_k", "mei_k")]
    routes: dict[str, list[float]] = {}

    def timed(name: str, method: str, path: str, **kw: object) -> None:
        start = time.perf_counter()
        resp = http.request(method, live.url + path, timeout=30, **kw)  # type: ignore[arg-type]
        routes.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        if resp.status_code >= 500:
            raise RuntimeError(f"{name}: {resp.status_code} {resp.text[:200]}")

    for i in range(n + 2):
        iid = ids[i % len(ids)]
        timed("GET /inquiries (age)", "GET", "/inquiries")
        timed("GET /inquiries (priority)", "GET", "/inquiries", params={"order": "priority"})
        timed("GET /inquiries/{id}", "GET", f"/inquiries/{iid}")
        timed("GET /inquiries/{id}/templates", "GET", f"/inquiries/{iid}/templates")
        timed("POST /inquiries/{id}/claim", "POST", f"/inquiries/{iid}/claim")
        timed("POST /inquiries/{id}/release", "POST", f"/inquiries/{iid}/release")
        timed("GET /figures", "GET", "/figures")
        timed("GET /me", "GET", "/me")
    aya = live.seeded.last("aya_h")  # a mention: the API replies (one post, then replays of the same token)
    token = uuid.uuid4().hex
    for _ in range(n + 2):
        timed("POST /inquiries/{id}/reply (replay)", "POST", f"/inquiries/{aya}/reply",
              json={"text": "aya_h様、温かいお言葉をありがとうございます。", "client_token": token})
    return {k: v[2:] for k, v in routes.items()}  # the first two of each warm the caches


def cold_import(runs: int) -> list[float]:
    probe = ("import sys, time; sys.path[:0] = [{functions!r}]; t = time.perf_counter(); import desk.app; "
             "print(time.perf_counter() - t)").format(functions=str(ROOT / "functions"))
    env = {**os.environ, "AWS_REGION": "ap-northeast-1", "AWS_DEFAULT_REGION": "ap-northeast-1"}
    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:  # an empty bytecode cache: every module compiles
            result = subprocess.run([sys.executable, "-X", f"pycache_prefix={cache}", "-c", probe], env=env,
                                    capture_output=True, text=True, check=True)
        out.append(float(result.stdout.split()[-1]) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--imports", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    with LiveDesk(password=PASSWORD, intent_links_to_stand_in=False) as live:
        live.seed()
        pages = page_loads(live, args.loads)
        routes = api_routes(live, args.requests)
    imports = cold_import(args.imports)
    print(f"{'figure':<44}{'p50 / median':>14}{'p95 / worst':>14}{'target':>12}")
    print(f"{'queue page to interactive (Chromium), ms':<44}{statistics.median(pages):>14.0f}{max(pages):>14.0f}"
          f"{'<= 500':>12}")
    for name, values in routes.items():
        print(f"{'API ' + name + ', ms':<44}{_pct(values, 0.5):>14.1f}{_pct(values, 0.95):>14.1f}{'p95 <= 150':>12}")
    print(f"{'cold import of desk.app (from source), ms':<44}{statistics.median(imports):>14.0f}"
          f"{max(imports):>14.0f}{'-':>12}")
    print(f"({args.loads} page loads, {args.requests} requests a route, {args.imports} imports; "
          f"{os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
