"""Cold start of each function: the import of its handler module (`<package>.app`) in a fresh interpreter
whose sys.path holds only that function's artifact and boto3 as Lambda's runtime has it, median of several
runs; and each deployable artifact's size (prints figures, asserts nothing about time).

The deployable artifacts (.aws-sam/build) carry python3.13 wheels (pydantic_core) that this machine's
Python cannot load, so the imports are timed on the same pinned requirements installed for this
interpreter (.aws-sam/host/<package>, infra.build.build_host_artifacts). Two figures per function:
"source" as Lambda runs it (/var/task is read-only and ships no bytecode, so each cold start compiles every
module it imports from the artifact) and "bytecode" with a warm bytecode cache (what shipping .pyc compiled
by python3.13 would give).

Run: .venv/bin/python tests/bench/bench_cold_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2])]

from infra.build import ROOT, build_functions, build_host_artifacts, function_dirs, handler_packages  # noqa: E402

LAMBDA_ENV = {"PATH": "/usr/bin:/bin", "AWS_REGION": "ap-northeast-1", "AWS_DEFAULT_REGION": "ap-northeast-1"}
_PROBE = """
import sys, time
sys.path[:0] = [{code!r}, {runtime!r}]
start = time.perf_counter()
import {package}.app
elapsed = time.perf_counter() - start
print(elapsed, int("tweepy" in sys.modules), len(sys.modules))
"""


def _run(package: str, dirs: dict[str, Path], *flags: str) -> tuple[float, bool, int, str]:
    """(seconds to import the handler, tweepy loaded, modules loaded, -X importtime output if asked)."""
    code = _PROBE.format(code=str(dirs[package]), runtime=str(dirs["_runtime"]), package=package)
    out = subprocess.run([sys.executable, "-I", "-S", *flags, "-c", code], capture_output=True, text=True,
                         check=True, env={**LAMBDA_ENV, "POWERTOOLS_SERVICE_NAME": package})
    seconds, tweepy, modules = out.stdout.split()
    return float(seconds), tweepy == "1", int(modules), out.stderr


def _heaviest(importtime: str, top: int = 4) -> str:
    """The top-level packages whose modules cost most to import (summed self time of `-X importtime`)."""
    costs: dict[str, int] = {}
    for line in importtime.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            name = parts[2].strip().split(".")[0]
            costs[name] = costs.get(name, 0) + int(parts[0])
    ranked = sorted(costs.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{name} {us / 1000:.0f}" for name, us in ranked)


def _sizes(path: Path) -> tuple[float, float]:
    """(unzipped MB, zipped MB) as `sam package` zips it."""
    files = [p for p in sorted(path.rglob("*")) if p.is_file()]
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "code.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in files:
                zf.write(p, p.relative_to(path).as_posix())
        return sum(p.stat().st_size for p in files) / 1e6, zip_path.stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per function and mode")
    args = parser.parse_args()

    built = function_dirs(build_functions())
    host = build_host_artifacts()
    pycache = ROOT / ".aws-sam" / "host" / "_pycache"
    print(f"python3.13 artifacts: {built['PollerFunction'].parent.relative_to(ROOT)}; imports timed on "
          f"Python {sys.version.split()[0]} with the same pins ({host['poller'].parent.relative_to(ROOT)}), "
          f"median of {args.runs} fresh interpreters")
    print(f"{'function':18} {'unzipped':>9} {'zipped':>7} {'source':>8} {'bytecode':>9} {'modules':>8} tweepy"
          "  costliest packages (ms of own modules, bytecode)")
    for name, package in handler_packages().items():
        unzipped, zipped = _sizes(built[name])
        source = [_run(package, host, "-B")[0] for _ in range(args.runs)]
        cache = ("-X", f"pycache_prefix={pycache / package}")
        _run(package, host, *cache)  # fills the bytecode cache
        cached = [_run(package, host, *cache) for _ in range(args.runs)]
        _, tweepy, modules, importtime = _run(package, host, *cache, "-X", "importtime")
        print(f"{name:18} {unzipped:6.1f} MB {zipped:4.1f} MB {statistics.median(source) * 1000:5.0f} ms "
              f"{statistics.median(c[0] for c in cached) * 1000:6.0f} ms {modules:8d} {'yes' if tweepy else 'no':>6}"
              f"  {_heaviest(importtime)}")


if __name__ == "__main__":
    main()
