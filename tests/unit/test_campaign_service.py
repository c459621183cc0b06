"""CampaignService over the in-memory store and X: eligibility, exact N, idempotent re-runs, resumable
collection, the DM queue within its budget, crash reconciliation, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activecare.campaign import draw as drawing
from activecare.campaign.errors import BadInput, CampaignClosed, CampaignConflict, NotYet, UnknownTweet
from activecare.campaign.memory import MemoryCampaignStore, MemoryX
from activecare.campaign.models import Entrant
from activecare.campaign.service import CampaignService
from activecare.clock import ManualClock
from infra.campaign_sim import SALT, SALT_SHA256

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
OLD = datetime(2015, 1, 1, tzinfo=UTC)


def people(n: int, *, start: int = 100, follows: bool = True, followers: int = 50) -> list[Entrant]:
    return [Entrant(str(start + i), f"user{start + i}", follows, followers, OLD) for i in range(n)]


def make(retweeters: list[Entrant]) -> tuple[CampaignService, MemoryCampaignStore, MemoryX, ManualClock]:
    clock = ManualClock(T0)
    store, x = MemoryCampaignStore(), MemoryX({"777": retweeters})
    return CampaignService(store=store, source_for=lambda _a: x, messenger_for=lambda _a: x, clock=clock,
                           known_accounts=frozenset({"general"})), store, x, clock


def request(**over: object) -> dict[str, object]:
    return {"campaign_id": "xmas", "tweet_id": "777", "account": "general", "winners": 10, "salt": SALT,
            "salt_sha256": SALT_SHA256, "notify": "api", **over}


def drain(service: CampaignService, clock: ManualClock, runs: int = 30) -> None:
    for _ in range(runs):
        clock.advance(timedelta(minutes=15))
        service.tick()


def test_only_eligible_entrants_win_and_exactly_n() -> None:
    good = people(30)
    non_followers = people(20, start=500, follows=False)
    bots = [*people(10, start=900, followers=0), Entrant("990", "newbie", True, 80, T0 - timedelta(days=3))]
    staff = people(3, start=2000)
    service, store, _x, _ = make(good + non_followers + bots + staff)
    rules = {"min_followers": 5, "min_account_age_days": 30, "exclude_user_ids": ["2000", "2001"],
             "exclude_usernames": ["@User2002"]}
    result = service.draw(request(winners=25, rules=rules))
    assert result.winners == 25
    counts = result.draw.counts
    assert counts == {"retweeters": 64, "eligible": 30, "not_following": 20, "few_followers": 10,
                      "account_too_new": 1, "excluded": 3}
    assert {w.user_id for w in store.winners("xmas")} <= {e.user_id for e in good}


def test_fewer_entrants_than_winners_all_win() -> None:
    service, _store, _x, _ = make(people(7))
    assert service.draw(request(winners=100)).winners == 7


def test_rerun_returns_the_same_winners_and_never_redraws_or_redms() -> None:
    service, store, x, clock = make(people(250))
    first = service.draw(request(winners=40))
    assert first.dms["sent"] == 15  # one 15-minute window's budget
    winners = sorted(w.user_id for w in store.winners("xmas"))
    again = service.draw(request(winners=40))
    assert sorted(w.user_id for w in store.winners("xmas")) == winners
    assert again.draw.seed == first.draw.seed and again.dms["sent"] == 15
    drain(service, clock)
    assert len(x.sent) == 40 and len({p for _e, p, _t in x.sent}) == 40
    assert service.status("xmas").dms == {"pending": 0, "sending": 0, "sent": 40, "failed": 0}
    # the certificate reproduces the recorded draw
    cert = service.certificate("xmas")
    assert drawing.verify(cert) == [] and sorted(cert.winners) == winners


def test_a_429_during_collection_resumes_without_losing_entrants() -> None:
    service, _store, x, clock = make(people(450))
    x.rate_limit_at = {200}
    result = service.draw(request(winners=5))
    assert result.status == "collecting" and result.collection.retweeters == 200
    assert result.collection.resume_after is not None
    clock.advance(timedelta(minutes=15))
    service.tick()
    status = service.status("xmas")
    assert status.status == "drawn" and status.draw.entrants == 450
    assert x.calls == 6  # 5 pages + the one 429: no page read twice


def test_crash_after_dm_before_record_is_reconciled_not_resent() -> None:
    service, store, x, clock = make(people(5))

    original = x.send_dm
    crashed: list[str] = []

    def send_then_crash(pid: str, text: str) -> str:
        event = original(pid, text)
        if not crashed:
            crashed.append(pid)
            raise SystemExit("crash between the DM and its record")
        return event

    x.send_dm = send_then_crash  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        service.draw(request(winners=3))
    assert [w.status for w in store.winners("xmas") if w.user_id == crashed[0]] == ["sending"]
    x.send_dm = original  # type: ignore[method-assign]
    clock.advance(timedelta(minutes=15))
    service.tick()
    assert len(x.sent) == 3 and len({p for _e, p, _t in x.sent}) == 3
    assert service.status("xmas").dms["sent"] == 3


def test_closed_dms_are_recorded_and_reported_then_retried_on_request() -> None:
    service, _store, x, _clock = make(people(3))
    x.closed = {"101"}
    result = service.draw(request(winners=3))
    assert result.dms == {"pending": 0, "sending": 0, "sent": 2, "failed": 1}
    assert result.failures[0].user_id == "101" and "403" in result.failures[0].error
    x.closed = set()
    assert service.retry_failed("xmas").requeued == 1
    service.tick()
    assert service.status("xmas").dms["sent"] == 3 and len(x.sent) == 3


@pytest.mark.parametrize("bad", [{"winners": 0}, {"winners": -3}, {"tweet_id": "abc"}, {"campaign_id": "a b"},
                                 {"account": "nobody"}, {"rules": {"min_followers": -1}}, {"surprise": 1}])
def test_bad_input_is_a_clear_error(bad: dict[str, object]) -> None:
    service, *_ = make(people(3))
    with pytest.raises(BadInput):
        service.draw(request(**bad))


def test_unknown_tweet_closed_campaign_conflict_and_cutoff() -> None:
    service, store, _x, _clock = make(people(3))
    with pytest.raises(UnknownTweet):
        service.draw(request(tweet_id="123"))
    assert store.get("xmas") is None
    with pytest.raises(NotYet):
        service.draw(request(rules={"cutoff": (T0 + timedelta(hours=1)).isoformat()}))
    service.draw(request(winners=3))
    with pytest.raises(CampaignConflict):
        service.draw(request(winners=4))
    service.close("xmas")
    with pytest.raises(CampaignClosed):
        service.draw(request(winners=3))


def test_earlier_winners_are_excluded() -> None:
    service, store, _x, _ = make(people(20))
    service.draw(request(campaign_id="first", winners=5))
    first = {w.user_id for w in store.winners("first")}
    result = service.draw(request(campaign_id="second", winners=15, rules={"exclude_winners_of": ["first"]}))
    assert result.draw.counts["earlier_winner"] == 5
    assert not first & {w.user_id for w in store.winners("second")}


def test_dry_run_writes_nothing() -> None:
    service, store, x, _ = make(people(120))
    result = service.draw(request(dry_run=True))
    assert result.dry_run and result.entrants == 120 and result.would_win == 10
    assert store.campaigns == {} and x.sent == []


def test_a_429_on_the_very_first_page_stores_nothing_and_says_when_to_retry() -> None:
    from activecare.campaign.errors import TryLater

    service, store, x, _ = make(people(150))
    x.rate_limit_at = {0}
    with pytest.raises(TryLater, match="rate limit"):
        service.draw(request())
    assert store.campaigns == {}
    assert service.draw(request()).winners == 10


def test_sample_events_parse_and_bad_ones_are_clear() -> None:
    import json
    from pathlib import Path

    from activecare.campaign.models import DrawRequest
    from functions.campaign.app import parse_event

    events = Path(__file__).resolve().parents[2] / "events"
    assert parse_event(json.loads((events / "campaign_schedule.json").read_text(encoding="utf-8")))[0] == "tick"
    assert parse_event(json.loads((events / "campaign_status.json").read_text(encoding="utf-8")))[0] == "status"
    for name in ("campaign_draw.json", "campaign_draw_dry_run.json"):
        action, args = parse_event(json.loads((events / name).read_text(encoding="utf-8")))
        assert action == "draw" and DrawRequest.parse(args).winners == 100
    action, args = parse_event(json.loads((events / "campaign_bad_winners.json").read_text(encoding="utf-8")))
    with pytest.raises(BadInput, match="winners"):
        DrawRequest.parse(args)
    for bad in ([], {"action": "explode"}, {"action": "status"}):
        with pytest.raises(BadInput):
            parse_event(bad)


def test_a_real_draw_needs_the_committed_secret_salt_and_the_certificate_reveals_it() -> None:
    """With the salt empty by default, the seed was computable from public data (the retweeters) before the draw."""
    from activecare.campaign import draw as drawing
    from activecare.campaign.errors import BadInput
    from activecare.campaign.models import MAX_WINNERS, DrawRequest

    for bad, why in [({"salt": ""}, "secret salt"), ({"salt": "abc"}, "secret salt"),
                     ({"salt_sha256": "0" * 64}, "published in the announcement"),
                     ({"winners": MAX_WINNERS + 1}, "at most")]:
        with pytest.raises(BadInput, match=why):
            DrawRequest.parse(request(**bad))
    assert DrawRequest.parse(request(salt="", salt_sha256="", dry_run=True)).dry_run  # a dry run draws nothing
    salt, commitment = drawing.new_salt()
    assert len(salt) == 64 and drawing.salt_commitment(salt) == commitment and drawing.new_salt()[0] != salt
    cert = drawing.certificate(campaign_id="c", tweet_id="1", account="general", winners_wanted=2, salt=salt,
                               entrants=["1", "2", "3"], rules=DrawRequest.parse(request()).rules, counts={},
                               collected_at="", drawn_at="")
    assert cert.salt == salt and cert.salt_sha256 == commitment and drawing.verify(cert) == []
    forged = cert.model_dump(mode="json") | {"salt": "ab" * 32}
    assert "the salt does not hash to the salt_sha256 published before the draw" in drawing.verify(forged)
