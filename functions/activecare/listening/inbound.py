"""The webhook's events on the listen queue (the webhook feature's EventSink port): a mention in the very message
the poller queues for it (`poll.listened`), so the worker ingests it unchanged; a DM received, a block and a
deletion as their own message kinds (activecare.listening.models).

Left to the poller: replies (X's v1.1 event carries no conversation id, which the worker needs to join a reply
to its thread; the mentions poll brings them within a minute), retweets and our accounts' own tweets.
"""

from __future__ import annotations

from collections.abc import Sequence

from activecare.accounts import SupportAccount
from activecare.errors import Unavailable
from activecare.listening.models import AuthorBlocked, DirectMessageReceived, MatchInfo, TweetDeleted
from activecare.listening.poll import Matcher, listened
from activecare.listening.ports import EnqueueFailed, MessageQueue
from activecare.twitter.activity import ActivityEvent, Block, Deletion, DirectMessage, Mention


class ListenQueueSink:
    def __init__(self, *, queue: MessageQueue, matcher: Matcher, mention_topics: dict[str, MatchInfo],
                 accounts: Sequence[SupportAccount]) -> None:
        self.queue = queue
        self.matcher = matcher
        self.mention_topics = mention_topics
        self.by_id = {a.user_id: a for a in accounts}

    def body(self, event: ActivityEvent) -> str | None:
        """The queue message of one event; None: nothing to queue (left to the poller, or not ours to act on)."""
        account = self.by_id.get(event.for_user_id)
        if account is None:
            return None
        if isinstance(event, Mention):
            tweet = event.tweet
            if event.is_reply or tweet.is_retweet or tweet.author_id in self.by_id:
                return None
            message = listened(tweet, "mention", account.key, self.matcher, self.mention_topics,
                               frozenset(self.by_id))
            return message.model_dump_json() if message else None
        if isinstance(event, DirectMessage):
            if event.recipient_id != account.user_id or event.sender_id in self.by_id:
                return None  # a DM we sent
            return DirectMessageReceived(account=account.key, dm_id=event.id, user_id=event.sender_id,
                                         username=event.sender_username, text=event.text,
                                         created_at=event.created_at).model_dump_json()
        if isinstance(event, Block):
            other = event.target_id if event.source_id in self.by_id else event.source_id
            if other in self.by_id:
                return None
            return AuthorBlocked(account=account.key, user_id=other, at=event.created_at).model_dump_json()
        if isinstance(event, Deletion):
            if event.author_id in self.by_id:
                return None  # our own post: the desk's records of it are ours
            return TweetDeleted(account=account.key, tweet_id=event.tweet_id, user_id=event.author_id,
                                at=event.deleted_at).model_dump_json()
        return None

    def send(self, bodies: list[str]) -> int:
        """Queue them all, or raise Unavailable (the webhook answers 503 and X delivers again)."""
        if not bodies:
            return 0
        try:
            return self.queue.send(bodies)
        except EnqueueFailed as exc:
            raise Unavailable(f"the listen queue did not take the events: {exc}", code="queue_unavailable") from None
