"""The worker's rules (echo, idempotency, threads; the context is left for the desk), against in-memory ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.listening.ingest import Ingestor
from activecare.listening.memory import MemoryInquiryStore
from activecare.listening.models import ListenedTweet, MatchInfo
from activecare.twitter.models import Tweet, User
from activecare.twitter.snowflake import snowflake

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SIGNAL = MatchInfo(topic="signal", department="network", account="signal", keywords=["圏外"])
CUSTOMER = "1200000000000000042"


def tw(minute: int, text: str, *, author: str = CUSTOMER, conversation: str | None = None,
       reply_to_user: str | None = None) -> Tweet:
    at = T0 + timedelta(minutes=minute)
    tid = snowflake(at)
    return Tweet(id=tid, text=text, author_id=author, created_at=at, conversation_id=conversation or tid,
                 in_reply_to_user_id=reply_to_user, author=User(author, "sakura"))


def msg(tweet: Tweet, source: str = "search", key: str = "q1", match: MatchInfo | None = SIGNAL) -> ListenedTweet:
    return ListenedTweet.of(tweet, source, key, match)  # type: ignore[arg-type]


def ingestor(store: MemoryInquiryStore) -> Ingestor:
    return Ingestor(store=store, accounts=DEFAULT_ACCOUNTS, clock=lambda: T0 + timedelta(hours=1))


def test_a_new_tweet_becomes_one_inquiry_with_classification() -> None:
    store = MemoryInquiryStore()
    t = tw(0, "また圏外😡 最悪。折り返しは090-1234-5678まで")
    assert ingestor(store).ingest(msg(t)) == "created"
    inquiry = store.items[t.id]["inquiry"]
    assert inquiry.match.topic == "signal"
    assert inquiry.sentiment == "complaint"
    assert "phone" in inquiry.pii_kinds
    assert inquiry.direct is False


def test_redelivery_and_second_source_never_make_a_second_inquiry() -> None:
    store = MemoryInquiryStore()
    t = tw(0, "圏外なんだけど")
    ing = ingestor(store)
    assert ing.ingest(msg(t)) == "created"
    assert ing.ingest(msg(t)) == "duplicate"
    assert ing.ingest(msg(t, source="mention", key="signal", match=None)) == "duplicate"
    assert len(store.items) == 1


def test_support_accounts_own_tweets_are_not_inquiries() -> None:
    store = MemoryInquiryStore()
    ours = tw(0, "圏外でお困りの方へ", author=DEFAULT_ACCOUNTS[1].user_id)
    assert ingestor(store).ingest(msg(ours)) == "echo"
    assert store.items == {}


def test_a_reply_in_the_thread_joins_the_existing_inquiry() -> None:
    store = MemoryInquiryStore()
    first = tw(0, "圏外が続いてます")
    ing = ingestor(store)
    ing.ingest(msg(first))
    answer = tw(30, "@ac_signal 再起動したら直りました！ありがとう",
                conversation=first.id, reply_to_user=DEFAULT_ACCOUNTS[1].user_id)
    assert ing.ingest(msg(answer, source="mention", key="signal", match=None)) == "joined"
    assert ing.ingest(msg(answer, source="mention", key="signal", match=None)) == "duplicate"
    assert len(store.items) == 1
    assert [m["tweet_id"] for m in store.items[first.id]["messages"]] == [first.id, answer.id]


def test_a_follow_up_with_personal_data_flags_the_inquiry() -> None:
    store = MemoryInquiryStore()
    first = tw(0, "圏外が続いてます")
    ing = ingestor(store)
    ing.ingest(msg(first))
    assert (store.items[first.id]["pii_kinds"], store.items[first.id]["has_pii"]) == ((), False)
    answer = tw(30, "@ac_signal 折り返しは〇九〇​一二三四​五六七八 か hanako［at］example。jp へ",
                conversation=first.id, reply_to_user=DEFAULT_ACCOUNTS[1].user_id)
    assert ing.ingest(msg(answer, source="mention", key="signal", match=None)) == "joined"
    assert (store.items[first.id]["pii_kinds"], store.items[first.id]["has_pii"]) == (("email", "phone"), True)


def test_direct_mention_without_keyword_goes_to_the_accounts_topic() -> None:
    store = MemoryInquiryStore()
    t = tw(0, "@ac_wifi ルーターのランプが赤いです")
    wifi = MatchInfo(topic="wifi", department="home_internet", account="wifi")
    ingestor(store).ingest(msg(t, source="mention", key="wifi", match=wifi))
    inquiry = store.items[t.id]["inquiry"]
    assert inquiry.direct and inquiry.match.account == "wifi"


def test_history_is_attached_and_the_surrounding_tweets_are_left_for_the_desk() -> None:
    """The worker reads nothing from X (it has no X port): the author's tweets before and after are read when
    an agent opens the inquiry (tests/unit/test_desk_context.py), not for every tweet found."""
    store = MemoryInquiryStore()
    earlier, now = tw(-600, "圏外ひどい"), tw(0, "また圏外")
    ing = ingestor(store)
    ing.ingest(msg(earlier))
    ing.ingest(msg(now))
    inquiry = store.items[now.id]["inquiry"]
    assert [h["inquiry_id"] for h in inquiry.history] == [earlier.id]
    assert inquiry.context_before == [] and inquiry.context_after == []
    assert inquiry.context_pending
