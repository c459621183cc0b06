"""Service hours in Japan (Asia/Tokyo, no daylight saving): 09:00-20:00 unless the stack's ServiceHours
parameter says otherwise. Used by the desk (replies), the publisher and the poller's health metric."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from activecare.clock import to_jst

_SPAN = re.compile(r"^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$")


@dataclass(frozen=True)
class ServiceHours:
    """[opens, closes) as minutes after JST midnight; closes may be 24:00."""

    opens: int = 9 * 60
    closes: int = 20 * 60

    def __post_init__(self) -> None:
        if not 0 <= self.opens < self.closes <= 24 * 60:
            raise ValueError(f"service hours must open before they close, within one day: {self}")

    @classmethod
    def parse(cls, text: str) -> ServiceHours:
        """'09:00-20:00' -> ServiceHours; a clear ValueError for anything else."""
        m = _SPAN.match(text.strip())
        if not m:
            raise ValueError(f"service hours {text!r}: expected HH:MM-HH:MM, e.g. 09:00-20:00")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(f"service hours {text!r}: not a time of day")
        return cls(h1 * 60 + m1, h2 * 60 + m2)

    def __contains__(self, at: datetime) -> bool:
        local = to_jst(at)
        minute = local.hour * 60 + local.minute
        return self.opens <= minute < self.closes

    def __str__(self) -> str:
        return f"{self.opens // 60:02d}:{self.opens % 60:02d}-{self.closes // 60:02d}:{self.closes % 60:02d}"


DEFAULT_HOURS = ServiceHours()


def in_service_hours(at: datetime, hours: ServiceHours = DEFAULT_HOURS) -> bool:
    """True from opening (inclusive) to closing (exclusive) JST; 09:00-20:00 by default."""
    return at in hours


def jst_date(at: datetime) -> str:
    """The desk day an instant belongs to, as YYYY-MM-DD in Japan."""
    return to_jst(at).strftime("%Y-%m-%d")
