"""Regression (fault suite, issue #7): a DM whose answer is lost (timeout, cut-off response, 5xx after X
processed it) may have been delivered. It is held `sending` and reconciled against the conversation's DM
events before any resend - never sent a second time blindly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from activecare.campaign.memory import MemoryCampaignStore, MemoryX
from activecare.campaign.models import Entrant
from activecare.campaign.service import CampaignService
from activecare.clock import ManualClock
from activecare.twitter.port import TwitterUnavailable
from infra.campaign_sim import SALT, SALT_SHA256

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
OLD = datetime(2015, 1, 1, tzinfo=UTC)


SALTED = {"salt": SALT, "salt_sha256": SALT_SHA256, "notify": "api"}  # the API DMs every winner (explicit)

class AnswerLostX(MemoryX):
    """Delivers the DM, then the answer never arrives (for the first `lost` sends)."""

    def __init__(self, retweeters: dict[str, list[Entrant]], lost: int) -> None:
        super().__init__(retweeters)
        self.lost = lost

    def send_dm(self, participant_id: str, text: str) -> str:
        event_id = super().send_dm(participant_id, text)
        if self.lost:
            self.lost -= 1
            raise TwitterUnavailable("dm_send: ReadTimeout")
        return event_id


class DownX(MemoryX):
    """X answers 503 without sending anything."""

    def send_dm(self, participant_id: str, text: str) -> str:
        raise TwitterUnavailable("dm_send: HTTP 503")


def _service(x: MemoryX) -> tuple[CampaignService, MemoryCampaignStore, ManualClock]:
    clock, store = ManualClock(T0), MemoryCampaignStore()
    return CampaignService(store=store, source_for=lambda _a: x, messenger_for=lambda _a: x, clock=clock,
                           known_accounts=frozenset({"general"})), store, clock


def _entrants(n: int) -> list[Entrant]:
    return [Entrant(str(100 + i), f"user{100 + i}", True, 50, OLD) for i in range(n)]


def test_a_dm_whose_answer_was_lost_is_reconciled_not_sent_again() -> None:
    x = AnswerLostX({"777": _entrants(10)}, lost=2)
    service, store, clock = _service(x)
    first = service.draw({"campaign_id": "xmas", "tweet_id": "777", "account": "general", "winners": 5, **SALTED})
    assert first.dms == {"pending": 0, "sending": 2, "sent": 3, "failed": 0}
    for _ in range(3):
        clock.advance(timedelta(minutes=15))
        service.tick()
    per_winner = [p for _e, p, _t in x.sent]
    assert len(per_winner) == 5 and len(set(per_winner)) == 5  # one DM each, the two in doubt not resent
    assert service.status("xmas").dms == {"pending": 0, "sending": 0, "sent": 5, "failed": 0}
    assert {w.attempts for w in store.winners("xmas")} == {0, 1}


def test_x_down_still_ends_in_failed_after_the_attempts() -> None:
    service, _store, clock = _service(DownX({"777": _entrants(3)}))
    service.draw({"campaign_id": "xmas", "tweet_id": "777", "account": "general", "winners": 1, **SALTED})
    for _ in range(4):
        clock.advance(timedelta(minutes=15))
        service.tick()
    assert service.status("xmas").dms == {"pending": 0, "sending": 0, "sent": 0, "failed": 1}


class DownThenAnswerLostX(MemoryX):
    """503 without sending for the first attempts, then the last attempt is delivered but its answer lost."""

    def __init__(self, retweeters: dict[str, list[Entrant]], down: int) -> None:
        super().__init__(retweeters)
        self.down = down

    def send_dm(self, participant_id: str, text: str) -> str:
        if self.down:
            self.down -= 1
            raise TwitterUnavailable("dm_send: HTTP 503")
        super().send_dm(participant_id, text)
        raise TwitterUnavailable("dm_send: ReadTimeout")


def test_retrying_failed_dms_checks_for_a_delivered_last_attempt_first() -> None:
    from activecare.campaign.service import MAX_ATTEMPTS

    x = DownThenAnswerLostX({"777": _entrants(3)}, down=MAX_ATTEMPTS - 1)
    service, _store, clock = _service(x)
    service.draw({"campaign_id": "xmas", "tweet_id": "777", "account": "general", "winners": 1, **SALTED})
    for _ in range(MAX_ATTEMPTS + 1):
        clock.advance(timedelta(minutes=15))
        service.tick()
    assert service.status("xmas").dms["failed"] == 1 and len(x.sent) == 1  # the last one went out unseen
    assert service.retry_failed("xmas").requeued == 1
    clock.advance(timedelta(minutes=15))
    service.tick()
    assert len(x.sent) == 1  # found in the DM events: recorded, not sent again
    assert service.status("xmas").dms == {"pending": 0, "sending": 0, "sent": 1, "failed": 0}
