"""The TweetEraser port (a tweet deleted on X, from the webhook's `deletion` message) on its in-memory fake and on
DynamoDB (moto): the inquiry the tweet became is erased once, only for its own author."""

from __future__ import annotations

from activecare.listening.dynamo import DynamoTweetEraser
from activecare.listening.ingest import NewInquiry
from activecare.listening.memory import MemoryInquiryStore, MemoryTweetEraser
from activecare.listening.models import MatchInfo
from activecare.listening.ports import TweetEraser
from activecare.twitter.models import Tweet, User
from tests.contract.support import Era, Fresh, ListeningInquiries


def _eraser(listening: ListeningInquiries) -> TweetEraser:
    store = listening.store
    return MemoryTweetEraser(store) if isinstance(store, MemoryInquiryStore) else DynamoTweetEraser()


def test_a_deleted_tweet_s_inquiry_is_erased_once_and_only_for_its_author(listening: ListeningInquiries,
                                                                          fresh: Fresh, era: Era) -> None:
    author, stranger = fresh.id(), fresh.id()
    tweet = Tweet(id=fresh.id(), text="駅で圏外、消しときます", author_id=author, created_at=era.at(0),
                  conversation_id=None, author=User(author, "sakura"))
    other = Tweet(id=fresh.id(), text="Wi-Fiが遅い", author_id=author, created_at=era.at(1),
                  author=User(author, "sakura"))
    for t in (tweet, other):
        listening.store.create(NewInquiry(
            tweet=t, source="mention", direct=True, match=MatchInfo(topic="signal", department="network",
                                                                    account="signal"),
            sentiment="complaint", pii_kinds=(), history=[], context_before=[], context_after=[], context_ok=True,
            received_at=t.created_at))
    eraser = _eraser(listening)
    assert eraser.erase_tweet(tweet.id, stranger) == 0  # not theirs: kept
    assert listening.store.exists(tweet.id)
    assert eraser.erase_tweet(tweet.id, author) == 1
    assert not listening.store.exists(tweet.id)
    assert eraser.erase_tweet(tweet.id, author) == 0  # a redelivery removes nothing
    assert eraser.erase_tweet(fresh.id(), author) == 0  # never stored
    assert listening.store.exists(other.id)  # the author's other inquiries stay
