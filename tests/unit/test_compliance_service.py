"""The compliance sweep on the in-memory fakes: both modes erase what X reports gone, a crash or a stop at any
step loses nothing and a re-run finishes without checking again what was done, the budget and the clock hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activecare.clock import ManualClock
from activecare.compliance.memory import Crash, MemoryHoldings, MemoryRuns, MemoryX
from activecare.compliance.service import ComplianceService
from activecare.settings import Settings

START = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 03:00 JST, the daily schedule


def _world(tweets: int = 350, users: int = 120) -> tuple[MemoryHoldings, MemoryX]:
    holdings = MemoryHoldings()
    for u in range(users):
        holdings.users_held.add(str(5000 + u))
    for t in range(tweets):
        holdings.tweets_held[str(100_000 + t)] = str(5000 + t % users)
    x = MemoryX(gone={"100007": ("tweets", "deleted"), "100290": ("tweets", "protected"),
                      "5003": ("users", "suspended"), "5111": ("users", "protected")})
    return holdings, x


def _service(holdings: MemoryHoldings, x: MemoryX, runs: MemoryRuns, clock: ManualClock, mode: str = "lookup",
             **kw: object) -> ComplianceService:
    return ComplianceService(holdings=holdings, runs=runs, clock=clock, mode=mode,  # type: ignore[arg-type]
                             lookup=x, jobs=x, sleep=lambda s: clock.advance(timedelta(seconds=s)), **kw)  # type: ignore[arg-type]


def _assert_erased(holdings: MemoryHoldings) -> None:
    assert {"100007", "100290"}.isdisjoint(holdings.tweets_held)
    assert {"5003", "5111"}.isdisjoint(holdings.users_held)
    assert not [t for t, a in holdings.tweets_held.items() if a in ("5003", "5111")]  # their tweets went along


def test_lookup_sweep_erases_deleted_suspended_and_protected_and_is_done_for_the_day() -> None:
    holdings, x = _world()
    runs, clock = MemoryRuns(), ManualClock(START)
    report = _service(holdings, x, runs, clock).sweep()
    assert report.action == "started" and report.complete and report.completed_now
    _assert_erased(holdings)
    assert report.gone == {"users": 2, "tweets": 2}
    assert report.erased["users"] == 2 and report.erased_now == report.erased["users"] + report.erased["tweets"]
    assert report.checked["users"] == 120
    assert report.requests == 2 + 4  # 120 users in 2 requests; the 345 tweets left (5 went with their authors) in 4
    # Pay-per-use: live reads only (118 users at $0.010, 343 tweets at $0.005).
    assert report.cost_usd == pytest.approx(118 * 0.010 + 343 * 0.005)

    again = _service(holdings, x, runs, clock).sweep()
    assert again.action == "nothing_to_do" and again.requests == report.requests  # a retry the same day: nothing
    clock.advance(timedelta(hours=24))
    assert _service(holdings, x, runs, clock).sweep().action == "started"  # tomorrow's run


@pytest.mark.parametrize("crash_after", [0, 1, 3, 5])
def test_a_crash_mid_lookup_sweep_loses_nothing_and_the_rerun_checks_only_what_is_left(crash_after: int) -> None:
    holdings, x = _world()
    runs, clock = MemoryRuns(), ManualClock(START)
    x.crash_after = crash_after
    with pytest.raises(Crash):
        _service(holdings, x, runs, clock).sweep()
    calls_before = len(x.calls)
    clock.advance(timedelta(minutes=60))  # the hourly resume
    report = _service(holdings, x, runs, clock).sweep(start=False)
    assert report.action == "resumed" and report.complete
    _assert_erased(holdings)
    assert calls_before + len(x.calls[calls_before:]) == len(x.calls) == 6  # no chunk was looked up twice


def test_the_budget_stops_the_sweep_saved_and_a_larger_budget_finishes_it() -> None:
    holdings, x = _world()
    runs, clock = MemoryRuns(), ManualClock(START)
    report = _service(holdings, x, runs, clock, budget_usd=2.0).sweep()
    assert not report.complete and report.stopped == "budget" and report.cost_usd <= 2.0
    assert "5003" not in holdings.users_held  # what was checked is erased already
    assert _service(holdings, x, runs, clock, budget_usd=2.0).sweep(start=False).stopped == "budget"  # same day
    clock.advance(timedelta(hours=24))  # a new UTC day, a new budget: the run goes on where it stopped
    resumed = _service(holdings, x, runs, clock, budget_usd=2.0).sweep()
    assert resumed.complete and resumed.action == "resumed" and resumed.cost_usd > 2.0
    _assert_erased(holdings)
    assert len(x.calls) == 6  # nothing looked up twice


def test_a_429_pauses_and_the_resume_finishes() -> None:
    holdings, x = _world()
    runs, clock = MemoryRuns(), ManualClock(START)
    x.rate_limit_after = 3
    report = _service(holdings, x, runs, clock).sweep()
    assert report.stopped == "rate_limited" and not report.complete
    x.rate_limit_after = None
    assert _service(holdings, x, runs, clock).sweep(start=False).complete
    _assert_erased(holdings)
    assert len(x.calls) == 6


def test_jobs_sweep_uploads_every_id_polls_and_erases_the_results() -> None:
    holdings, x = _world()
    runs, clock = MemoryRuns(), ManualClock(START)
    x.polls_to_complete = 3
    report = _service(holdings, x, runs, clock, mode="jobs").sweep()
    assert report.complete and report.cost_usd == 0
    _assert_erased(holdings)
    assert [c.split()[0] for c in x.calls].count("create") == 2
    assert sorted(len(ids) for ids in x.uploads.values()) == [120, 350]
    assert clock() > START  # it waited (the injected sleep) for X to finish


@pytest.mark.parametrize("crash_after", [1, 2, 3, 5, 8])
def test_a_crash_mid_jobs_sweep_finds_its_job_again_and_never_creates_a_second(crash_after: int) -> None:
    holdings, x = _world()
    runs, clock = MemoryRuns(), ManualClock(START)
    x.crash_after = crash_after
    with pytest.raises(Crash):
        _service(holdings, x, runs, clock, mode="jobs").sweep()
    report = _service(holdings, x, runs, clock, mode="jobs").sweep(start=False)
    assert report.complete
    _assert_erased(holdings)
    assert [c.split()[0] for c in x.calls].count("create") == 2  # one job per kind, found by name after the crash


def test_nothing_held_asks_x_nothing() -> None:
    x, clock = MemoryX(), ManualClock(START)
    for mode in ("jobs", "lookup"):
        assert _service(MemoryHoldings(), x, MemoryRuns(), clock, mode=mode).sweep().complete
    assert x.calls == []


def test_a_job_still_running_when_the_invocation_ends_is_waited_for_by_the_next() -> None:
    holdings, x = _world()
    runs, clock = MemoryRuns(), ManualClock(START)
    x.polls_to_complete = 10
    report = _service(holdings, x, runs, clock, mode="jobs", time_left=lambda: 80.0).sweep()
    assert report.stopped == "waiting" and not report.complete
    assert _service(holdings, x, runs, clock, mode="jobs").sweep(start=False).complete
    _assert_erased(holdings)


def test_erasure_calls_are_idempotent_and_count_only_what_they_removed() -> None:
    holdings, x = _world()
    service = _service(holdings, x, MemoryRuns(), ManualClock(START))
    assert service.erase_tweets({"100001": "5001", "999": None}).total == 1
    assert service.erase_tweets(["100001"]).total == 0
    assert service.erase_users(["5002"]).counts["users"] == 1
    assert service.erase_users(["5002"]).counts == {"users": 0, "tweets": 0}


def test_the_mode_follows_the_access_level_unless_set() -> None:
    assert Settings(access_level="pro").sweep_mode == "jobs"
    assert Settings(access_level="enterprise").sweep_mode == "jobs"
    assert Settings(access_level="pay_per_use").sweep_mode == "lookup"
    assert Settings(access_level="basic").sweep_mode == "lookup"
    assert Settings(access_level="pro", compliance_mode="lookup").sweep_mode == "lookup"
    assert Settings.from_env({"COMPLIANCE_MODE": "jobs", "X_ACCESS_LEVEL": "basic"}).sweep_mode == "jobs"


def test_the_statuses_read_for_every_inquiry_are_the_desks() -> None:
    from activecare.desk.models import STATUSES
    from activecare.storage.erasure import INQUIRY_STATUSES

    assert set(INQUIRY_STATUSES) == set(STATUSES)


class _GoneTimeline:
    """X answering the worker's timeline read with a resource error for the author."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def user_tweets(self, user_id: str, **_: object) -> object:
        from activecare.twitter.port import ResourceGone

        raise ResourceGone(403 if self.reason == "protected" else 404, f"{self.reason}: [{user_id}]",
                           resource_type="user", resource_id=user_id, reason=self.reason)


@pytest.mark.parametrize("reason, gone", [("suspended", True), ("protected", True), ("deleted", False)])
def test_opening_an_inquiry_of_an_author_x_says_is_suspended_or_protected_erases_it(reason: str, gone: bool) -> None:
    """The worker reads nothing from X (the context is read when the desk opens the inquiry): that read is where
    X tells us the author is gone, and our copy is erased at once; not found is left to the sweep."""
    from activecare.desk.context import AuthorContext
    from activecare.desk.errors import Conflict
    from activecare.desk.memory import MemoryGoneTweets
    from activecare.desk.service import DeskService
    from tests.unit.test_desk_service import World

    w = World()
    erased = MemoryGoneTweets(w.repo)
    w.desk = DeskService(settings=w.desk.settings, inquiries=w.repo, reservations=w.reservations, tally=w.tally,
                         reader=w.reader, poster_for=w.posters.__getitem__, clock=w.clock, gone=erased,
                         do_not_contact=w.desk.do_not_contact,
                         context=AuthorContext(_GoneTimeline(reason), w.clock))  # type: ignore[arg-type]
    inq = w.inquiry("また圏外…電波が悪い")
    w.repo.items[inq.inquiry_id].context_status = "pending"
    if not gone:
        assert w.desk.show(inq.inquiry_id).context.status == "unavailable"
        assert erased.erased == []
        return
    with pytest.raises(Conflict) as refused:
        w.desk.show(inq.inquiry_id)
    assert refused.value.status == 410 and refused.value.code == "author_gone"
    assert erased.erased == [(inq.inquiry_id, inq.author_id)]


def test_a_desk_reply_x_refuses_as_deleted_erases_and_answers_410() -> None:
    from activecare.desk.errors import Conflict
    from activecare.desk.memory import MemoryGoneTweets
    from activecare.desk.service import DeskService
    from tests.unit.test_desk_service import TEXT, World

    w = World()
    gone = MemoryGoneTweets(w.repo)
    w.desk = DeskService(settings=w.desk.settings, inquiries=w.repo, reservations=w.reservations, tally=w.tally,
                         reader=w.reader, poster_for=w.posters.__getitem__, clock=w.clock, gone=gone,
                         do_not_contact=w.desk.do_not_contact)
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    del w.reader.tweets[inq.inquiry_id]  # the customer deleted it
    with pytest.raises(Conflict) as refused:
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-0001")
    assert refused.value.status == 410 and refused.value.code == "tweet_gone"
    assert gone.erased == [(inq.inquiry_id, inq.author_id)]
    stored = w.repo.get(inq.inquiry_id)
    assert stored is not None and stored.text == "" and w.posted == []
    assert w.reservations.get("token-0001") is None or w.reservations.get("token-0001").status == "dropped"  # type: ignore[union-attr]
