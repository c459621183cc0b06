"""The campaign's CampaignStore: the campaign, its entrants and winners, the DM budget, the open list."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from activecare.campaign.models import Campaign, Entrant, Rules, Winner
from activecare.campaign.ports import CampaignStore
from tests.contract.support import Era, Fresh

PER_WINDOW, PER_DAY = 2, 4


def _campaign(fresh: Fresh, era: Era, **changes: Any) -> Campaign:
    return replace(Campaign(campaign_id=fresh.name("camp"), tweet_id=fresh.id(), account="general",
                            winners_wanted=3, rules=Rules(require_follow=True, min_followers=10),
                            message="@{username} さん ご当選おめでとうございます", salt="s", created_at=era.at(0)),
                   **changes)


def _entrant(fresh: Fresh, era: Era, **changes: Any) -> Entrant:
    uid = fresh.id()
    return replace(Entrant(user_id=uid, username=f"user{uid[-4:]}", follows=True, followers_count=120,
                           created_at=era.at(-100_000)), **changes)


def _created(store: CampaignStore, campaign: Campaign) -> Campaign:
    assert store.create(campaign) is True
    return campaign


def _drawn(store: CampaignStore, fresh: Fresh, era: Era, n: int = 3) -> tuple[Campaign, list[Winner]]:
    """A campaign drawn with `n` winners, all pending."""
    campaign = _created(store, _campaign(fresh, era))
    winners = [Winner(campaign.campaign_id, fresh.id(), f"w{rank}", rank) for rank in range(1, n + 1)]
    store.save_draw(_draw_of(campaign, era), winners)
    return campaign, winners


def _draw_of(campaign: Campaign, era: Era) -> Campaign:
    return replace(campaign, entrants_count=10, entrants_sha256="ab" * 32, seed="cd" * 32,
                   counts={"eligible": 10, "not_following": 2}, drawn_at=era.at(30))


def _winner(store: CampaignStore, campaign_id: str, user_id: str) -> Winner:
    (found,) = [w for w in store.winners(campaign_id) if w.user_id == user_id]
    return found


def _by_user(winners: list[Winner]) -> dict[str, Winner]:
    return {w.user_id: w for w in winners}


# ---- the campaign ----


def test_a_campaign_is_created_once(campaign_store: CampaignStore, fresh: Fresh, era: Era) -> None:
    campaign = _campaign(fresh, era)
    assert campaign_store.get(campaign.campaign_id) is None
    assert campaign_store.create(campaign) is True
    assert campaign_store.create(replace(campaign, message="別の文面", winners_wanted=9)) is False
    assert campaign_store.get(campaign.campaign_id) == campaign


def test_open_campaigns_lists_the_unclosed_ones_in_order(campaign_store: CampaignStore, fresh: Fresh,
                                                         era: Era) -> None:
    first, second = _created(campaign_store, _campaign(fresh, era)), _created(campaign_store, _campaign(fresh, era))
    campaign_store.close(first.campaign_id)
    listed = campaign_store.open_campaigns()  # every test's open campaigns: this test's are among them
    assert listed == sorted(listed)
    assert second.campaign_id in listed and first.campaign_id not in listed
    closed = campaign_store.get(first.campaign_id)
    assert closed is not None and closed.status == "closed"


def test_resume_after_is_set_and_cleared(campaign_store: CampaignStore, fresh: Fresh, era: Era) -> None:
    campaign = _created(campaign_store, _campaign(fresh, era))
    campaign_store.set_resume_after(campaign.campaign_id, era.at(15))
    assert campaign_store.get(campaign.campaign_id) == replace(campaign, resume_after=era.at(15))
    campaign_store.set_resume_after(campaign.campaign_id, None)
    assert campaign_store.get(campaign.campaign_id) == campaign


# ---- collecting entrants ----


def test_pages_advance_the_cursor_only_from_the_expected_one(campaign_store: CampaignStore, fresh: Fresh,
                                                             era: Era) -> None:
    campaign = _created(campaign_store, _campaign(fresh, era))
    cid = campaign.campaign_id
    page1, page2 = [_entrant(fresh, era) for _ in range(3)], [_entrant(fresh, era, follows=False) for _ in range(2)]
    assert campaign_store.save_page(cid, page1, expect_cursor=None, next_cursor="t1", done=False,
                                    now=era.at(1)) is True
    assert campaign_store.get(cid) == replace(campaign, cursor="t1", pages=1, collected=3)
    assert campaign_store.save_page(cid, page1, expect_cursor=None, next_cursor="t1", done=False,
                                    now=era.at(2)) is False  # a retry of the first page: the cursor moved on
    assert campaign_store.save_page(cid, page2, expect_cursor="t1", next_cursor=None, done=True,
                                    now=era.at(3)) is True
    assert campaign_store.get(cid) == replace(campaign, cursor=None, pages=2, collected=5, collect_done=True,
                                              collected_at=era.at(3))
    assert campaign_store.save_page(cid, page2, expect_cursor=None, next_cursor=None, done=True,
                                    now=era.at(4)) is False  # collection is done
    assert sorted(campaign_store.entrants(cid), key=lambda e: e.user_id) == page1 + page2


def test_entrants_are_stored_even_when_the_cursor_moved(campaign_store: CampaignStore, fresh: Fresh,
                                                        era: Era) -> None:
    """The page's entrants are written first (a retweeter seen twice is stored once); only the cursor is
    conditional. `collected` adds the distinct retweeters of each page that advanced it: one on two pages
    counts twice there, while entrants() holds it once."""
    cid = _created(campaign_store, _campaign(fresh, era)).campaign_id
    a, b, c, d = (_entrant(fresh, era) for _ in range(4))
    campaign_store.save_page(cid, [a, b, a], expect_cursor=None, next_cursor="t1", done=False, now=era.at(1))
    campaign_store.save_page(cid, [b, d], expect_cursor="t1", next_cursor="t2", done=False, now=era.at(2))
    got = campaign_store.get(cid)
    assert got is not None and (got.cursor, got.pages, got.collected) == ("t2", 2, 4)
    assert campaign_store.save_page(cid, [c], expect_cursor="t1", next_cursor="t9", done=False,
                                    now=era.at(3)) is False  # a stale run's page
    got = campaign_store.get(cid)
    assert got is not None and (got.cursor, got.pages, got.collected) == ("t2", 2, 4)
    assert sorted(e.user_id for e in campaign_store.entrants(cid)) == [a.user_id, b.user_id, c.user_id, d.user_id]


def test_a_page_for_an_unknown_campaign_is_refused(campaign_store: CampaignStore, fresh: Fresh, era: Era) -> None:
    cid = fresh.name("camp")
    assert campaign_store.save_page(cid, [_entrant(fresh, era)], expect_cursor=None, next_cursor=None,
                                    done=True, now=era.at(1)) is False
    assert campaign_store.get(cid) is None


def test_an_unknown_campaign_has_no_entrants_or_winners(campaign_store: CampaignStore, fresh: Fresh) -> None:
    assert campaign_store.entrants(fresh.name("camp")) == []
    assert campaign_store.winners(fresh.name("camp")) == []


# ---- the draw ----


def test_the_draw_stores_pending_winners_and_marks_the_campaign(campaign_store: CampaignStore, fresh: Fresh,
                                                                era: Era) -> None:
    campaign, winners = _drawn(campaign_store, fresh, era)
    assert _by_user(campaign_store.winners(campaign.campaign_id)) == _by_user(winners)
    assert campaign_store.get(campaign.campaign_id) == replace(_draw_of(campaign, era), status="drawn")


def test_a_repeated_draw_resets_no_dm_state_and_keeps_the_first_record(campaign_store: CampaignStore,
                                                                       fresh: Fresh, era: Era) -> None:
    campaign, winners = _drawn(campaign_store, fresh, era)
    cid, sending = campaign.campaign_id, winners[0].user_id
    campaign_store.reserve(cid, sending, "pending", era.at(31))
    late = Winner(cid, fresh.id(), "late", 4)
    campaign_store.save_draw(replace(_draw_of(campaign, era), seed="ee" * 32), [*winners, late])
    assert _winner(campaign_store, cid, sending).status == "sending"  # not reset to pending
    assert _by_user(campaign_store.winners(cid))[late.user_id] == late  # a missing one is added
    got = campaign_store.get(cid)
    assert got is not None and got.seed == "cd" * 32


def test_a_closed_campaign_is_not_marked_drawn(campaign_store: CampaignStore, fresh: Fresh, era: Era) -> None:
    campaign = _created(campaign_store, _campaign(fresh, era))
    campaign_store.close(campaign.campaign_id)
    campaign_store.save_draw(_draw_of(campaign, era), [])
    got = campaign_store.get(campaign.campaign_id)
    assert got is not None and (got.status, got.seed) == ("closed", "")


# ---- a winner's DM ----


def test_reserve_moves_a_winner_from_the_expected_status_once(campaign_store: CampaignStore, fresh: Fresh,
                                                              era: Era) -> None:
    campaign, winners = _drawn(campaign_store, fresh, era)
    cid, uid = campaign.campaign_id, winners[0].user_id
    assert campaign_store.reserve(cid, uid, "pending", era.at(31)) is True
    assert campaign_store.reserve(cid, uid, "pending", era.at(31)) is False  # another run's now
    assert _winner(campaign_store, cid, uid) == replace(winners[0], status="sending", reserved_at=era.at(31))
    assert campaign_store.reserve(cid, uid, "sending", era.at(40)) is True  # a stale send, taken over
    assert campaign_store.reserve(cid, fresh.id(), "pending", era.at(31)) is False  # not a winner


def test_a_sent_winner_is_never_reserved_again(campaign_store: CampaignStore, fresh: Fresh, era: Era) -> None:
    campaign, winners = _drawn(campaign_store, fresh, era)
    cid, uid = campaign.campaign_id, winners[0].user_id
    campaign_store.reserve(cid, uid, "pending", era.at(31))
    campaign_store.record_sent(cid, uid, "dm-1", era.at(32))
    assert campaign_store.reserve(cid, uid, "sent", era.at(33)) is False
    assert _winner(campaign_store, cid, uid).status == "sent"


def test_record_sent_needs_a_sending_winner(campaign_store: CampaignStore, fresh: Fresh, era: Era) -> None:
    campaign, winners = _drawn(campaign_store, fresh, era)
    cid, sending, pending = campaign.campaign_id, winners[0], winners[1]
    campaign_store.reserve(cid, sending.user_id, "pending", era.at(31))
    campaign_store.record_failure(cid, sending.user_id, "HTTP 503", final=False, now=era.at(32), keep_sending=True)
    campaign_store.record_sent(cid, sending.user_id, "dm-7", era.at(33))
    assert _winner(campaign_store, cid, sending.user_id) == replace(
        sending, status="sent", attempts=1, reserved_at=era.at(31), sent_at=era.at(33), dm_event_id="dm-7")
    campaign_store.record_sent(cid, pending.user_id, "dm-8", era.at(33))  # never reserved: nothing changes
    assert _winner(campaign_store, cid, pending.user_id) == pending
    campaign_store.record_sent(cid, fresh.id(), "dm-9", era.at(33))  # not a winner: nothing to record
    assert len(campaign_store.winners(cid)) == len(winners)


def test_a_failure_counts_the_attempt_and_decides_what_next(campaign_store: CampaignStore, fresh: Fresh,
                                                            era: Era) -> None:
    campaign, (retry, unknown, final) = _drawn(campaign_store, fresh, era)
    cid = campaign.campaign_id
    for w in (retry, unknown, final):
        campaign_store.reserve(cid, w.user_id, "pending", era.at(31))
    campaign_store.record_failure(cid, retry.user_id, "rate_limited", final=False, now=era.at(32))
    campaign_store.record_failure(cid, unknown.user_id, "timeout", final=False, now=era.at(32), keep_sending=True)
    campaign_store.record_failure(cid, final.user_id, "HTTP 403: closed", final=True, now=era.at(32))
    got = _by_user(campaign_store.winners(cid))
    assert got[retry.user_id] == replace(retry, status="pending", attempts=1, error="rate_limited",
                                         reserved_at=era.at(31))
    assert got[unknown.user_id] == replace(unknown, status="sending", attempts=1, error="timeout",
                                           reserved_at=era.at(31))
    assert got[final.user_id] == replace(final, status="failed", attempts=1, error="HTTP 403: closed",
                                         reserved_at=era.at(31))
    campaign_store.record_failure(cid, retry.user_id, "again", final=True, now=era.at(33))  # pending: not counted
    assert _winner(campaign_store, cid, retry.user_id) == got[retry.user_id]
    campaign_store.record_failure(cid, fresh.id(), "x", final=True, now=era.at(33))  # not a winner
    assert len(campaign_store.winners(cid)) == 3


def test_reset_failed_requeues_failed_winners_as_stale_sends(campaign_store: CampaignStore, fresh: Fresh,
                                                             era: Era) -> None:
    campaign, (failed, sent, pending) = _drawn(campaign_store, fresh, era)
    cid = campaign.campaign_id
    for w in (failed, sent):
        campaign_store.reserve(cid, w.user_id, "pending", era.at(31))
    campaign_store.record_failure(cid, failed.user_id, "HTTP 403", final=True, now=era.at(32))
    campaign_store.record_sent(cid, sent.user_id, "dm-1", era.at(32))
    before = _by_user(campaign_store.winners(cid))
    assert campaign_store.reset_failed(cid) == 1
    got = _by_user(campaign_store.winners(cid))
    assert got[failed.user_id] == replace(failed, status="sending", attempts=0, error="HTTP 403", reserved_at=None)
    assert got[sent.user_id] == before[sent.user_id] and got[pending.user_id] == before[pending.user_id]
    assert campaign_store.reset_failed(cid) == 0


# ---- the DM budget ----


def test_dm_slots_are_granted_within_the_window_and_the_day(campaign_store: CampaignStore, fresh: Fresh,
                                                            era: Era) -> None:
    account, t0 = fresh.name("acc"), era.at(0)

    def take(minutes: float, wanted: int) -> int:
        return campaign_store.take_dm_slots(account, t0 + timedelta(minutes=minutes), wanted, per_window=PER_WINDOW,
                                            per_day=PER_DAY)

    assert campaign_store.dm_budget(account, t0) == (0, 0)
    assert take(0, 1) == 1
    assert take(5, 5) == 1  # the window's second
    assert take(10, 1) == 0
    assert campaign_store.dm_budget(account, t0 + timedelta(minutes=10)) == (2, 2)
    assert campaign_store.dm_budget(account, t0 + timedelta(minutes=15)) == (0, 2)  # the window ended
    assert take(15, 5) == 2
    assert take(30, 5) == 0  # a new window, but the day's budget is spent
    assert campaign_store.dm_budget(account, t0 + timedelta(minutes=30)) == (0, 4)
    assert campaign_store.dm_budget(account, t0 + timedelta(hours=24)) == (0, 0)
    assert take(24 * 60, 5) == 2  # a new day
    assert campaign_store.dm_budget(fresh.name("acc"), t0) == (0, 0)  # accounts apart


def test_a_take_that_grants_nothing_starts_no_window(campaign_store: CampaignStore, fresh: Fresh,
                                                     era: Era) -> None:
    account, t0 = fresh.name("acc"), era.at(0)

    def take(minutes: float, wanted: int) -> int:
        return campaign_store.take_dm_slots(account, t0 + timedelta(minutes=minutes), wanted, per_window=PER_WINDOW,
                                            per_day=PER_DAY)

    assert take(0, 2) + take(15, 2) == PER_DAY
    assert take(23 * 60 + 50, 1) == 0  # the day is spent: nothing is written
    day2 = 24 * 60 + 1
    assert take(day2, 2) == 2  # the second day's first window starts here ...
    assert take(day2 + 5, 2) == 0  # ... so it is still full five minutes later
    assert campaign_store.dm_budget(account, t0 + timedelta(minutes=day2 + 5)) == (2, 2)


# ---- entries by kind, reads, notification modes ----


def test_entrants_of_each_kind_merge_per_user_and_reads_add_up(campaign_store: CampaignStore, fresh: Fresh,
                                                                 era: Era) -> None:
    """A reply-phrase campaign: "r" the phrase repliers, "f" those of them found to follow; "e" retweeters."""
    cid = _created(campaign_store, _campaign(fresh, era)).campaign_id
    a, b = _entrant(fresh, era, follows=False), _entrant(fresh, era, follows=False)
    assert campaign_store.save_page(cid, [replace(a, retweeted=False, replied=True),
                                          replace(b, retweeted=False, replied=True)], expect_cursor=None,
                                    next_cursor="u|", done=False, now=era.at(1), kind="r", reads={"posts": 7},
                                    follow_check="connection_status")
    assert campaign_store.save_page(cid, [Entrant(a.user_id, "", True, retweeted=False)], expect_cursor="u|",
                                    next_cursor=None, done=True, now=era.at(2), kind="f", reads={"users": 2})
    got = campaign_store.get(cid)
    assert got is not None and got.reads == {"posts": 7, "users": 2} and got.follow_check == "connection_status"
    assert got.collected == 0 and got.collect_done  # `collected` counts retweeters only
    merged = {e.user_id: e for e in campaign_store.entrants(cid)}
    assert merged[a.user_id] == replace(a, retweeted=False, replied=True, follows=True)
    assert merged[b.user_id] == replace(b, retweeted=False, replied=True, follows=False)


def test_a_claim_is_recorded_once_and_only_for_a_winner(campaign_store: CampaignStore, fresh: Fresh,
                                                       era: Era) -> None:
    campaign, winners = _drawn(campaign_store, fresh, era)
    cid, uid = campaign.campaign_id, winners[0].user_id
    assert campaign_store.mark_claimed(cid, uid, "9001", era.at(40)) is True
    assert campaign_store.mark_claimed(cid, uid, "9002", era.at(41)) is False
    assert campaign_store.mark_claimed(cid, fresh.id(), "9003", era.at(42)) is False  # no winner
    w = _winner(campaign_store, cid, uid)
    assert (w.claimed_at, w.claim_event_id, w.status) == (era.at(40), "9001", "pending")
    campaign_store.note(cid, uid, "not_found")
    assert _winner(campaign_store, cid, uid).error == "not_found"
    campaign_store.note(cid, uid, None)
    assert _winner(campaign_store, cid, uid).error is None


def test_the_announcement_is_reserved_once_until_its_lease_ends_and_recorded_once(
        campaign_store: CampaignStore, fresh: Fresh, era: Era) -> None:
    cid = _created(campaign_store, _campaign(fresh, era, notify="claim", claim_phrase="うけとり",
                                             announcement="「{campaign}」当選の方は「{phrase}」とDMを")).campaign_id
    assert campaign_store.reserve_announcement(cid, era.at(50), stale_before=era.at(48)) is True
    assert campaign_store.reserve_announcement(cid, era.at(51), stale_before=era.at(49)) is False  # still fresh
    assert campaign_store.reserve_announcement(cid, era.at(60), stale_before=era.at(58)) is True  # lease ended
    campaign_store.record_announcement(cid, "1111")
    campaign_store.record_announcement(cid, "2222")
    assert campaign_store.reserve_announcement(cid, era.at(90), stale_before=era.at(88)) is False
    got = campaign_store.get(cid)
    assert got is not None and (got.announce_tweet_id, got.notify, got.claim_phrase) == ("1111", "claim", "うけとり")
    campaign_store.set_dm_cursor(cid, "1900000000000000005")
    campaign_store.set_dm_cursor(cid, "1900000000000000003")  # never moves back
    got = campaign_store.get(cid)
    assert got is not None and got.dm_cursor == "1900000000000000005"
