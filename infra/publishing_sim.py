"""Scheduled posts in the simulated day: the packaged calendar is imported into the local
stack's state table, and the real publisher handler runs every 5 simulated minutes, as
EventBridge Scheduler would call it (cron 0/5 9-19, Asia/Tokyo).

    posts = PublishingDay(stack)              # imports the calendar
    for each simulated minute: posts.publish_minute()
    posts.summary()                           # per account and category: posted vs cap, checks
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from activecare.clock import iso_z, to_jst
from activecare.hours import in_service_hours, jst_date
from activecare.publishing.calendar import Calendar, default_calendar
from infra.local_stack import LocalStack

EVERY_MINUTES = 5


class PublishingDay:
    def __init__(self, stack: LocalStack, *, calendar: Calendar | None = None, every_minutes: int = EVERY_MINUTES):
        self.stack = stack
        self.every = every_minutes
        self.calendar = calendar or default_calendar()
        stack.runtime.publisher().import_calendar(self.calendar, "content_calendar.csv")
        self.runs = 0
        self.failures = 0
        self.outcomes: Counter[str] = Counter()
        self.days: set[str] = set()

    def due(self) -> bool:
        """The schedule fires this minute (every 5 min, 09:00-19:55 JST)."""
        now = to_jst(self.stack.clock())
        return not now.minute % self.every and in_service_hours(now)

    def publish_minute(self) -> dict[str, Any] | None:
        """Run the publisher handler if the schedule fires this minute (every 5 min, 09:00-19:55 JST)."""
        from infra.lambda_runtime import context_for
        from publisher import app as publisher_app

        now = to_jst(self.stack.clock())
        if not self.due():
            return None
        self.runs += 1
        self.days.add(jst_date(now))
        try:
            report = publisher_app.handler({"scheduled_time": iso_z(now)}, context_for("publisher"))
        except Exception:  # a failed run is retried by the next one; count it
            self.failures += 1
            return None
        self.outcomes.update(report["outcomes"])
        return report

    def summary(self) -> dict[str, Any]:
        """Per account and category, posts counted against the cap (and the cap); checked against X."""
        publisher = self.stack.runtime.publisher()
        by_account: dict[str, dict[str, dict[str, int]]] = {}
        for day in sorted(self.days):
            for account, cats in publisher.summary(day).items():
                acc = by_account.setdefault(account, {})
                for cat, usage in cats.items():
                    cell = acc.setdefault(cat, {"posted": 0, "cap": 0})
                    cell["posted"] += usage.posted
                    cell["cap"] += usage.cap
        ids = {a.user_id: a.key for a in self.stack.settings.accounts}
        on_x = [t for t in self.stack.twitter.posted if t["author_id"] in ids and "referenced_tweets" not in t]
        texts = Counter((t["author_id"], t["text"]) for t in on_x)
        first: dict[str, str] = {}
        for t in sorted(on_x, key=lambda t: int(t["id"])):
            first.setdefault(ids[t["author_id"]], t["text"])
        outside = sum(1 for t in on_x if not in_service_hours(self.stack.twitter.created_at(t["id"])))
        over = [(a, c) for a, cats in by_account.items() for c, row in cats.items() if row["posted"] > row["cap"]]
        return {
            "runs": self.runs,
            "failed_runs": self.failures,
            "by_account": by_account,
            "total": sum(r["posted"] for cats in by_account.values() for r in cats.values()),
            "on_x": len(on_x),
            "duplicates_on_x": sum(n - 1 for n in texts.values() if n > 1),
            # X's rules: no identical content across our accounts (the fake counts every post, replies too)
            "identical_across_accounts": self.stack.twitter.stats.identical_across_accounts,
            "outside_hours": outside,
            "over_cap": over,
            "greeting_first": all(text.startswith("おはようございます") for text in first.values()),
            "outcomes": dict(self.outcomes),
        }


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, object]]:
    """Rows for the day's summary table."""
    rows: list[tuple[str, object]] = [
        ("scheduled posts (posted on X / runs)", f"{summary['on_x']} / {summary['runs']}"),
    ]
    for account, cats in summary["by_account"].items():
        cells = ", ".join(f"{c} {r['posted']}/{r['cap']}" for c, r in cats.items() if r["cap"])
        rows.append((f"  @{account}: posted/cap", cells))
    rows.append(("  over cap · duplicates · outside 09-20 · greeting first",
                 f"{len(summary['over_cap'])} · {summary['duplicates_on_x']} · {summary['outside_hours']} · "
                 f"{'yes' if summary['greeting_first'] else 'NO'}"))
    rows.append(("  identical posts across our accounts (24 h, must be 0)", summary["identical_across_accounts"]))
    return rows
