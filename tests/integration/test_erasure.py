"""`activecare erase` on the local stack (moto, over real boto3): one customer's records go, nobody else's, and
a second run removes nothing and says so. No tweet text is printed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from activecare.campaign.dynamo import DynamoCampaignStore, EntrantItem, _sk
from activecare.campaign.models import Campaign, Entrant, Rules, Winner
from activecare.cli import main
from activecare.desk.dynamo import DynamoReservations, ReplyReservation
from activecare.desk.models import Reservation
from activecare.listening.dynamo import DynamoInquiryStore
from activecare.listening.ingest import NewInquiry
from activecare.listening.models import MatchInfo
from activecare.storage.models import Inquiry
from activecare.twitter.models import Tweet, User
from infra.local_stack import LocalStack

AT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
SAKURA, TARO = "1800000000000000101", "1800000000000000202"
MATCH = MatchInfo(topic="signal", department="network", account="signal", keywords=["圏外"])
TEXT = "家の中だとずっと圏外です"


def _inquiry(tweet_id: str, author: str, username: str, minutes: int) -> None:
    at = AT + timedelta(minutes=minutes)
    tweet = Tweet(id=tweet_id, text=TEXT, author_id=author, created_at=at, conversation_id=tweet_id,
                  author=User(author, username))
    context = [Tweet(id=str(int(tweet_id) - 1), text="朝から電波が悪い", author_id=author, created_at=at)]
    assert DynamoInquiryStore().create(NewInquiry(
        tweet=tweet, source="search", direct=False, match=MATCH, sentiment="complaint", pii_kinds=(), history=[],
        context_before=context, context_after=[], context_ok=True, received_at=at))


@pytest.fixture
def seeded(stack: LocalStack) -> LocalStack:
    _inquiry("1900000000000000010", SAKURA, "Sakura_m", 0)
    _inquiry("1900000000000000020", SAKURA, "Sakura_m", 30)
    _inquiry("1900000000000000030", TARO, "taro", 10)
    DynamoReservations().reserve(Reservation(
        token="tok-sakura", status="posted", inquiry_id="1900000000000000010", text_hash="ab",
        text="ご不便をおかけしております", agent="sato", account="signal", in_reply_to="1900000000000000010",
        mode="api", reserved_at=AT))
    DynamoReservations().reserve(Reservation(
        token="tok-taro", status="posted", inquiry_id="1900000000000000030", text_hash="cd",
        text="ご確認ください", agent="sato", account="signal", in_reply_to="1900000000000000030", mode="api",
        reserved_at=AT))
    store = DynamoCampaignStore()
    campaign = Campaign(campaign_id="xmas2026", tweet_id="1900000000000000900", account="general",
                        winners_wanted=1, rules=Rules(require_follow=True),
                        message="@{username} さん おめでとうございます", salt="s", created_at=AT)
    assert store.create(campaign)
    entrants = [Entrant(user_id=SAKURA, username="sakura_m", follows=True, followers_count=80, created_at=AT),
                Entrant(user_id=TARO, username="taro", follows=True, followers_count=90, created_at=AT)]
    assert store.save_page("xmas2026", entrants, expect_cursor=None, next_cursor=None, done=True, now=AT)
    store.save_draw(replace(campaign, status="drawn", drawn_at=AT, entrants_count=2),
                    [Winner("xmas2026", TARO, "taro", 1)])
    return stack


def _ids(author: str) -> list[str]:
    return sorted(i.inquiry_id for i in Inquiry.by_author.query(author))


def test_erase_by_username_removes_that_customer_only_and_a_rerun_removes_nothing(
        seeded: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erase", "--author", "@sakura_M", "--dry-run"]) == 0  # usernames compare as X does: any case
    out = capsys.readouterr().out
    assert "would remove" in out and "inquiries            2" in out
    assert len(_ids(SAKURA)) == 2  # a dry run removes nothing

    assert main(["erase", "--author", "@sakura_M"]) == 0
    out = capsys.readouterr().out
    assert f"@sakura_M (user id {SAKURA}): removed" in out
    for line in ("inquiries            2", "reply reservations   1", "campaign entries     1",
                 "campaign winners     0", "total                4"):
        assert line in out, out
    assert TEXT not in out and "電波" not in out

    assert _ids(SAKURA) == []
    assert not EntrantItem.count("xmas2026", EntrantItem.sk == _sk("e", SAKURA))
    assert not ReplyReservation.count("reply#tok-sakura")
    # the other customer: untouched
    assert _ids(TARO) == ["1900000000000000030"]
    assert Inquiry.get("1900000000000000030").context_status == "ok"
    assert ReplyReservation.count("reply#tok-taro") == 1
    assert EntrantItem.count("xmas2026", EntrantItem.sk == _sk("e", TARO)) == 1
    assert [w.user_id for w in DynamoCampaignStore().winners("xmas2026")] == [TARO]

    assert main(["erase", "--author", "@sakura_M"]) == 0  # the name is known no more
    assert capsys.readouterr().out.strip() == "nothing stored for @sakura_M: 0 removed"
    assert main(["erase", "--author", SAKURA]) == 0
    assert capsys.readouterr().out.strip() == f"nothing stored for {SAKURA} (user id {SAKURA}): 0 removed"


def test_erase_by_id_removes_a_winner_record_too(seeded: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erase", "--author", TARO]) == 0
    out = capsys.readouterr().out
    assert "campaign winners     1" in out and "inquiries            1" in out and "campaign entries     1" in out
    assert DynamoCampaignStore().winners("xmas2026") == []
    assert _ids(SAKURA) == ["1900000000000000010", "1900000000000000020"]


def test_a_name_that_is_no_username_nor_id_is_refused(seeded: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erase", "--author", "sakura"]) == 2
    assert "give @sakura for a username" in capsys.readouterr().err


def test_a_username_two_ids_had_is_refused(seeded: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    _inquiry("1900000000000000040", "1800000000000000303", "Taro", 50)  # the name freed and taken again
    assert main(["erase", "--author", "@taro"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: @taro names 2 user ids") and "give the numeric id" in err
    assert len(_ids(TARO)) == 1  # nothing removed
