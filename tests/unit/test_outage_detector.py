"""The outage detector on the in-memory fakes: a ramp opens an incident within minutes, the hour-of-week
baseline keeps a usual busy hour quiet, the incident grows with new places and closes when the rate falls."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from activecare.clock import JST, ManualClock
from activecare.outage.memory import MemoryAlerts, MemoryRadar, MemorySignals
from activecare.outage.models import Baseline, RunResult, hour_of_week
from activecare.outage.ports import AlertNotSent
from activecare.outage.service import Detector, complaint_signal, mask_sample

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=JST)
MIN = timedelta(minutes=1)


class World:
    def __init__(self) -> None:
        self.clock = ManualClock(T0)
        self.signals, self.radar, self.alerts = MemorySignals(), MemoryRadar(), MemoryAlerts()
        self.detector = Detector(signals=self.signals, radar=self.radar, alerts=self.alerts, clock=self.clock)
        self.n = 0
        self.rng = random.Random(5)

    def tweet(self, at: datetime, text: str, topic: str = "signal") -> None:
        self.n += 1
        found = complaint_signal(tweet_id=str(10_000 + self.n), text=text, author_id=str(500 + self.n), at=at,
                                 topic=topic, sentiment="complaint")
        assert found
        self.signals.record(*found)

    def minute(self, per_minute: dict[str, int], topic: str = "signal") -> None:
        """Tweets during the clock's current minute, then the next minute's run."""
        at = self.clock()
        for text, n in per_minute.items():
            for i in range(n):
                self.tweet(at + timedelta(seconds=(i * 7) % 60), text, topic)
        self.clock.advance(MIN)
        return None

    def run(self) -> RunResult:
        return self.detector.run()


def test_a_regional_ramp_opens_one_incident_within_three_minutes_with_masked_samples() -> None:
    w = World()
    for _ in range(30):  # a quiet half hour: one complaint every few minutes
        w.minute({"電波悪い": w.rng.random() < 0.2})
        assert not w.run().opened
    onset = w.clock()
    opened_at = None
    for minute, n in enumerate([3, 8, 15, 25, 30, 30]):
        w.minute({"大阪で圏外なんだけど 090-1234-5678 @someone": n, "圏外になった": n // 3})
        res = w.run()
        if res.opened and opened_at is None:
            opened_at = minute + 1
    assert opened_at is not None and opened_at <= 3
    state = w.radar.load_state()
    assert len(state.open) == 1
    inc = w.radar.incident(state.open[0])
    assert inc and "t:signal" in inc.keys and "osaka" in inc.places
    assert inc.onset <= onset + MIN
    assert inc.peak >= 30
    subject, message, _ = w.alerts.sent[0]
    assert subject.isascii() and "outage suspected" in subject and "osaka" in subject and "大阪府" in message
    assert "090-1234-5678" not in message and "@someone" not in message
    assert "［電話番号］" in message or "電話番号" in message
    assert [a for a in inc.alerts if a.startswith("pending")] == []


def test_the_hour_of_week_baseline_keeps_a_usual_busy_hour_quiet() -> None:
    w = World()
    how = hour_of_week(T0)
    w.radar.save_baseline(how, Baseline(rates={"t:billing": 6.0}, weeks={"t:billing": 4}))
    for _ in range(20):  # the usual Wednesday 10:00 billing rush: ~6 unique authors a minute
        w.minute({"料金高すぎ": 6}, topic="billing")
        assert not w.run().opened
    w2 = World()  # the same hour on a new stack (prior only): it is a surge
    opened = False
    for _ in range(5):
        w2.minute({"料金高すぎ": 6}, topic="billing")
        opened |= bool(w2.run().opened)
    assert opened


def test_an_incident_grows_with_new_places_and_closes_when_the_rate_falls_back() -> None:
    w = World()
    for _ in range(10):
        w.minute({})
        w.run()
    for n in (10, 20, 20):
        w.minute({"大阪で圏外": n})
        w.run()
    grown = []
    for n in (20, 20, 20):
        w.minute({"大阪で圏外": n, "名古屋駅で電波ない": n})
        grown += w.run().grown
    assert any("p:aichi" in g or "p:nagoya_st" in g for g in grown)
    inc_id = w.radar.load_state().open[0]
    closed = []
    for _ in range(15):
        w.minute({})
        closed += w.run().closed
    assert closed == [inc_id]
    inc = w.radar.incident(inc_id)
    assert inc and inc.status == "closed" and inc.closed_at is not None
    events = [a for a in inc.alerts]
    assert events[0] == "opened" and events[-1] == "closed" and any(e.startswith("grown:") for e in events)
    assert len(w.alerts.sent) == len(events)  # each event alerted once
    assert not w.radar.load_state().open


def test_a_run_repeated_for_the_same_minute_changes_nothing() -> None:
    w = World()
    for n in (0, 12, 30):
        w.minute({"圏外": n})
        w.run()
    before = (w.radar.load_state(), len(w.alerts.sent))
    assert w.run().evaluated == []
    assert (w.radar.load_state(), len(w.alerts.sent)) == before


def test_unique_authors_not_tweets_a_bot_repeating_itself_never_triggers() -> None:
    w = World()
    for _ in range(5):
        at = w.clock()
        for i in range(50):
            found = complaint_signal(tweet_id=str(90_000 + w.n * 100 + i), text="【障害】大阪で圏外", author_id="42",
                                     at=at + timedelta(seconds=i), topic="signal", sentiment="complaint")
            assert found
            w.signals.record(*found)
        w.n += 1
        w.clock.advance(MIN)
        assert not w.run().opened


def test_only_complaints_are_signals_and_samples_are_masked() -> None:
    assert complaint_signal(tweet_id="1", text="大阪で圏外", author_id="2", at=T0, topic="signal",
                            sentiment="praise") is None
    assert mask_sample("@abc_1 東京駅で圏外 https://t.co/x 連絡先 taro@example.com") == \
        "@*** 東京駅で圏外 [URL] 連絡先 ［メールアドレス］"



def test_places_are_found_leftmost_longest_with_their_prefecture_in_any_width_or_kana() -> None:
    from activecare.outage.gazetteer import gazetteer

    g = gazetteer()
    assert g.find("東京都内で圏外") == ("tokyo",)  # never 京都
    assert g.find("梅田駅で電波ない") == ("osaka", "umeda")
    assert g.find("ﾅﾝﾊﾞで繋がらない") == g.find("なんばで繋がらない") == ("namba", "osaka")
    assert g.find("新大阪から京都駅へ") == ("kyoto", "kyoto_st", "osaka", "shin_osaka")
    assert g.find("家で圏外") == ()


# --- the alert outbox: a run that dies between the steps of closing ----------------------------------------

class _Crash(BaseException):
    """A crash of the process (not an Exception: nothing catches it)."""


class _CrashingRadar(MemoryRadar):
    """Dies once, at the write `when` names: "state" (the closing run's state, after the closed incident was
    written), "claim" (the claim of the "closed" alert), "mark" (marking it sent)."""

    def __init__(self, when: str) -> None:
        super().__init__()
        self.when = when

    def save_state(self, state, expected_version):  # type: ignore[no-untyped-def]
        if self.when == "state" and self.state.open and not state.open:
            self.when = ""
            raise _Crash
        return super().save_state(state, expected_version)

    def put_incident(self, incident):  # type: ignore[no-untyped-def]
        step = {"claim": "sending:", "mark": "closed"}.get(self.when)
        if step and incident.status == "closed" and any(a.startswith(step) and a.endswith("closed")
                                                        for a in incident.alerts):
            self.when = ""
            raise _Crash
        return super().put_incident(incident)


class _CrashingAlerts(MemoryAlerts):
    def __init__(self, when: str) -> None:
        super().__init__()
        self.when = when

    def publish(self, subject: str, message: str, dedup_id: str) -> None:
        if dedup_id.endswith(":closed") and self.when == "before":
            self.when = ""
            raise _Crash
        if dedup_id.endswith(":closed") and self.when == "refused":
            self.when = ""
            raise AlertNotSent("SNS: Throttling")
        super().publish(subject, message, dedup_id)
        if dedup_id.endswith(":closed") and self.when == "after":
            self.when = ""
            raise _Crash


def _closing_run_crashes(w: World) -> str:
    """An incident opens, then the complaints stop: returns its id once the closing run has died."""
    for n in [0] * 10 + [10, 20, 20]:
        w.minute({"大阪で圏外": n})
        w.run()
    (inc_id,) = w.radar.load_state().open
    for _ in range(20):
        w.minute({})
        try:
            assert not w.run().closed
        except (_Crash, AlertNotSent):
            return inc_id
    raise AssertionError("the closing run did not crash")


def _closed_alerts(w: World) -> list[str]:
    return [d for _, _, d in w.alerts.sent if d.endswith(":closed")]


@pytest.mark.parametrize("when", ["state", "claim"])
def test_a_run_dying_before_the_closed_alert_went_out_leaves_it_to_the_next_run(when: str) -> None:
    w = World()
    w.radar = w.detector.radar = _CrashingRadar(when)
    inc_id = _closing_run_crashes(w)
    assert _closed_alerts(w) == []
    w.minute({})
    w.run()
    for _ in range(3):  # and never again
        w.minute({})
        w.run()
    assert _closed_alerts(w) == [f"{inc_id}:closed"]
    inc = w.radar.incident(inc_id)
    assert inc and inc.status == "closed" and inc.alerts[-1] == "closed" and inc_id not in w.radar.load_state().open


def test_an_alert_the_topic_refused_is_sent_by_the_next_run() -> None:
    w = World()
    w.alerts = w.detector.alerts = _CrashingAlerts("refused")  # type: ignore[assignment]
    inc_id = _closing_run_crashes(w)
    assert _closed_alerts(w) == []
    w.minute({})
    w.run()
    assert _closed_alerts(w) == [f"{inc_id}:closed"]


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_run_dying_between_the_claim_and_the_mark_never_sends_twice(when: str) -> None:
    """Dying between publishing and marking sent ("after") or just before publishing ("before") look the same
    from the record: the claim is held for the lease, then the alert is in doubt - counted, never sent blind."""
    w = World()
    w.alerts = w.detector.alerts = _CrashingAlerts(when)  # type: ignore[assignment]
    inc_id = _closing_run_crashes(w)
    sent = _closed_alerts(w)
    assert sent == ([f"{inc_id}:closed"] if when == "after" else [])
    w.minute({})
    assert w.run().alerts_in_doubt == 0  # within the lease: left to the run that claimed it
    in_doubt = 0
    for _ in range(8):
        w.minute({})
        in_doubt += w.run().alerts_in_doubt
    assert in_doubt == 1 and _closed_alerts(w) == sent
    inc = w.radar.incident(inc_id)
    assert inc and inc.alerts[-1] == "in_doubt:closed"


def test_a_second_run_finds_the_alert_claimed_and_sends_nothing() -> None:
    w = World()
    w.radar = w.detector.radar = _CrashingRadar("mark")
    inc_id = _closing_run_crashes(w)  # published, then died before marking it sent
    assert _closed_alerts(w) == [f"{inc_id}:closed"]
    rerun = Detector(signals=w.signals, radar=w.radar, alerts=w.alerts, clock=w.clock)
    assert rerun.run().alerts == 0  # the same minute again (a Lambda retry): the claim is held
    assert _closed_alerts(w) == [f"{inc_id}:closed"]
