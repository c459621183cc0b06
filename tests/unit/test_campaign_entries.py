"""Reply-phrase matching, the collection phases and the follow check chosen by its X read cost."""

from __future__ import annotations

import pytest

from activecare.campaign import entries
from activecare.campaign.errors import BadInput, UnknownTweet
from activecare.campaign.models import DrawRequest, Entrant, Rules


@pytest.mark.parametrize("text", ["プレゼント希望！", "ぷれぜんと希望です", "ﾌﾟﾚｾﾞﾝﾄ希望🙏", "プレゼント　希望",
                                  "＃プレゼント希望", "@ac_help ぷれぜんと\u200b希望"])
def test_the_phrase_matches_after_normalisation(text: str) -> None:
    assert entries.phrase_matches("プレゼント希望", text)


@pytest.mark.parametrize("text", ["プレゼントほしい", "応募しました", "ぷれぜんときぼう"])  # kanji are not folded
def test_other_replies_do_not_match(text: str) -> None:
    assert not entries.phrase_matches("プレゼント希望", text)


def test_the_follow_check_is_the_cheaper_read() -> None:
    assert entries.follow_plan(150, 1105) == ("followers", {"connection_status": 1.5, "followers": 1.105})
    assert entries.follow_plan(34, 1105)[0] == "connection_status"
    assert entries.follow_plan(0, 0)[0] == "connection_status"  # equal: the per-candidate lookups
    assert entries.read_cost({"posts": 170, "owned": 1105, "users": 3}) == 1.985


def test_phases_and_cursors_and_the_old_retweeted_by_cursor() -> None:
    reply_only = Rules(require_retweet=False, reply_phrase="プレゼント希望")
    assert entries.phases(reply_only) == ["r"] and entries.phases(Rules(reply_phrase="x")) == ["r", "e"]
    assert entries.parse_cursor(None, reply_only) == ("r", None)
    assert entries.parse_cursor("f|abc", reply_only) == ("f", "abc")
    assert entries.parse_cursor("7140dibdnow9c7btw3z", Rules()) == ("e", "7140dibdnow9c7btw3z")  # recorded before
    ents = [Entrant("2", "b", False, retweeted=False, replied=True), Entrant("10", "a", False),
            Entrant("3", "c", True, retweeted=True, replied=True)]
    assert entries.candidates(Rules(reply_phrase="x"), ents) == ["3"]
    assert entries.candidates(reply_only, ents) == ["2", "3"]


def test_an_entry_is_required_and_a_claim_announcement_names_nobody() -> None:
    with pytest.raises(ValueError, match="needs an entry"):
        Rules(require_retweet=False)
    base = {"campaign_id": "c", "tweet_id": "1", "dry_run": True}
    with pytest.raises(BadInput, match="no @mentions"):
        DrawRequest.parse({**base, "notify": "claim", "announcement": "@fan_1 さん当選です"})
    assert DrawRequest.parse(base).notify == "hand"
    assert Rules().canonical() == Rules(require_retweet=True, reply_phrase="").canonical()
    assert "reply_phrase" not in Rules().canonical()  # the rules of campaigns recorded before reply entries


def test_a_post_gone_between_its_replies_and_its_retweeters_is_a_clear_error_and_the_tick_goes_on() -> None:
    from datetime import UTC, datetime

    from activecare.campaign.memory import MemoryCampaignStore, MemoryX
    from activecare.campaign.ports import Reply
    from activecare.campaign.service import CampaignService
    from activecare.clock import ManualClock
    from infra.campaign_sim import SALT, SALT_SHA256

    x = MemoryX({})
    x.replies_to["777"] = [Reply(Entrant("5", "e5", False, retweeted=False, replied=True), "プレゼント希望")]
    service = CampaignService(store=MemoryCampaignStore(), source_for=lambda _a: x, messenger_for=lambda _a: x,
                              clock=ManualClock(datetime(2026, 12, 2, tzinfo=UTC)))
    request = {"campaign_id": "c", "tweet_id": "777", "winners": 1, "salt": SALT, "salt_sha256": SALT_SHA256,
               "rules": {"reply_phrase": "プレゼント希望", "require_follow": False}}
    with pytest.raises(UnknownTweet):
        service.draw(request)
    assert [type(r).__name__ for r in service.tick().campaigns] == ["TickFailure"]
    x.retweeter_lists["777"] = [Entrant("5", "e5", False)]
    assert service.tick().campaigns[0].model_dump()["winners"] == 1  # the post is back: it goes on


def test_a_claim_received_without_sending_is_answered_by_the_next_run_once() -> None:
    from datetime import UTC, datetime

    from activecare.campaign.memory import MemoryCampaignStore, MemoryX
    from activecare.campaign.service import CampaignService
    from activecare.clock import ManualClock
    from infra.campaign_sim import SALT, SALT_SHA256

    x = MemoryX({"777": [Entrant(str(10 + i), f"fan{i}", True) for i in range(5)]})
    service = CampaignService(store=MemoryCampaignStore(), source_for=lambda _a: x, messenger_for=lambda _a: x,
                              clock=ManualClock(datetime(2026, 12, 2, tzinfo=UTC)))
    drawn = service.draw({"campaign_id": "c", "tweet_id": "777", "winners": 2, "salt": SALT,
                          "salt_sha256": SALT_SHA256, "notify": "claim", "claim_phrase": "うけとり"})
    assert drawn.announcement_tweet_id == x.posts[0][0] and "@" not in x.posts[0][1] and x.sent == []
    winner = service.certificate("c").winners[0]
    event = x.user_dm(winner, "ウケトリ")
    got = service.receive_dm("general", {"id": event.id, "sender_id": winner, "text": event.text}, send=False)
    assert got.claimed and not got.sent and x.sent == []
    service.tick()
    service.tick()
    assert [p for _, p, _ in x.sent] == [winner] and len(x.posts) == 1
