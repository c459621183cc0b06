"""The SQS message between poller and worker: one listened tweet, versioned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from activecare.twitter.models import Tweet, User


class MatchInfo(BaseModel):
    topic: str
    department: str
    account: str
    keywords: list[str] = Field(default_factory=list)


class TweetBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^\d{1,20}$")
    text: str
    author_id: str = Field(pattern=r"^\d{1,20}$")
    created_at: datetime
    conversation_id: str | None = None
    in_reply_to_user_id: str | None = None
    referenced_tweets: list[tuple[str, str]] = Field(default_factory=list)
    lang: str | None = None
    author_username: str = ""
    author_name: str = ""


class ListenedTweet(BaseModel):
    """What the poller found: the tweet, how it was found, and the local match."""

    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    source: Literal["search", "mention"]
    source_key: str  # the packed query's key or the mentioned account's key
    tweet: TweetBody
    match: MatchInfo | None = None
    # A reply to one of our accounts holding an opt-out phrase (返信不要, 絡まないで...): the worker records the
    # author do-not-contact.
    opt_out: bool = False

    @classmethod
    def of(cls, tweet: Tweet, source: Literal["search", "mention"], source_key: str,
           match: MatchInfo | None, opt_out: bool = False) -> ListenedTweet:
        author = tweet.author
        body = TweetBody(
            id=tweet.id,
            text=tweet.text,
            author_id=tweet.author_id,
            created_at=tweet.created_at,
            conversation_id=tweet.conversation_id,
            in_reply_to_user_id=tweet.in_reply_to_user_id,
            referenced_tweets=list(tweet.referenced_tweets),
            lang=tweet.lang,
            author_username=author.username if author else "",
            author_name=author.name if author else "",
        )
        return cls(source=source, source_key=source_key, tweet=body, match=match, opt_out=opt_out)

    def to_tweet(self) -> Tweet:
        t = self.tweet
        author = User(id=t.author_id, username=t.author_username, name=t.author_name)
        return Tweet(
            id=t.id,
            text=t.text,
            author_id=t.author_id,
            created_at=t.created_at,
            conversation_id=t.conversation_id,
            in_reply_to_user_id=t.in_reply_to_user_id,
            referenced_tweets=tuple(t.referenced_tweets),
            lang=t.lang,
            author=author,
        )


# --- events from X's account activity webhook that are not tweets to ingest (functions/webhook) ---------------
# Queued by the webhook next to the tweets, each with its own `kind`; the worker hands them on
# (activecare.listening.events). The customer's X user id is `user_id` in every kind.


class DirectMessageReceived(BaseModel):
    """A DM a customer sent to one of our accounts: the campaign's claim mode (entries by DM) takes it; the
    worker hands it to the runtime's direct-message handler (`Runtime.direct_messages`)."""

    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    kind: Literal["direct_message"] = "direct_message"
    account: str  # the receiving support account's key
    dm_id: str = Field(pattern=r"^\d{1,20}$")
    user_id: str = Field(pattern=r"^\d{1,20}$")  # the sender
    username: str = ""
    text: str
    created_at: datetime


class AuthorBlocked(BaseModel):
    """One of our accounts blocked the customer (X's webhook sends the blocks *by* an account; a block of us is
    learnt from X's 403 to a reply, by the desk): do not contact."""

    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    kind: Literal["block"] = "block"
    account: str
    user_id: str = Field(pattern=r"^\d{1,20}$")
    at: datetime


class TweetDeleted(BaseModel):
    """A customer's tweet deleted on X: what we stored of it is erased (X's rule: within 24 hours). X's webhook
    sends deletions of our own posts only; a reader of X's compliance endpoints may queue this kind too."""

    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    kind: Literal["deletion"] = "deletion"
    account: str
    tweet_id: str = Field(pattern=r"^\d{1,20}$")
    user_id: str = Field(pattern=r"^\d{1,20}$")  # the tweet's author
    at: datetime


ListenEvent = Annotated[DirectMessageReceived | AuthorBlocked | TweetDeleted, Field(discriminator="kind")]
LISTEN_EVENT: TypeAdapter[DirectMessageReceived | AuthorBlocked | TweetDeleted] = TypeAdapter(ListenEvent)
