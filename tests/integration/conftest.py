"""Fixtures for integration tests: the local stack over real HTTP (moto server
and the fake X API), real boto3, pynamodb and tweepy clients."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from activecare.clock import JST, ManualClock
from infra.local_stack import LocalStack

DAY_START = datetime(2026, 11, 25, 10, 0, tzinfo=JST)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DAY_START)


@pytest.fixture
def stack(clock: ManualClock) -> Iterator[LocalStack]:
    with LocalStack(clock) as running:
        yield running
