"""What the contract scenarios share: fresh keys, a test's own stretch of time, and the small bundles of a port
with its seeding helper (the fixtures that make them are in conftest.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from activecare.clock import JST
from activecare.desk.models import DeskInquiry
from activecare.desk.ports import InquiryRepo
from activecare.listening.ingest import InquiryStore
from activecare.reporting.models import Row
from activecare.reporting.ports import InquirySource

ORIGIN = datetime(2020, 1, 1, tzinfo=JST)  # eras count back from here, one day per test
FIRST_ID = 1_700_000_000_000_000_000  # numeric ids as X's (tweet, user and inquiry ids are numbers)
_ids = itertools.count()
_eras = itertools.count(1)


class Fresh:
    """Keys no other test of the session uses."""

    def id(self) -> str:
        """A numeric id (tweet, user, inquiry); later calls give larger ids, as X's ids grow with time."""
        return str(FIRST_ID + next(_ids))

    def name(self, prefix: str) -> str:
        return f"{prefix}-{next(_ids)}"


@dataclass(frozen=True)
class Era:
    """One test's day, earlier than every era handed out before it: a query over time (a status queue oldest
    first, a report window, an author's history) sees this test's inquiries and no other test's."""

    start: datetime

    def at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    @property
    def day(self) -> str:
        """The era's JST date, YYYY-MM-DD (a desk or publishing day)."""
        return self.start.date().isoformat()


def next_era() -> Era:
    return Era(ORIGIN - timedelta(days=next(_eras)))


@dataclass(frozen=True)
class ListeningInquiries:
    store: InquiryStore
    set_status: Callable[[str, str], None]  # what the desk does to an inquiry meanwhile (e.g. resolves it)
    personal_data: Callable[[str], tuple[tuple[str, ...], bool]]  # the stored (pii_kinds, has_pii)


@dataclass(frozen=True)
class DeskInquiries:
    repo: InquiryRepo
    seed: Callable[[DeskInquiry], None]  # store an inquiry as the worker (and earlier desk actions) left it


@dataclass(frozen=True)
class ReportInquiries:
    source: InquirySource
    seed: Callable[[Row], None]  # store an inquiry with these fields
