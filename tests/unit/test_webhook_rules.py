"""The webhook's rules without the network: X's account activity payloads parsed, the CRC and the signature
(computed here independently of the code), repeats not queued, a failed queue remembered nothing; the listen
queue's messages for each kind; the worker's side of blocks, deletions and DMs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.errors import AppError, Unavailable
from activecare.listening.events import EventIngestor
from activecare.listening.inbound import ListenQueueSink
from activecare.listening.memory import MemoryInquiryStore, MemoryQueue
from activecare.listening.models import LISTEN_EVENT, AuthorBlocked, DirectMessageReceived, ListenedTweet, MatchInfo
from activecare.settings import Settings
from activecare.twitter.activity import Block, Deletion, DirectMessage, Mention, parse_delivery
from activecare.twitter.snowflake import snowflake
from activecare.webhook.memory import MemorySink, StaticSecret
from activecare.webhook.service import WebhookService

GENERAL, SIGNAL = DEFAULT_ACCOUNTS[0], DEFAULT_ACCOUNTS[1]
SECRET = "consumer-secret-秘密"
CUSTOMER = "1300000000000000001"


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def v1_tweet(tid: str, text: str, *, author: str = CUSTOMER, reply_to: str | None = None,
             extended: bool = False) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "created_at": "Wed Nov 25 01:00:05 +0000 2026", "id": int(tid), "id_str": tid,
        "text": text[:20] if extended else text, "truncated": extended, "lang": "ja",
        "user": {"id": int(author), "id_str": author, "screen_name": "tanaka_hanako", "name": "田中花子"},
        "in_reply_to_status_id_str": reply_to, "in_reply_to_user_id_str": SIGNAL.user_id if reply_to else None,
        "entities": {"user_mentions": [{"id_str": SIGNAL.user_id, "screen_name": SIGNAL.username}]},
    }
    if extended:
        raw["extended_tweet"] = {"full_text": text}
    return raw


def delivery(**events: Any) -> bytes:
    return json.dumps({"for_user_id": SIGNAL.user_id, **events}, ensure_ascii=False).encode()


def service(sink: MemorySink | None = None) -> tuple[WebhookService, MemorySink]:
    sink = sink or MemorySink()
    return WebhookService(secret=StaticSecret(SECRET), sink=sink), sink


def test_the_crc_answer_is_the_hmac_of_the_token() -> None:
    svc, _ = service()
    assert svc.crc("abc-チャレンジ").response_token == sign("abc-チャレンジ".encode())
    for bad in (None, "", "x" * 513):
        with pytest.raises(AppError) as err:
            svc.crc(bad)
        assert err.value.status == 400 and err.value.code == "crc_token_missing"


@pytest.mark.parametrize("signature", [None, "", "sha256=", sign(b"other body"), sign(b"x", "wrong-secret"),
                                       "sha256=" + "A" * 44, "ｓｈａ２５６＝"])
def test_a_delivery_not_signed_by_x_is_refused_and_nothing_queued(signature: str | None) -> None:
    svc, sink = service()
    body = delivery(tweet_create_events=[v1_tweet("2000000000000000001", "@ac_signal 圏外です")])
    with pytest.raises(AppError) as err:
        svc.receive(body, signature)
    assert err.value.as_dict() == {"error": "the delivery is not signed with the app's consumer secret",
                                   "code": "bad_signature", "status": 403}
    assert sink.bodies == []


def test_a_signed_but_malformed_delivery_is_a_clear_400() -> None:
    svc, sink = service()
    for body in (b"not json", b"[]", b'{"tweet_create_events": []}', delivery(tweet_create_events=[{"id_str": "1"}]),
                 delivery(block_events=[{"type": "block", "source": {"id_str": SIGNAL.user_id},
                                         "target": {"id_str": CUSTOMER}}]),  # no created_timestamp
                 delivery(tweet_delete_events=[{"status": {"id": "1", "user_id": CUSTOMER}, "timestamp_ms": "x"}])):
        with pytest.raises(AppError) as err:
            svc.receive(body, sign(body))
        assert err.value.status == 400 and err.value.code == "malformed_delivery"
    assert sink.bodies == []


def test_a_tweet_is_queued_once_however_often_and_for_whichever_account_x_delivers_it() -> None:
    svc, sink = service()
    tweet = v1_tweet("2000000000000000001", "@ac_signal @ac_help 圏外です")
    body = delivery(tweet_create_events=[tweet])
    assert svc.receive(body, sign(body)).model_dump() == {"events": 1, "queued": 1, "repeated": 0, "left": 0}
    assert svc.receive(body, sign(body)).repeated == 1  # X's retry
    other = json.dumps({"for_user_id": GENERAL.user_id, "tweet_create_events": [tweet]}).encode()
    assert svc.receive(other, sign(other)).repeated == 1  # the same tweet for our other account
    assert len(sink.bodies) == 1


def test_a_failed_queue_remembers_nothing_so_x_s_retry_queues_it() -> None:
    svc, sink = service(MemorySink(fail_times=1))
    body = delivery(tweet_create_events=[v1_tweet("2000000000000000001", "@ac_signal 圏外です")])
    with pytest.raises(Unavailable):
        svc.receive(body, sign(body))
    assert svc.receive(body, sign(body)).queued == 1
    assert len(sink.bodies) == 1


def test_the_remembered_keys_are_bounded() -> None:
    svc = WebhookService(secret=StaticSecret(SECRET), sink=MemorySink(), remembered=2)
    for n in range(3):
        body = delivery(tweet_create_events=[v1_tweet(f"200000000000000000{n}", "@ac_signal 圏外です")])
        svc.receive(body, sign(body))
    body = delivery(tweet_create_events=[v1_tweet("2000000000000000000", "@ac_signal 圏外です")])
    assert svc.receive(body, sign(body)).queued == 1  # forgotten: the worker's dedup is the guarantee


def test_account_activity_events_are_parsed() -> None:
    events = parse_delivery({
        "for_user_id": SIGNAL.user_id,
        "tweet_create_events": [v1_tweet("2000000000000000001", "@ac_signal 電波が悪すぎて動画が止まる、" * 6,
                                         extended=True),
                                v1_tweet("2000000000000000002", "返信不要です", reply_to="1999999999999999999")],
        "direct_message_events": [
            {"type": "message_create", "id": "1830000000000000001", "created_timestamp": "1796101205000",
             "message_create": {"target": {"recipient_id": SIGNAL.user_id}, "sender_id": CUSTOMER,
                                "message_data": {"text": "応募します"}}},
            {"type": "something_else"}],
        "users": {CUSTOMER: {"id": CUSTOMER, "screen_name": "tanaka_hanako"}},
        "block_events": [{"type": "block", "created_timestamp": "1796101205000",
                          "source": {"id_str": CUSTOMER}, "target": {"id_str": SIGNAL.user_id}}],
        "tweet_delete_events": [{"status": {"id": "2000000000000000001", "user_id": CUSTOMER},
                                 "timestamp_ms": "1796101205000"}],
        "favorite_events": [{"id": "ignored"}],
    })
    mention, reply, dm, block, deletion = events
    assert isinstance(mention, Mention) and not mention.is_reply
    assert mention.tweet.text == "@ac_signal 電波が悪すぎて動画が止まる、" * 6  # the extended text, not the cut one
    assert mention.tweet.conversation_id == mention.tweet.id and mention.tweet.author is not None
    assert mention.tweet.author.name == "田中花子"
    assert mention.tweet.created_at == datetime(2026, 11, 25, 1, 0, 5, tzinfo=UTC)
    assert isinstance(reply, Mention) and reply.is_reply and reply.tweet.conversation_id is None
    assert dm == DirectMessage(SIGNAL.user_id, "1830000000000000001", CUSTOMER, SIGNAL.user_id, "応募します",
                               datetime.fromtimestamp(1796101205, tz=UTC), "tanaka_hanako")
    assert block == Block(SIGNAL.user_id, CUSTOMER, SIGNAL.user_id, datetime.fromtimestamp(1796101205, tz=UTC))
    assert isinstance(deletion, Deletion) and deletion.tweet_id == "2000000000000000001"


class Keywords:
    """圏外 is the signal topic's keyword; 返信不要 an opt-out phrase."""

    def match(self, text: str) -> Any:
        if "圏外" not in text:
            return None
        return type("Hit", (), {"topic": "signal", "department": "network", "account": "signal",
                                "keywords": ("圏外",)})()

    def opts_out(self, text: str) -> bool:
        return "返信不要" in text


def sink() -> tuple[ListenQueueSink, MemoryQueue]:
    queue = MemoryQueue()
    topics = {a.key: MatchInfo(topic=a.key, department="customer_care", account=a.key) for a in DEFAULT_ACCOUNTS}
    return ListenQueueSink(queue=queue, matcher=Keywords(), mention_topics=topics, accounts=DEFAULT_ACCOUNTS), queue


def _events(**kinds: Any) -> list[Any]:
    return parse_delivery({"for_user_id": SIGNAL.user_id, **kinds})


def test_a_mention_is_queued_in_the_poller_s_message_and_replies_are_left_to_the_poller() -> None:
    out, _ = sink()
    mention, no_keyword, reply, own = _events(tweet_create_events=[
        v1_tweet("2000000000000000001", "@ac_signal 駅で圏外"),
        v1_tweet("2000000000000000002", "@ac_signal こんにちは"),
        v1_tweet("2000000000000000003", "@ac_signal 圏外", reply_to="1999999999999999999"),
        v1_tweet("2000000000000000004", "お知らせ", author=SIGNAL.user_id)])
    body = out.body(mention)
    assert body is not None
    message = ListenedTweet.model_validate_json(body)
    assert (message.source, message.source_key, message.tweet.id) == ("mention", "signal", "2000000000000000001")
    assert message.match == MatchInfo(topic="signal", department="network", account="signal", keywords=["圏外"])
    assert message.tweet.conversation_id == message.tweet.id and message.tweet.author_username == "tanaka_hanako"
    plain = ListenedTweet.model_validate_json(out.body(no_keyword) or "")
    assert plain.match is not None and plain.match.topic == "signal"  # the account's topic, as the poller does
    assert out.body(reply) is None and out.body(own) is None


def test_dms_blocks_and_deletions_become_their_own_message_kinds() -> None:
    out, queue = sink()
    dm_in, dm_out, block_by_us, block_of_us, deleted, ours_deleted = _events(
        direct_message_events=[
            {"type": "message_create", "id": "1830000000000000001", "created_timestamp": "1796101205000",
             "message_create": {"target": {"recipient_id": SIGNAL.user_id}, "sender_id": CUSTOMER,
                                "message_data": {"text": "応募します"}}},
            {"type": "message_create", "id": "1830000000000000002", "created_timestamp": "1796101206000",
             "message_create": {"target": {"recipient_id": CUSTOMER}, "sender_id": SIGNAL.user_id,
                                "message_data": {"text": "ご応募ありがとうございます"}}}],
        block_events=[{"type": "block", "created_timestamp": "1796101205000", "source": {"id_str": SIGNAL.user_id},
                       "target": {"id_str": CUSTOMER}},
                      {"type": "block", "created_timestamp": "1796101205000", "source": {"id_str": CUSTOMER},
                       "target": {"id_str": SIGNAL.user_id}}],
        tweet_delete_events=[{"status": {"id": "2000000000000000001", "user_id": CUSTOMER}, "timestamp_ms": "1"},
                             {"status": {"id": "2000000000000000009", "user_id": SIGNAL.user_id},
                              "timestamp_ms": "1"}])
    dm = LISTEN_EVENT.validate_json(out.body(dm_in) or "")
    assert isinstance(dm, DirectMessageReceived)
    assert (dm.user_id, dm.account, dm.text) == (CUSTOMER, "signal", "応募します")
    assert out.body(dm_out) is None and out.body(ours_deleted) is None
    for block in (block_by_us, block_of_us):
        assert LISTEN_EVENT.validate_json(out.body(block) or "").model_dump()["user_id"] == CUSTOMER
    assert json.loads(out.body(deleted) or "")["kind"] == "deletion"
    assert out.send([]) == 0 and queue.bodies == []
    queue.fail_times = 1
    with pytest.raises(Unavailable):
        out.send(["{}"])


class Eraser:
    def __init__(self) -> None:
        self.erased: list[tuple[str, str]] = []

    def erase_tweet(self, tweet_id: str, author_id: str) -> int:
        removed = int((tweet_id, author_id) not in self.erased)
        self.erased.append((tweet_id, author_id))
        return removed


def test_the_worker_records_blocks_erases_deletions_and_hands_on_dms() -> None:
    store, eraser, handed = MemoryInquiryStore(), Eraser(), []
    at = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    worker = EventIngestor(do_not_contact=store, eraser=eraser, accounts=DEFAULT_ACCOUNTS,
                           direct_messages=lambda dm: handed.append(dm) or "claimed")
    block = AuthorBlocked(account="signal", user_id=CUSTOMER, at=at)
    assert worker.handle(block) == "do_not_contact"
    assert worker.handle(block) == "duplicate"  # a redelivery
    assert store.do_not_contact[CUSTOMER]["reason"] == "blocked"
    # A tweet id, as the desk compares it with the customer's later tweets: the one a tweet at the block would have.
    assert store.do_not_contact[CUSTOMER]["tweet_id"] == snowflake(at)
    deleted = LISTEN_EVENT.validate_python({"kind": "deletion", "account": "signal", "tweet_id": "2000000000000000001",
                                           "user_id": CUSTOMER, "at": at})
    assert worker.handle(deleted) == "erased" and worker.handle(deleted) == "nothing_stored"
    dm = DirectMessageReceived(account="general", dm_id="1830000000000000001", user_id=CUSTOMER, text="応募します",
                               created_at=at)
    assert worker.handle(dm) == "claimed" and handed == [dm]
    assert EventIngestor(do_not_contact=store, eraser=eraser, accounts=DEFAULT_ACCOUNTS).handle(dm) == "dm_unclaimed"
    ours = AuthorBlocked(account="signal", user_id=SIGNAL.user_id, at=at)
    assert worker.handle(ours) == "echo"


def test_webhooks_are_offered_on_pay_per_use_and_enterprise_only() -> None:
    offered = {level: Settings(access_level=level).offers_activity_webhooks
               for level in ("basic", "pro", "pay_per_use", "enterprise")}
    assert offered == {"basic": False, "pro": False, "pay_per_use": True, "enterprise": True}


def test_the_cli_stores_only_a_consumer_secret_in_the_webhook_secret() -> None:
    from activecare.cli.errors import CliError
    from activecare.cli.secrets import check_webhook

    assert check_webhook({"consumer_secret": "kQ9-real-value"}, ["general"]) == {}
    for bad in ({}, {"consumer_secret": "set-me"}, {"consumer_secret": " "},
                {"consumer_secret": "x", "bearer_token": "y"}, ["consumer_secret"]):
        with pytest.raises(CliError) as err:
            check_webhook(bad, ["general"])
        assert "kQ9" not in str(err.value) and "consumer_secret" in str(err.value)


def test_the_worker_refuses_a_malformed_event_without_logging_its_text(capsys: pytest.CaptureFixture[str]) -> None:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from worker.app import MalformedMessage, record_handler

    body = json.dumps({"kind": "direct_message", "account": "general", "dm_id": "x", "user_id": CUSTOMER,
                       "text": "電話番号は090-1234-5678です", "created_at": "2026-11-25T01:00:00Z"}, ensure_ascii=False)
    with pytest.raises(MalformedMessage, match="dm_id"):
        record_handler(SQSRecord({"messageId": "m1", "body": body, "attributes": {}}))
    assert "090-1234-5678" not in capsys.readouterr().out
