"""The personal-data detector before and after the folding, on the evaluation set
(tests/data/pii_eval.jsonl): miss rate, false-flag rate, throughput (strings/s, best of three passes
over the set repeated to ~10,000 strings) and the cold import of the module in fresh interpreters
(``-I -B``, CPU time, the least of ``--runs``). The old detector is tests/bench/pii_before.py, a copy of
functions/activecare/pii.py as it was before (commit 4b59076).

Run: .venv/bin/python tests/bench/bench_pii.py [--runs N]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from activecare import pii as after  # noqa: E402
from tests.unit.test_pii_eval import load  # noqa: E402


def _before() -> Callable[[str], tuple[str, ...]]:
    spec = importlib.util.spec_from_file_location("pii_before", HERE / "pii_before.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["pii_before"] = module
    spec.loader.exec_module(module)
    return module.pii_kinds  # type: ignore[no-any-return]


def _rates(detect: Callable[[str], tuple[str, ...]]) -> tuple[float, float]:
    rows = load()
    positives = [(t, k) for t, k in rows if k]
    negatives = [t for t, k in rows if not k]
    missed = sum(not set(k) <= set(detect(t)) for t, k in positives)
    flagged = sum(bool(detect(t)) for t in negatives)
    return missed / len(positives), flagged / len(negatives)


def _throughput(detect: Callable[[str], tuple[str, ...]]) -> float:
    texts = [t for t, _ in load()]
    texts = texts * (10_000 // len(texts) + 1)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for text in texts:
            detect(text)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def _cold_import(path: Path, runs: int) -> float:
    code = ("import sys, time, importlib.util as u; t0 = time.process_time(); "
            "s = u.spec_from_file_location('m', sys.argv[1]); m = u.module_from_spec(s); sys.modules['m'] = m; "
            "s.loader.exec_module(m); print(time.process_time() - t0)")
    times = [float(subprocess.run([sys.executable, "-I", "-B", "-c", code, str(path)],
                                  check=True, capture_output=True, text=True).stdout) for _ in range(runs)]
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows = load()
    print(f"evaluation set: {len(rows)} strings, {sum(bool(k) for _, k in rows)} with personal data")
    for name, detect, path in (("before", _before(), HERE / "pii_before.py"),
                               ("after", after.pii_kinds, ROOT / "functions" / "activecare" / "pii.py")):
        miss, false = _rates(detect)
        print(f"{name:>6}: missed {miss:6.1%}  falsely flagged {false:5.1%}  "
              f"{_throughput(detect):9,.0f} strings/s  cold import {_cold_import(path, args.runs):5.1f} ms")


if __name__ == "__main__":
    main()
