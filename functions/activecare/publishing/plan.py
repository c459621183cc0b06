"""A day's plan for one account: a pure function of (calendar, account, date).

The greeting opens the day at 09:00. Each other category contributes at most its cap of
posts, rotating through its posts day by day; fixed-time posts keep their time, the others
are spread evenly over the category's window on a 5-minute grid, never two on one tick when
it can be helped, never outside 09:00-20:00 JST. Variants rotate by date, and a text that
yesterday's plan used at a later time of day is swapped for another variant (or dropped), so
X's 24-hour duplicate rule is not hit while the calendar stays the same (a post that ran late
yesterday can still meet it: the publisher then ends the slot as duplicate).

A plan holds only the account's own posts: the calendar gives every post exactly one account and
refuses a text on two accounts (X prohibits identical content across accounts), and plan_day
refuses a post shared by several accounts (a Calendar not built by parse_calendar), so no text is
ever planned for two of our accounts, on any day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from activecare.clock import JST
from activecare.publishing.calendar import CLOSES, GREETING, OPENS, Calendar, Post, render

GRID_MIN = 5
# A text yesterday's plan used is reused only at the same time of day or later (24 h apart or more).
ONE_DAY_SLACK_MIN = 0


@dataclass(frozen=True)
class Slot:
    post_id: str
    category: str
    at: datetime  # aware, JST
    text: str  # as posted
    variant: int

    @property
    def hhmm(self) -> str:
        return f"{self.at:%H:%M}"


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _chosen(posts: list[Post], cap: int, ordinal: int) -> list[Post]:
    if cap <= 0 or not posts:
        return []
    k = min(cap, len(posts))
    start = (ordinal * k) % len(posts)
    return [posts[(start + i) % len(posts)] for i in range(k)]


def _base(calendar: Calendar, account: str, day: date) -> list[tuple[Post, int, int]]:
    """(post, minute of day, variant) for every post of the day, before de-duplication."""
    ordinal = day.toordinal()
    taken: set[int] = set()
    placed: list[tuple[Post, int, int]] = []
    greetings = calendar.posts_for(GREETING, account)
    if greetings:
        post = greetings[ordinal % len(greetings)]
        placed.append((post, _minutes(OPENS), ordinal % len(post.variants)))
        taken.add(_minutes(OPENS))
    wanted: list[tuple[int, int, int, Post]] = []  # (desired minute, fixed?, order, post)
    order = 0
    for ci, cat in enumerate(calendar.categories):
        if cat.name == GREETING:
            continue
        chosen = _chosen(calendar.posts_for(cat.name, account), cat.cap, ordinal)
        floating = [p for p in chosen if p.at is None]
        lo, hi = _minutes(cat.window[0]), _minutes(cat.window[1])
        span = hi - lo
        for post in chosen:
            order += 1
            if post.at is not None:
                wanted.append((_minutes(post.at), 0, order, post))
        for i, post in enumerate(floating):
            order += 1
            # evenly spread, each category phase-shifted a little so categories interleave
            desired = lo + int((i + 0.5) * span / len(floating)) + (ci * GRID_MIN) % 15
            wanted.append((min(desired, hi - 1), 1, order, post))
    for desired, floating_flag, _, post in sorted(wanted, key=lambda w: (w[1], w[0], w[2])):
        cat = calendar.category(post.category)
        lo, hi = max(_minutes(cat.window[0]), _minutes(OPENS) + GRID_MIN), _minutes(cat.window[1])
        if floating_flag == 0:
            minute = max(desired, _minutes(OPENS) + GRID_MIN) if desired < lo else desired
        else:
            minute = _free_tick(desired, lo, hi, taken)
        taken.add(minute)
        placed.append((post, minute, ordinal % len(post.variants)))
    return placed


def _free_tick(desired: int, lo: int, hi: int, taken: set[int]) -> int:
    """The grid point nearest at or after `desired` in [lo, hi) not yet taken (earlier if none)."""
    first = -(-max(desired, lo) // GRID_MIN) * GRID_MIN
    last = hi - 1
    for minute in range(first, last + 1, GRID_MIN):
        if minute not in taken:
            return minute
    for minute in range(first - GRID_MIN, lo - 1, -GRID_MIN):
        if minute not in taken:
            return minute
    return min(max(desired, lo), last)  # the window is full: share a tick


def _texts(calendar: Calendar, account: str, day: date) -> dict[str, int]:
    """Text -> minute of day, of every post the day's base plan holds."""
    return {render(p.variants[v], calendar.category(p.category).hashtag, day): minute for p, minute, v in
            _base(calendar, account, day)}


def plan_day(calendar: Calendar, account: str, day: date) -> list[Slot]:
    """The account's posts for `day`, greeting first, in time order."""
    yesterday = _texts(calendar, account, day - timedelta(days=1))
    base = datetime.combine(day, time(0, 0), tzinfo=JST)
    slots: list[Slot] = []
    for post, minute, variant in _base(calendar, account, day):
        if post.accounts != {account}:
            raise ValueError(f"post {post.id!r} belongs to {', '.join(sorted(post.accounts))}: a post has one "
                             "account (X prohibits identical content across accounts)")
        hashtag = calendar.category(post.category).hashtag
        n = len(post.variants)
        for k in range(n):  # the first variant yesterday's posts did not use
            v = (variant + k) % n
            text = render(post.variants[v], hashtag, day)
            if text not in yesterday or yesterday[text] <= minute - ONE_DAY_SLACK_MIN:
                at = base + timedelta(minutes=minute)
                assert OPENS <= at.time() < CLOSES
                slots.append(Slot(post.id, post.category, at, text, v))
                break
    rank = {GREETING: 0}
    return sorted(slots, key=lambda s: (s.at, rank.get(s.category, 1), s.post_id))
