"""The publisher: every scheduled run posts, for each support account, the day's slots that are
due and not yet done.

- Nothing is posted outside 09:00-20:00 JST, and nothing before the account's greeting of the
  day is recorded as posted (the greeting is always the day's first slot, at 09:00).
- Each slot is reserved and its category's cap taken in one atomic step (`PublishStore.reserve`):
  concurrent or retried runs can neither exceed a cap nor post a slot twice.
- Reserve, then post, then record. A run that crashed after posting leaves a pending record;
  once its lease has run out, the next run looks for the text on the account's timeline and
  records it if it is there, posting only if it is not. The cap was counted once, at reserve.
- The weighted length is checked before anything is reserved or posted.
- X refusing the text as duplicate content (after the timeline shows it is not ours from a
  crashed run) ends the slot and gives its cap back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from activecare.accounts import SupportAccount
from activecare.clock import Clock, to_jst
from activecare.hours import DEFAULT_HOURS, ServiceHours, in_service_hours, jst_date
from activecare.publishing.calendar import GREETING, Calendar, parse_calendar
from activecare.publishing.models import (
    CAPPED,
    DUPLICATE,
    FINAL,
    PENDING,
    POSTED,
    REJECTED,
    CapUsage,
    Outcome,
    PostedSlot,
    PostRecord,
    PostsSummary,
    RunReport,
    SlotStatus,
    StoredCalendar,
)
from activecare.publishing.plan import Slot, plan_day
from activecare.publishing.ports import PublishStore, cap_key
from activecare.twitter.port import DuplicateContent, RateLimited, TwitterPort, TwitterRejected, TwitterUnavailable
from activecare.twitter.reconcile import find_own_post
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, weighted_length

LEASE = timedelta(seconds=90)  # longer than the function's timeout (60 s)
MAX_PER_RUN = 3  # per account: a late run catches up gently instead of flooding the timeline


class CalendarMissing(RuntimeError):
    pass


class Planner:
    """The calendar side of publishing, without X: import the calendar, plan a day, read the slots' records and
    the caps' use (what `activecare posts` and `activecare figures` read)."""

    def __init__(self, *, accounts: Sequence[SupportAccount], store: PublishStore, clock: Clock) -> None:
        self.accounts = tuple(accounts)
        self.store = store
        self.clock = clock
        self._calendar: Calendar | None = None

    def calendar(self) -> Calendar:
        """The imported calendar (parsed again only when its digest changes)."""
        stored = self.store.get_calendar()
        if stored is None:
            raise CalendarMissing("no content calendar in the state table: run `activecare posts import FILE`")
        if self._calendar is None or self._calendar.digest != stored.digest:
            self._calendar = parse_calendar(stored.csv_text, stored.source or "calendar")
        return self._calendar

    def import_calendar(self, calendar: Calendar, source: str) -> StoredCalendar:
        stored = StoredCalendar(calendar.csv_text, calendar.digest, self.clock(), source)
        self.store.put_calendar(stored)
        return stored

    def plan(self, account: str, day: str) -> list[Slot]:
        return plan_day(self.calendar(), account, datetime.strptime(day, "%Y-%m-%d").date())

    def day_status(self, account: str, day: str) -> list[SlotStatus]:
        """The plan of a day with each slot's record (for the CLI preview)."""
        slots = self.plan(account, day)
        records = self.store.records(account, day, [s.post_id for s in slots])
        return [slot_status(s, records.get(s.post_id)) for s in slots]

    def summary(self, day: str) -> PostsSummary:
        """Per account, per category: posted (counted against the cap) and the cap."""
        calendar = self.calendar()
        names = [c.name for c in calendar.categories]
        out: PostsSummary = {}
        for account in self.accounts:
            counts = self.store.counts(account.key, day, names)
            out[account.key] = {c.name: CapUsage(posted=counts[c.name], cap=c.cap) for c in calendar.categories}
        return out


class Publisher(Planner):
    """Posts the due slots as each account (see the module's docstring)."""

    def __init__(self, *, accounts: Sequence[SupportAccount], store: PublishStore,
                 poster_for: Callable[[str], TwitterPort], reader: TwitterPort, clock: Clock,
                 max_per_run: int = MAX_PER_RUN, lease: timedelta = LEASE,
                 hours: ServiceHours = DEFAULT_HOURS) -> None:
        super().__init__(accounts=accounts, store=store, clock=clock)
        self.hours = hours
        self.poster_for = poster_for
        self.reader = reader
        self.max_per_run = max_per_run
        self.lease = lease

    # --- a scheduled run ---------------------------------------------------------------

    def run(self) -> RunReport:
        now = self.clock()
        day = jst_date(now)
        report = RunReport(at=to_jst(now).isoformat(timespec="seconds"), day=day,
                           in_hours=in_service_hours(now, self.hours))
        if not report.in_hours:
            return report
        calendar = self.calendar()
        for account in self.accounts:
            self._run_account(calendar, account, day, now, report)
        return report

    def _run_account(self, calendar: Calendar, account: SupportAccount, day: str, now: datetime,
                     report: RunReport) -> None:
        slots = plan_day(calendar, account.key, datetime.strptime(day, "%Y-%m-%d").date())
        due = [s for s in slots if s.at <= now]
        if not due:
            return
        records = self.store.records(account.key, day, [s.post_id for s in due])
        greeted = bool(due[0].category == GREETING and records.get(due[0].post_id)
                       and records[due[0].post_id].status == POSTED)
        sent = 0
        for slot in due:
            record = records.get(slot.post_id)
            if record is not None and record.status in FINAL:
                continue
            if slot.category != GREETING and not greeted:
                report.add("waiting_for_greeting")
                return
            if sent >= self.max_per_run:
                report.add("deferred")
                return
            outcome: Outcome
            try:
                outcome = self._slot(calendar, account, day, slot, record, now, report)
            except (RateLimited, TwitterUnavailable):  # reading the timeline to reconcile failed
                outcome = "unavailable"
            report.add(outcome)
            if outcome in ("posted", "reconciled"):
                sent += outcome == "posted"
                greeted = greeted or slot.category == GREETING
            elif outcome in ("unavailable", "busy"):
                return  # X is down or another run is on it: the next run continues, in order

    def _slot(self, calendar: Calendar, account: SupportAccount, day: str, slot: Slot,
              record: PostRecord | None, now: datetime, report: RunReport) -> Outcome:
        if record is None:
            fresh = PostRecord(account.key, day, slot.post_id, slot.category, slot.text, PENDING, now,
                               now + self.lease)
            if weighted_length(slot.text) > MAX_WEIGHTED_LENGTH:
                self.store.mark(replace(fresh, status=REJECTED, detail="too_long"))
                return "too_long"
            result = self.store.reserve(fresh, calendar.caps.get(slot.category, 0))
            if result == "capped":
                self.store.mark(replace(fresh, status=CAPPED, detail="cap reached"))
                return "capped"
            if result == "reserved":
                return self._send(account, fresh, now, report)
            record = self.store.get(fresh.key)  # another run reserved it just now
            if record is None or record.status != PENDING:
                return "done_elsewhere"
        # A pending record: someone's while its lease runs, then ours to reconcile.
        if record.lease_until > now or not self.store.take_lease(record.key, record.lease_until, now + self.lease):
            return "busy"
        found = self._find_posted(account, record)
        if found is not None:
            self.store.finish(record.key, *found)
            report.posted.append(_posted(account, record, found[0], reconciled=True))
            return "reconciled"
        return self._send(account, record, now, report)

    def _send(self, account: SupportAccount, record: PostRecord, now: datetime, report: RunReport) -> Outcome:
        ckey = cap_key(record.account, record.day, record.category)
        try:
            tweet_id = self.poster_for(account.key).post(record.text)
        except DuplicateContent:
            found = self._find_posted(account, record)
            if found is not None:
                self.store.finish(record.key, *found)
                report.posted.append(_posted(account, record, found[0], reconciled=True))
                return "reconciled"
            self.store.release(record.key, DUPLICATE, "X refused duplicate content", ckey)
            return "duplicate"
        except (RateLimited, TwitterUnavailable):
            return "unavailable"  # pending: the next run reconciles it once the lease ends
        except TwitterRejected as exc:
            self.store.release(record.key, REJECTED, f"HTTP {exc.status}", ckey)
            return "rejected"
        self.store.finish(record.key, tweet_id, self.clock())
        report.posted.append(_posted(account, record, tweet_id))
        return "posted"

    def _find_posted(self, account: SupportAccount, record: PostRecord) -> tuple[str, datetime] | None:
        """The record's text on the account's timeline since it was reserved (not a reply)."""
        return find_own_post(self.reader, account.user_id, record.text, since=record.reserved_at, in_reply_to=None)


def slot_status(slot: Slot, record: PostRecord | None = None) -> SlotStatus:
    """A slot of the plan with its record's state (planned: no record yet)."""
    return SlotStatus(at=slot.hhmm, category=slot.category, post_id=slot.post_id, variant=slot.variant + 1,
                      weighted_length=weighted_length(slot.text), status=record.status if record else "planned",
                      tweet_id=record.tweet_id if record else None, text=slot.text)


def _posted(account: SupportAccount, record: PostRecord, tweet_id: str, *, reconciled: bool = False) -> PostedSlot:
    return PostedSlot(account=account.key, post_id=record.post_id, category=record.category, tweet_id=tweet_id,
                      reconciled=reconciled, key=record.key)
