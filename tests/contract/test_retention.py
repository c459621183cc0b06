"""Retention: every record the adapters write carries `expires_at` (epoch seconds) as the settings say, counted
from the time the caller passes in (the service's injectable clock), and the tables expire on that attribute.
moto keeps expired items (it never runs TTL's deletions), so what is checked is the attribute and the table's
TTL setting."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import boto3
import pytest

from activecare.campaign.dynamo import CampaignItem, DynamoCampaignStore, EntrantItem, WinnerItem, _sk
from activecare.campaign.models import Campaign, Entrant, Rules, Winner
from activecare.clock import JST
from activecare.desk.dynamo import DeskTally, DynamoDeskInquiries, DynamoReservations, DynamoTally, ReplyReservation
from activecare.desk.models import Event, Msg, Reservation
from activecare.listening.dynamo import DynamoCheckpoints, DynamoInquiryStore
from activecare.listening.ingest import NewInquiry
from activecare.listening.models import MatchInfo
from activecare.publishing.dynamo import CapCounter, DynamoPublishStore, PostItem
from activecare.publishing.models import PENDING, PostRecord
from activecare.publishing.ports import cap_key
from activecare.reporting.dynamo import DynamoReportLedger, ReportItem
from activecare.reporting.models import ReportRecord
from activecare.settings import Settings
from activecare.storage.models import TABLES, Inquiry, State, bind_tables
from activecare.twitter.models import Tweet, User
from infra.local_stack import LocalStack
from tests.contract.support import Era, Fresh

DAY = 86400
SHORT = {"inquiry_retention_days": 30, "reservation_retention_days": 3, "record_retention_days": 10,
         "report_retention_days": 20, "campaign_retention_days": 90}


@pytest.fixture
def short(aws: LocalStack) -> dict[str, int]:
    """Retention periods other than the defaults (so a test cannot pass on a constant), bound for one test."""
    bind_tables(aws.settings.model_copy(update=SHORT))
    yield SHORT
    bind_tables(aws.settings)


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def test_every_table_expires_items_on_expires_at(aws: LocalStack) -> None:
    client = boto3.client("dynamodb", region_name=aws.settings.region)
    for field in TABLES:
        ttl = client.describe_time_to_live(TableName=getattr(aws.settings, field))["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}, field


def test_an_inquiry_expires_after_its_last_activity(short: dict[str, int], fresh: Fresh, era: Era) -> None:
    store, desk, days = DynamoInquiryStore(), DynamoDeskInquiries(), short["inquiry_retention_days"] * DAY
    author, tid = fresh.id(), fresh.id()
    tweet = Tweet(id=tid, text="また圏外です", author_id=author, created_at=era.at(0), conversation_id=tid,
                  author=User(author, "sakura"))
    match = MatchInfo(topic="signal", department="network", account="signal", keywords=["圏外"])
    assert store.create(NewInquiry(tweet=tweet, source="search", direct=False, match=match, sentiment="complaint",
                                   pii_kinds=(), history=[], context_before=[], context_after=[], context_ok=True,
                                   received_at=era.at(1)))
    assert Inquiry.get(tid).expires_at == _epoch(era.at(1)) + days  # from its arrival
    follow = replace(tweet, id=fresh.id(), created_at=era.at(60))
    assert store.append_customer_message(tid, follow, era.at(61))
    assert Inquiry.get(tid).expires_at == _epoch(era.at(61)) + days  # a follow-up moves it on
    reply = Msg(fresh.id(), "1600000000000000002", "ご不便をおかけしております", era.at(90), "out", "sato", "signal",
                follow.id, "api")
    assert desk.add_reply(tid, reply, era.at(90))
    assert Inquiry.get(tid).expires_at == _epoch(era.at(90)) + days  # our reply too
    assert desk.set_status(tid, "resolved", Event("resolve", "sato", era.at(120)), outcome="answered")
    assert Inquiry.get(tid).expires_at == _epoch(era.at(120)) + days  # and resolving it


def test_a_reply_reservation_expires_days_after_it_was_made(short: dict[str, int], fresh: Fresh, era: Era) -> None:
    token = fresh.name("token")
    DynamoReservations().reserve(Reservation(
        token=token, status="pending", inquiry_id=fresh.id(), text_hash="ab", text="ご確認ください", agent="sato",
        account="signal", in_reply_to=fresh.id(), mode="api", reserved_at=era.at(5)))
    assert ReplyReservation.get(f"reply#{token}").expires_at == (
        _epoch(era.at(5)) + short["reservation_retention_days"] * DAY)


def test_day_records_expire_days_after_their_day(short: dict[str, int], fresh: Fresh, era: Era) -> None:
    day_start = datetime.fromisoformat(era.day).replace(tzinfo=JST)
    expected = _epoch(day_start) + short["record_retention_days"] * DAY
    record = PostRecord(account="general", day=era.day, post_id=fresh.name("post"), category=fresh.name("tips"),
                        text="今日のお役立ち情報です", status=PENDING, reserved_at=era.at(600),
                        lease_until=era.at(602))
    assert DynamoPublishStore().reserve(record, cap=3) == "reserved"
    assert PostItem.get(record.key).expires_at == expected
    assert CapCounter.get(cap_key(record.account, record.day, record.category)).expires_at == expected
    agent = fresh.name("agent")
    DynamoTally().add(era.day, agent, {"replies": 1})
    assert DeskTally.get(f"tally#{era.day}").expires_at == expected
    assert DeskTally.get(f"tally#{era.day}#{agent}").expires_at == expected


def test_a_report_ledger_record_expires_days_after_its_window(short: dict[str, int], fresh: Fresh,
                                                              era: Era) -> None:
    window = fresh.name("20261125-1400")
    assert DynamoReportLedger().reserve(ReportRecord(
        key=f"report#{window}#network", window_id=window, department="network", status="pending",
        report_id=f"{window}#network", recipients=2, reserved_at=era.at(10)))
    assert ReportItem.get(f"report#{window}#network").expires_at == (
        _epoch(era.at(10)) + short["report_retention_days"] * DAY)


def test_campaign_records_expire_after_the_campaign_s_last_activity(short: dict[str, int], fresh: Fresh,
                                                                    era: Era) -> None:
    store, days = DynamoCampaignStore(), short["campaign_retention_days"] * DAY
    campaign = Campaign(campaign_id=fresh.name("camp"), tweet_id=fresh.id(), account="general", winners_wanted=1,
                        rules=Rules(require_follow=True), message="@{username} さん ご当選おめでとうございます",
                        salt="s", created_at=era.at(0))
    cid = campaign.campaign_id
    assert store.create(campaign)
    assert CampaignItem.get(cid, "meta").expires_at == _epoch(era.at(0)) + days
    entrant = Entrant(user_id=fresh.id(), username="hana", follows=True, followers_count=50,
                      created_at=era.at(-9999))
    assert store.save_page(cid, [entrant], expect_cursor=None, next_cursor=None, done=True, now=era.at(30))
    assert EntrantItem.get(cid, _sk("e", entrant.user_id)).expires_at == _epoch(era.at(30)) + days
    assert CampaignItem.get(cid, "meta").expires_at == _epoch(era.at(30)) + days
    drawn = replace(campaign, status="drawn", drawn_at=era.at(60), entrants_count=1, entrants_sha256="x", seed="y")
    store.save_draw(drawn, [Winner(cid, entrant.user_id, "hana", 1)])
    assert WinnerItem.get(cid, _sk("w", entrant.user_id)).expires_at == _epoch(era.at(60)) + days
    assert CampaignItem.get(cid, "meta").expires_at == _epoch(era.at(60)) + days
    assert store.reserve(cid, entrant.user_id, "pending", era.at(90))
    store.record_sent(cid, entrant.user_id, "dm-1", era.at(91))
    assert WinnerItem.get(cid, _sk("w", entrant.user_id)).expires_at == _epoch(era.at(91)) + days


def test_an_open_campaign_that_expired_leaves_the_open_list(short: dict[str, int], fresh: Fresh, era: Era) -> None:
    store = DynamoCampaignStore()
    kept, expired = (Campaign(campaign_id=fresh.name("camp"), tweet_id=fresh.id(), account="general",
                              winners_wanted=1, rules=Rules(), message="@{username} さん", salt="s",
                              created_at=era.at(0)) for _ in range(2))
    assert store.create(kept) and store.create(expired)
    CampaignItem.get(expired.campaign_id, "meta").delete()  # what DynamoDB's TTL does some time after expires_at
    listed = store.open_campaigns()
    assert kept.campaign_id in listed and expired.campaign_id not in listed
    assert expired.campaign_id not in store.open_campaigns()  # and off the list for good
    store.close(kept.campaign_id)


def test_checkpoints_and_rate_limit_marks_never_expire(short: dict[str, int], fresh: Fresh, era: Era) -> None:
    key, endpoint = fresh.name("search#q"), fresh.name("search")
    checkpoints = DynamoCheckpoints()
    checkpoints.advance(key, 5, query="q", polled_at=era.at(0), matched=1)
    checkpoints.set_rate_limited(endpoint, era.at(15))
    for pk in (key, f"ratelimit#{endpoint}"):
        assert "expires_at" not in State.get(pk).attribute_values


def test_retention_settings_are_read_from_the_environment_within_their_ranges() -> None:
    assert Settings.from_env({"INQUIRY_RETENTION_DAYS": "365"}).inquiry_retention_days == 365
    defaults = Settings()
    assert (defaults.inquiry_retention_days, defaults.reservation_retention_days, defaults.record_retention_days,
            defaults.report_retention_days, defaults.campaign_retention_days) == (180, 7, 35, 60, 180)
    for var in ("INQUIRY_RETENTION_DAYS", "REPORT_RETENTION_DAYS"):  # shorter than the reports' week before
        with pytest.raises(ValueError):
            Settings.from_env({var: "7"})
    with pytest.raises(ValueError):
        Settings.from_env({"RESERVATION_RETENTION_DAYS": "1"})  # shorter than X's duplicate window and a confirm
    with pytest.raises(ValueError):
        Settings.from_env({"CAMPAIGN_RETENTION_DAYS": "0"})
    assert timedelta(days=defaults.reservation_retention_days) > timedelta(hours=24)
