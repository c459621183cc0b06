"""The benches are not timed tests and CI does not run them whole, but they must keep running: two of them had
stopped (a fake without the poller's new lookup, a packing option renamed) with nobody told. Each is imported,
and the burst bench runs at a small size on the poller's own packing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCH.glob("bench_*.py")))
def test_every_bench_imports(name: str) -> None:
    module = _load(name)
    assert any(callable(getattr(module, entry, None)) for entry in ("main", "run")), name


def test_a_small_burst_drains_on_pro_with_nothing_lost_or_doubled_and_nobody_starved() -> None:
    got = _load("bench_burst").run("pro", 1_500, 0)
    assert got["lost"] == 0 and got["twice"] == 0
    assert got["queries"] <= got["budget"] and got["minutes"] <= 3 and got["worst_gap_min"] <= 2
