"""Regression (fault suite, issue #7): the desk crashed (or X's answer was lost) after the reply was posted;
the agent got an error and left it, the claim expired, and the inquiry is answered again - under a new client
token, with the same saved reply. X refuses the text as duplicate content; the reply already on X is ours and is
recorded, never posted a second time with an edit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from activecare.desk.errors import Unavailable
from activecare.twitter.port import TwitterUnavailable
from tests.unit.test_desk_service import TEXT, World


def test_a_reply_posted_by_a_crashed_attempt_is_recorded_by_the_next_token() -> None:
    w = World()
    inq = w.inquiry("@ac_signal 圏外です", direct=True)
    poster = w.posters["signal"]
    real_post = poster.post

    def post_then_lose_the_answer(text: str, *, in_reply_to: str | None = None) -> str:
        real_post(text, in_reply_to=in_reply_to)
        raise TwitterUnavailable("post: ReadTimeout")

    poster.post = post_then_lose_the_answer  # type: ignore[method-assign]
    with pytest.raises(Unavailable):
        w.desk.reply(inq.inquiry_id, "sato", TEXT, "token-first")
    del poster.post
    assert len(w.posted) == 1
    w.clock.advance(timedelta(minutes=16))  # sato's claim expired; suzuki takes the inquiry
    result = w.desk.reply(inq.inquiry_id, "suzuki", TEXT, "token-second")
    assert result.status == "posted" and result.tweet_id == w.posted[0].id
    assert len(w.posted) == 1
    assert w.tally.read("2026-11-25")["suzuki"]["replies"] == 1
