"""The suite's order: its two longest files first, so that under `-n 2 --dist loadfile` (make test) each starts at
once on a worker of its own and the other files share what is left of both workers.

pytest collects a path named on the command line and again under `tests` once, in the directory's order, and
xdist's loadfile scheduler hands out files by test count, largest first (`--loadscope-reorder`, its default):
the full day, a single test, went last and ran alone on one worker at the end of the run. Here the slow files
are moved to the front and xdist keeps the collection's order; the rest keep pytest's order, which ends with the
many short unit tests, so both workers finish at about the same time.
"""

from __future__ import annotations

import pytest

SLOW_FIRST = ("tests/e2e/test_full_day.py", "tests/e2e/test_fault_suite.py")  # longest first


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist: schedule files in the collection's order
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return SLOW_FIRST.index(path) if path in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: every other test keeps its place
