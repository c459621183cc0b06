"""Find our own post on a support account's timeline: after a crash or a lost answer, a post we may have
sent is looked up before anything is sent again (desk replies, scheduled posts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from activecare.twitter.port import TwitterPort
from activecare.twitter.snowflake import snowflake
from activecare.twitter.text_rules import comparable

RECONCILE_SLACK = timedelta(minutes=1)  # clocks differ: look a little before the reservation


def find_own_post(reader: TwitterPort, user_id: str, text: str, *, since: datetime,
                  in_reply_to: str | None) -> tuple[str, datetime] | None:
    """The id and time of the account's post with this text since `since`: a reply to `in_reply_to`, or a
    post that replies to nothing when `in_reply_to` is None. Text is compared as X rewrites it
    (`comparable`). Raises the port's errors (RateLimited, TwitterUnavailable) for the caller to map."""
    page = reader.user_tweets(user_id, since_id=snowflake(since - RECONCILE_SLACK), max_results=100)
    want = comparable(text)
    for t in page.tweets:
        if t.replied_to == in_reply_to and comparable(t.text) == want:
            return t.id, t.created_at
    return None
