"""Report windows in Asia/Tokyo: a report at each configured time covers the time since the
previous report time (the first report of a day covers the evening and night before)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from activecare.clock import JST


@dataclass(frozen=True)
class Window:
    start: datetime  # exclusive
    end: datetime  # inclusive: the report time

    @property
    def id(self) -> str:
        """Stable id of the window: its report time in JST, e.g. 20261125-1400."""
        return self.end.astimezone(JST).strftime("%Y%m%d-%H%M")

    @property
    def label(self) -> str:
        s, e = self.start.astimezone(JST), self.end.astimezone(JST)
        head = f"{s:%Y-%m-%d %H:%M}"
        tail = f"{e:%H:%M}" if s.date() == e.date() else f"{e:%Y-%m-%d %H:%M}"
        return f"{head}〜{tail} JST"

    def shifted(self, delta: timedelta) -> Window:
        return Window(self.start + delta, self.end + delta)


def parse_times(spec: str) -> tuple[time, ...]:
    """"14:00,20:00" -> sorted, distinct JST times of day (at least one)."""
    found: set[time] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            hh, mm = part.split(":")
            found.add(time(int(hh), int(mm)))
        except ValueError:
            raise ValueError(f"report time {part!r} is not HH:MM") from None
    if not found:
        raise ValueError("no report times configured (REPORT_TIMES, e.g. 14:00,20:00)")
    return tuple(sorted(found))


class Schedule:
    """The report times of a day and the windows between them."""

    def __init__(self, times: tuple[time, ...]) -> None:
        self.times = times

    @classmethod
    def from_spec(cls, spec: str) -> Schedule:
        return cls(parse_times(spec))

    def _report_times_around(self, at: datetime) -> list[datetime]:
        day = at.astimezone(JST).date()
        return [datetime.combine(day + timedelta(days=d), t, JST) for d in (-1, 0, 1) for t in self.times]

    def window_at(self, at: datetime) -> Window:
        """The window of the latest report time at or before `at` (a late or retried run keeps its window)."""
        marks = self._report_times_around(at)
        idx = max(i for i, m in enumerate(marks) if m <= at)
        return Window(marks[idx - 1], marks[idx])

    def window_ending(self, end: datetime) -> Window:
        """The window whose report time is exactly `end` (ValueError if `end` is not a report time)."""
        window = self.window_at(end)
        if window.end != end:
            raise ValueError(f"{end.astimezone(JST):%H:%M} JST is not a report time "
                             f"({', '.join(t.strftime('%H:%M') for t in self.times)})")
        return window

    def previous(self, window: Window) -> Window:
        return self.window_at(window.start)

    def recent(self, window: Window, count: int) -> list[Window]:
        """`window` and the `count - 1` windows before it, oldest first."""
        out = [window]
        while len(out) < count:
            out.append(self.previous(out[-1]))
        return out[::-1]
