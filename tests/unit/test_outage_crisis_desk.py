"""Crisis mode on the in-memory fakes: roles, one status post per step, updates on the interval each a new
text, the closing notice once, a declared incident, X's 100 posts per 15 minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from activecare.clock import JST, ManualClock
from activecare.errors import AppError, Forbidden, Refused
from activecare.outage.memory import MemoryRadar
from activecare.outage.models import DetectorState, GroupAnswer, Incident
from activecare.outage.service import CrisisDesk

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=JST)
SUP = ["supervisors"]


class Poster:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []

    def post(self, account: str, text: str) -> str:
        self.posts.append((account, text))
        return str(5000 + len(self.posts))


def _desk() -> tuple[CrisisDesk, MemoryRadar, Poster, ManualClock]:
    radar, poster, clock = MemoryRadar(), Poster(), ManualClock(T0)
    inc = Incident(id="i1", onset=T0 - timedelta(minutes=6), detected_at=T0 - timedelta(minutes=3),
                   keys=["t:signal", "p:osaka"], account="signal")
    radar.put_incident(inc)
    radar.state = DetectorState(open=["i1"], incidents=["i1"])
    return CrisisDesk(radar=radar, poster=poster, clock=clock), radar, poster, clock


def test_only_supervisors_confirm_and_the_first_post_goes_out_once() -> None:
    desk, _, poster, _ = _desk()
    with pytest.raises(Forbidden):
        desk.confirm("i1", user="sato", groups=["agents"])
    assert poster.posts == []
    desk.confirm("i1", user="yamada", groups=SUP)
    desk.confirm("i1", user="yamada", groups=SUP)  # a second click
    assert desk.tick() == 0
    assert len(poster.posts) == 1
    account, text = poster.posts[0]
    assert account == "signal" and "第1報" in text and "13:54頃" in text and "大阪府" in text


def test_updates_follow_the_interval_each_a_new_text_and_the_closing_notice_once() -> None:
    desk, radar, poster, clock = _desk()
    desk.confirm("i1", user="yamada", groups=SUP)
    clock.advance(timedelta(minutes=29))
    assert desk.tick() == 0
    clock.advance(timedelta(minutes=1))
    assert desk.tick() == 1
    clock.advance(timedelta(minutes=30))
    assert desk.tick() == 1
    inc = radar.incident("i1")
    assert inc
    inc.status, inc.closed_at = "closed", clock()
    radar.put_incident(inc)
    assert desk.tick() == 1 and desk.tick() == 0
    texts = [t for _, t in poster.posts]
    assert len(texts) == 4 and len(set(texts)) == 4
    assert "第4報" in texts[-1] and "復旧" in texts[-1]


def test_a_post_whose_outcome_is_unknown_is_not_repeated_blindly() -> None:
    desk, radar, poster, _ = _desk()

    def broken(account: str, text: str) -> str:
        raise TimeoutError("no answer from X")

    desk.poster = type("P", (), {"post": staticmethod(broken)})()
    with pytest.raises(TimeoutError):
        desk.confirm("i1", user="yamada", groups=SUP)
    desk.poster = poster
    assert desk.tick() == 0 and poster.posts == []
    inc = radar.incident("i1")
    assert inc and [p.tweet_id for p in inc.status_posts] == ["pending"]


def test_a_declared_incident_is_open_confirmed_and_posted() -> None:
    desk, radar, poster, _ = _desk()
    with pytest.raises(Forbidden):
        desk.declare(user="sato", groups=["agents"], topic="wifi", places=["tokyo"])
    with pytest.raises(Refused):
        desk.declare(user="yamada", groups=SUP, topic="wifi", places=["atlantis"])
    inc = desk.declare(user="yamada", groups=SUP, topic="wifi", places=["tokyo"])
    assert inc.declared_by == "yamada" and inc.account == "wifi" and inc.id in radar.load_state().open
    assert poster.posts[-1][0] == "wifi" and "東京都" in poster.posts[-1][1]


def test_group_replies_differ_and_the_post_window_holds_100_per_15_minutes() -> None:
    desk, _, _, clock = _desk()
    inc = desk.get("i1")
    assert desk.group_reply(inc, "osaka_a") != desk.group_reply(inc, "osaka_b")
    assert desk.in_group(inc, "signal", "梅田駅で圏外", T0) and not desk.in_group(inc, "signal", "東京駅で圏外", T0)
    assert desk.in_group(inc, "signal", "圏外", T0) and not desk.in_group(inc, "billing", "大阪で料金", T0)
    def answered(n: int, ago: int) -> list[GroupAnswer]:
        return [GroupAnswer(inquiry_id=f"{ago}-{k}", action="replied", by="sato", at=clock() - timedelta(minutes=ago),
                            how="api") for k in range(n)]

    inc.answers = answered(99, 1) + answered(50, 16)
    desk.check_rate(inc)  # 99 in the window: one more may go
    inc.answers += answered(1, 14)
    with pytest.raises(AppError) as refused:
        desk.check_rate(inc)
    assert refused.value.status == 429 and refused.value.code == "post_window_full"
    clock.advance(timedelta(minutes=2))  # the oldest leave the window
    desk.check_rate(inc)


def test_a_nationwide_incidents_texts_fit_in_a_post() -> None:
    from activecare.outage.gazetteer import gazetteer
    from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, weighted_length

    desk, _, _, clock = _desk()
    keys = ["t:signal", "t:mobile_data", "t:outage", *(f"p:{k}" for k in gazetteer().places)]
    inc = Incident(id="n1", onset=T0, detected_at=T0, keys=keys)
    texts = [desk.status_text(inc, kind, 12, clock()) for kind in ("first", "update", "closed")]
    texts.append(desk.group_reply(inc, "a_fifteen_chars"))
    assert all(weighted_length(t) <= MAX_WEIGHTED_LENGTH for t in texts)
    assert "全国各地" in texts[0] and "電波・通信" in texts[0] and "mobile_data" not in texts[0]


def test_the_detector_and_the_desk_writing_at_once_lose_nothing_and_post_once() -> None:
    from activecare.outage.memory import MemoryAlerts, MemorySignals
    from activecare.outage.service import Detector

    desk, radar, poster, clock = _desk()
    stale = radar.incident("i1")  # the detector's run loaded it ...
    other_click = radar.incident("i1")  # ... and so did a second confirm click
    assert stale and other_click
    desk.confirm("i1", user="yamada", groups=SUP)  # ... then a supervisor confirmed: the first post is out
    stale.peak = 99
    detector = Detector(signals=MemorySignals(), radar=radar, alerts=MemoryAlerts(), clock=clock)
    detector._write(stale)  # the detector's write lands on the fresh copy
    stored = radar.incident("i1")
    assert stored and stored.peak == 99 and stored.confirmed_by == "yamada" and len(stored.status_posts) == 1
    other_click.confirmed_by = "yamada"
    assert desk._post_due(other_click) == 0  # the stale click's post is refused by the revision
    assert len(poster.posts) == 1


def test_ordinary_desk_replies_fill_the_accounts_window_and_a_group_reply_gets_a_429() -> None:
    """The window counts every post of the account, not only the incident's: 99 ordinary desk replies and one
    status post from @ac_signal (each through the account's counted X) fill it."""
    from activecare.desk.models import Actor
    from activecare.twitter.post_window import MemoryPostWindow, PostCounter
    from tests.unit.test_desk_service import World

    w, window = World(), MemoryPostWindow()
    for key, x in w.posters.items():
        x.post_counter = PostCounter(window, key, w.clock)
    radar = MemoryRadar()
    poster = type("P", (), {"post": staticmethod(lambda account, text: w.posters[account].post(text))})()
    crisis = CrisisDesk(radar=radar, clock=w.clock, posts=window, poster=poster)
    inc = crisis.declare(user="yamada", groups=SUP, topic="signal", places=["osaka"])
    assert len(inc.status_posts) == 1 and window.count("signal", w.clock()) == 1
    crisis.check_rate(inc, account="signal")
    sato = Actor("sato", frozenset({"agents"}))
    for n in range(99):
        inq = w.inquiry(f"@ac_signal 梅田駅で圏外です（{n}）", author=str(1300000000000000100 + n), direct=True,
                        minutes_ago=1)
        result = w.desk.reply(inq.inquiry_id, sato, f"ご不便をおかけしております（{n}）", f"token-{n:04d}")
        assert result.status == "posted" and result.mode == "api"
    w.desk.reply(inq.inquiry_id, sato, "ご不便をおかけしております（98）", "token-0098")  # a retry counts once
    assert window.count("signal", w.clock()) == 100 and window.count("general", w.clock()) == 0
    assert sum(a.how == "api" for a in inc.answers) == 0  # none of them was the incident's
    with pytest.raises(AppError) as refused:
        crisis.check_rate(inc, account="signal")
    assert refused.value.status == 429 and refused.value.code == "post_window_full"
    crisis.check_rate(inc, account="general")  # another account's window is its own
    w.clock.advance(timedelta(minutes=16))
    crisis.check_rate(inc, account="signal")


def test_a_post_x_refuses_for_good_leaves_the_window_one_in_doubt_stays() -> None:
    from activecare.twitter.memory import InMemoryTwitter
    from activecare.twitter.port import TwitterRejected, TwitterUnavailable
    from activecare.twitter.post_window import MemoryPostWindow, PostCounter

    clock, window = ManualClock(T0), MemoryPostWindow()
    x = InMemoryTwitter(clock=clock)
    x.post_counter = PostCounter(window, "general", clock)
    x.fail_next("post", TwitterRejected(403, "You are not permitted to perform this action."))
    with pytest.raises(TwitterRejected):
        x.post("お知らせです")
    assert window.count("general", clock()) == 0
    x.fail_next("post", TwitterUnavailable("post: HTTP 503"))
    with pytest.raises(TwitterUnavailable):
        x.post("お知らせです")
    assert window.count("general", clock()) == 1  # it may have gone out: counted
    x.post("お知らせです")  # the retry: the same post, counted once
    assert window.count("general", clock()) == 1


def test_the_incident_routes_answer_typed_models() -> None:
    """docs/openapi.json (the desk API's document, checked against what it serves): every /incidents route's
    answer is a model of activecare/outage/models.py (or the answer route's), not an untyped object."""
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8"))
    refs = {(m, path, code): r["content"]["application/json"]["schema"].get("$ref", "").rsplit("/", 1)[-1]
            for path, ops in doc["paths"].items() if path.startswith("/incidents") for m, op in ops.items()
            for code, r in op["responses"].items() if code != "422"}
    assert refs == {
        ("get", "/incidents", "200"): "IncidentList", ("post", "/incidents", "201"): "IncidentResult",
        ("get", "/incidents/{incident_id}", "200"): "IncidentDetail",
        ("post", "/incidents/{incident_id}/confirm", "200"): "IncidentResult",
        **{("post", "/incidents/{incident_id}/answer", c): "IncidentAnswer" for c in ("200", "201", "202")}}
    assert {"IncidentView", "GroupedInquiry", "MinuteView"} <= set(doc["components"]["schemas"])
