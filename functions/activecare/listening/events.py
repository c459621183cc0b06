"""The worker's side of the webhook's other events (activecare.listening.models: DirectMessageReceived,
AuthorBlocked, TweetDeleted), each idempotent, since SQS and X both deliver at least once:

- a block records the customer do-not-contact (reason "blocked"; the desk then refuses replies to them);
- a deletion erases what is stored of the tweet (one call: the TweetEraser port);
- a DM received is handed to the direct-message handler (the campaign's claim mode), or reported
  "dm_unclaimed" when the stack has none; the worker never answers a DM itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aws_lambda_powertools import Logger

from activecare.accounts import SupportAccount
from activecare.listening.models import AuthorBlocked, DirectMessageReceived, TweetDeleted
from activecare.listening.ports import DoNotContactRecorder, TweetEraser
from activecare.twitter.snowflake import snowflake

logger = Logger(child=True)

DirectMessageHandler = Callable[[DirectMessageReceived], str]  # returns its outcome, e.g. "claimed"


class EventIngestor:
    def __init__(self, *, do_not_contact: DoNotContactRecorder, eraser: TweetEraser,
                 accounts: Sequence[SupportAccount], direct_messages: DirectMessageHandler | None = None) -> None:
        self.do_not_contact = do_not_contact
        self.eraser = eraser
        self.own_ids = frozenset(a.user_id for a in accounts)
        self.direct_messages = direct_messages

    def handle(self, event: DirectMessageReceived | AuthorBlocked | TweetDeleted) -> str:
        if event.user_id in self.own_ids:
            return "echo"
        if isinstance(event, AuthorBlocked):
            # A block has no tweet: the id a tweet posted at the block's time would have stands in (the desk
            # compares it with the customer's later tweets: engaged again after the record; a redelivery is the
            # same record).
            recorded = self.do_not_contact.record_do_not_contact(
                event.user_id, snowflake(event.at), event.at, "blocked")
            return "do_not_contact" if recorded else "duplicate"
        if isinstance(event, TweetDeleted):
            removed = self.eraser.erase_tweet(event.tweet_id, event.user_id)
            logger.info("deleted on X: erased", extra={"tweet_id": event.tweet_id, "records": removed})
            return "erased" if removed else "nothing_stored"
        if self.direct_messages is None:
            logger.info("direct message not claimed: no handler", extra={"dm_id": event.dm_id})
            return "dm_unclaimed"
        return self.direct_messages(event)
