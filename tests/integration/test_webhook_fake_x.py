"""X's account activity webhook end to end over real HTTP: the fake X (CRC on registration, signed deliveries) ->
the webhook function behind the local API front -> SQS (moto) -> the worker -> DynamoDB (moto); then the poller,
the backfill, finds nothing more to add."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
import requests

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.clock import ManualClock
from activecare.errors import AppError
from activecare.listening.models import DirectMessageReceived
from activecare.settings import Settings
from activecare.storage.models import DoNotContact, Inquiry, dnc_key
from infra.fake_twitter.webhooks import CrcFailed, FakeWebhooks, x_signature
from infra.local_stack import LocalStack
from infra.local_webhook import CONSUMER_SECRET, PATH, local_webhook
from tests.integration.spine import customer, drain, inquiries, poll, tweet

GENERAL, SIGNAL = DEFAULT_ACCOUNTS[0], DEFAULT_ACCOUNTS[1]


@pytest.fixture
def stack(clock: ManualClock) -> Iterator[LocalStack]:
    """X offers the webhooks on pay-per-use (and Enterprise)."""
    with LocalStack(clock, access_level="pay_per_use") as running:
        yield running


def test_no_webhook_where_the_access_level_offers_none() -> None:
    pro = cast(LocalStack, SimpleNamespace(settings=Settings(access_level="pro")))  # refused before anything runs
    with pytest.raises(ValueError, match="no account activity webhooks on pro"), local_webhook(pro):
        pass
CUSTOMER = customer("1300000000000000001", "tanaka_hanako")
OTHER = customer("1300000000000000002", "kansai_taro")


def _inquiry_within(tweet_id: str, stack: LocalStack, seconds: float) -> None:
    """Run the worker (the SQS event source mapping) until the tweet's inquiry exists."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        drain(stack)
        if _exists(tweet_id):
            return
        time.sleep(0.02)
    raise AssertionError(f"no inquiry for {tweet_id} within {seconds} s")


def _exists(tweet_id: str) -> bool:
    try:
        Inquiry.get(tweet_id, consistent_read=True, attributes_to_get=["inquiry_id"])
    except Inquiry.DoesNotExist:
        return False
    return True


def _until(check: Any, stack: LocalStack, hooks: FakeWebhooks, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        hooks.wait_idle()
        drain(stack)
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("not done in time")


def test_a_mention_is_an_inquiry_in_seconds_and_the_poller_then_adds_nothing(stack: LocalStack,
                                                                            clock: ManualClock) -> None:
    stack.twitter.add_users([CUSTOMER])
    with local_webhook(stack) as (_, hooks):
        start = time.monotonic()
        mention = tweet(clock(), "@ac_signal 駅のホームで圏外になる…電波どうにかして😇", CUSTOMER["id"])
        stack.twitter.add_tweets([mention])  # X: the customer posts; the webhook delivery follows
        _inquiry_within(mention["id"], stack, 5.0)
        total = time.monotonic() - start
        print(f"\nmention -> inquiry through the webhook: {total:.2f} s wall time")
        assert total < 5.0
        inquiry = Inquiry.get(mention["id"])
        assert inquiry.topic == "signal" and inquiry.account == "signal" and inquiry.direct
        assert inquiry.source == "mention" and inquiry.author_username == "tanaka_hanako"
        assert [d.status for d in hooks.deliveries] == [200]
        before = {i: v.tweet_ids for i, v in inquiries().items()}

        # The poller (the backfill) reads the same mention a minute later: nothing more to add.
        clock.advance(timedelta(minutes=1))
        report = poll(stack)
        drained = drain(stack)
        assert report["failures"] == [] and drained.failed == 0
        assert {i: v.tweet_ids for i, v in inquiries().items()} == before


def test_the_crc_the_signature_and_a_repeated_delivery(stack: LocalStack, clock: ManualClock) -> None:
    with local_webhook(stack) as (front, hooks):
        url = front.url + PATH
        token = "チャレンジ-token-123"
        resp = requests.get(url, params={"crc_token": token}, timeout=5)
        assert resp.status_code == 200
        assert resp.json() == {"response_token": x_signature(CONSUMER_SECRET, token.encode())}
        missing = requests.get(url, timeout=5)
        assert missing.status_code == 400 and missing.json()["code"] == "crc_token_missing"
        wrong = FakeWebhooks(stack.twitter, "another-apps-secret")  # X checks the CRC before it registers
        try:
            try:
                wrong.register(url)
                raise AssertionError("registered with a wrong CRC answer")
            except CrcFailed:
                pass
        finally:
            wrong.stop()

        stack.twitter.add_users([CUSTOMER])
        mention = tweet(clock(), "@ac_help 請求が二重になってる、確認して", CUSTOMER["id"])
        payload = {"for_user_id": GENERAL.user_id, "tweet_create_events": [hooks._v1(mention | {
            "entities": {"mentions": [{"username": GENERAL.username}]}})]}
        body = b'{"for_user_id":"' + GENERAL.user_id.encode() + b'","tweet_create_events":[]}'
        for headers in ({}, {"x-twitter-webhooks-signature": x_signature("not-the-secret", body)},
                        {"x-twitter-webhooks-signature": "sha256=" + "A" * 44}):
            refused = requests.post(url, data=body, headers=headers, timeout=5)
            assert refused.status_code == 403
            assert refused.json() == {"error": "the delivery is not signed with the app's consumer secret",
                                      "code": "bad_signature", "status": 403}
        assert stack.queue_depth() == 0  # nothing queued

        first, again = hooks.post(payload), hooks.post(payload)  # X retries a delivery it thinks failed
        assert first.json() == {"events": 1, "queued": 1, "repeated": 0, "left": 0}
        assert again.json() == {"events": 1, "queued": 0, "repeated": 1, "left": 0}
        assert stack.queue_depth() == 1
        drain(stack)
        assert list(inquiries()) == [mention["id"]]


def test_blocks_deletions_and_direct_messages(stack: LocalStack, clock: ManualClock) -> None:
    stack.twitter.add_users([CUSTOMER, OTHER])
    handed: list[DirectMessageReceived] = []

    def claim_mode(dm: DirectMessageReceived) -> str:
        handed.append(dm)
        return "claimed"

    stack.runtime.direct_messages = claim_mode
    with local_webhook(stack) as (_, hooks):
        earlier = tweet(clock(), "@ac_signal 圏外ばかり、もういい", CUSTOMER["id"])
        stack.twitter.add_tweets([earlier])
        _until(lambda: _exists(earlier["id"]), stack, hooks)
        # Our account blocks the customer: do-not-contact (the desk then refuses replies to them). X tells no one
        # who blocked them: a customer blocking us is learnt from X's 403 to a reply (the desk records it).
        clock.advance(timedelta(seconds=30))
        stack.twitter.block(SIGNAL.user_id, CUSTOMER["id"])
        stack.twitter.block(OTHER["id"], GENERAL.user_id)

        def blocked() -> bool:
            found = DoNotContact.batch_get([dnc_key(CUSTOMER["id"]), dnc_key(OTHER["id"])])
            return [(d.author_id, d.reason, d.tweet_id.isdigit()) for d in found] == [(CUSTOMER["id"], "blocked", True)]

        _until(blocked, stack, hooks)
        assert len(hooks.deliveries) == 2  # the mention and our block
        desk = stack.runtime.desk()
        desk.claim(earlier["id"], "sato")
        with pytest.raises(AppError) as refused:
            desk.reply(earlier["id"], "sato", "ご不便をおかけしております。", "webhook-block-0001")
        assert (refused.value.status, refused.value.code) == (422, "do_not_contact")
        assert stack.twitter.posted == []

        # A customer's deletion: X's webhook delivers only our accounts' own (a customer's comes through X's
        # compliance endpoints). The route erases on a deletion it is given: the inquiry the tweet became.
        mention = tweet(clock(), "@ac_wifi 自宅のWi-Fiが繋がらない、ルーター再起動してもダメ", CUSTOMER["id"])
        stack.twitter.add_tweets([mention])
        _until(lambda: _exists(mention["id"]), stack, hooks)
        stack.twitter.delete_tweet(mention["id"])
        hooks.wait_idle()
        assert len(hooks.deliveries) == 3 and _exists(mention["id"])
        deletion = {"for_user_id": DEFAULT_ACCOUNTS[2].user_id, "tweet_delete_events": [
            {"status": {"id": mention["id"], "user_id": CUSTOMER["id"]}, "timestamp_ms": "1796101205000"}]}
        assert hooks.post(deletion).json()["queued"] == 1
        _until(lambda: not _exists(mention["id"]), stack, hooks)
        # Our own post deleted: delivered, nothing of a customer's to erase.
        ours = stack.twitter.create_tweet(GENERAL.user_id, "本日の営業時間は9時から20時です")
        stack.twitter.delete_tweet(ours["id"])
        hooks.wait_idle()
        assert [d.payload.get("tweet_delete_events", [{}])[0].get("status", {}).get("id")
                for d in hooks.deliveries[-2:]] == [None, ours["id"]]

        # A DM the customer sends us: handed to the claim mode, once.
        sent = stack.twitter.social.send_dm(OTHER["id"], GENERAL.user_id, "キャンペーンに応募します！", clock())
        _until(lambda: len(handed) == 1, stack, hooks)
        assert handed[0].user_id == OTHER["id"] and handed[0].account == "general"
        assert handed[0].dm_id == sent["id"] and handed[0].text == "キャンペーンに応募します！"
        assert handed[0].username == "kansai_taro"
        assert all(d.status == 200 for d in hooks.deliveries)
        # Our own DM back is not an event to act on.
        stack.twitter.social.send_dm(GENERAL.user_id, OTHER["id"], "ご応募ありがとうございます", clock())
        hooks.wait_idle()
        drain(stack)
        assert len(handed) == 1
