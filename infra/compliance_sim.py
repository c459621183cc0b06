"""X's deletions in the simulated day: customers delete some of the tweets we stored (an inquiry's own tweet, a
tweet around one), X suspends one author and another protects their account; after the stretch the compliance
function runs as its schedules call it (the daily sweep at 03:00 JST, then the hourly resume while X works on the
jobs) and the summary checks the ground truth: every deleted tweet and gone account has left the tables, and
within 24 hours of the deletion.

    sim = ComplianceDay(stack, clock, start, minutes); sim.before_minute(minute) each minute; sim.finish(); sim.rows()
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from activecare.clock import JST, ManualClock, iso_z, to_jst

if TYPE_CHECKING:
    from infra.local_stack import LocalStack

DEADLINE = timedelta(hours=24)  # X's developer rules


@dataclass
class ComplianceDay:
    stack: LocalStack
    clock: ManualClock
    start: datetime
    minutes: int
    seed: int = 11
    deleted: dict[str, datetime] = field(default_factory=dict)  # tweet id -> when deleted on X
    gone_users: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # user id -> (state, since)
    reports: list[dict[str, Any]] = field(default_factory=list)
    finished_at: datetime | None = None
    erased_tweets: set[str] = field(default_factory=set)
    erased_users: set[str] = field(default_factory=set)

    def before_minute(self, minute: int) -> None:
        """A third of the way through: three tweets deleted; two thirds: an account suspended, one protected."""
        if minute == max(1, self.minutes // 3):
            with self.stack.aws_meter.channel("compliance"):
                self._delete_some()
        elif minute == max(2, 2 * self.minutes // 3):
            with self.stack.aws_meter.channel("compliance"):
                self._suspend_and_protect()

    def _settled(self) -> list[Any]:
        """Inquiries the desk is done with (a deleted tweet in the open queue is the desk test's business)."""
        from activecare.storage.models import Inquiry

        return sorted((i for i in Inquiry.scan() if i.status != "new"), key=lambda i: i.inquiry_id)

    def _delete_some(self) -> None:
        rng = random.Random(self.seed)
        settled = self._settled()
        heads = rng.sample(settled, min(2, len(settled)))
        with_context = [i for i in settled if i not in heads and (i.context_before or i.context_after)]
        picks = [h.inquiry_id for h in heads]
        if with_context:
            around = rng.choice(with_context)
            picks.append((around.context_before or around.context_after)[0].id)
        for tid in picks:
            if self.stack.twitter.compliance.delete_tweet(tid):
                self.deleted[tid] = self.clock()

    def _suspend_and_protect(self) -> None:
        rng = random.Random(self.seed + 1)
        now = self.clock()
        twitter = self.stack.twitter
        # Authors with nothing more to post today (a suspended account posts no more; the listening figures stay
        # the day's ground truth).
        authors = sorted(a for a in {i.author_id for i in self._settled()}
                         if all(twitter.created_at(t) <= now for t in twitter.iter_ids(source="author", key=a)))
        for uid, state in zip(rng.sample(authors, min(2, len(authors))), ("suspended", "protected"), strict=False):
            self.stack.twitter.compliance.set_user(uid, state)
            self.gone_users[uid] = (state, self.clock())

    def finish(self) -> None:
        """The compliance function as its schedules call it: 03:00 JST the next morning (the job is uploaded,
        X takes a while), then the hourly resume until the run is complete."""
        from compliance import app as compliance_app
        from infra.lambda_runtime import context_for

        end = self.start + timedelta(minutes=self.minutes)
        next_day = to_jst(end).date() + timedelta(days=1)
        self.clock.set(datetime(next_day.year, next_day.month, next_day.day, 3, 0, tzinfo=JST))
        event: dict[str, Any] = {"action": "sweep", "scheduled_time": iso_z(self.clock())}
        with self.stack.aws_meter.channel("compliance"):
            for _ in range(6):
                report = compliance_app.handler(event, context_for("compliance"))
                self.reports.append(report)
                if report["complete"]:
                    self.finished_at = self.clock()
                    break
                self.clock.advance(timedelta(hours=1))
                event = {"action": "resume"}
            self._check()

    def _check(self) -> None:
        from activecare.compliance.dynamo import DynamoHoldings

        holdings = DynamoHoldings()
        held_tweets, held_users = holdings.tweets(), holdings.users()
        self.erased_tweets = {t for t in self.deleted if t not in held_tweets}
        self.erased_users = {u for u in self.gone_users if u not in held_users
                             and u not in held_tweets.values()}

    def rows(self) -> list[tuple[str, object]]:
        total = len(self.deleted) + len(self.gone_users)
        in_time = self.finished_at is not None and all(
            self.finished_at - at <= DEADLINE
            for at in [*self.deleted.values(), *(since for _, since in self.gone_users.values())])
        erased = len(self.erased_tweets) + len(self.erased_users) if in_time else 0
        verdict = "all" if erased == total else "NOT all"
        last = self.reports[-1] if self.reports else {}
        states = ", ".join(s for s, _ in self.gone_users.values()) or "none"
        return [
            ("compliance: tweets we stored, deleted on X during the day / accounts gone",
             f"{len(self.deleted)} / {len(self.gone_users)} ({states})"),
            ("  deletions erased within 24 h (ground truth: nothing of them left in the tables)",
             f"{verdict} ({erased}/{total})"),
            ("  sweep: mode, invocations, X requests, cost (USD, pay-per-use prices)",
             f'{last.get("mode", "-")}, {len(self.reports)}, {last.get("requests", 0)}, '
             f'{last.get("cost_usd", 0.0):.2f}'),
            ("  ids checked with X (users / tweets)",
             f'{(last.get("checked") or {}).get("users", 0)} / {(last.get("checked") or {}).get("tweets", 0)}'),
            ("  stored items erased (by kind)",
             ", ".join(f"{k} {v}" for k, v in sorted((last.get("erased") or {}).items())) or "0"),
        ]

    def summary(self) -> dict[str, Any]:
        return {"deleted": len(self.deleted), "gone_users": len(self.gone_users),
                "erased": len(self.erased_tweets) + len(self.erased_users),
                "complete": self.finished_at is not None, "invocations": len(self.reports),
                "within_24h": self.finished_at is not None and all(
                    self.finished_at - at <= DEADLINE for at in self.deleted.values())}
