"""Turn one listened tweet into an inquiry (or a new message of an existing one).

Idempotent on the tweet id: a redelivered message, or the same tweet found by two
queries and a mention, ends in exactly one inquiry. The support accounts' own
tweets never become inquiries (echo suppression), and a customer's reply inside a
thread that already has their inquiry joins that inquiry.

The author's tweets before and after are not read here: most inquiries found by keyword are never opened, and
every post read is billed. The inquiry is stored with its context "pending"; the desk reads it when an agent
opens the inquiry (desk/context.py, cached per author for the UTC day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from aws_lambda_powertools import Logger

from activecare.accounts import SupportAccount
from activecare.clock import Clock
from activecare.listening.models import ListenedTweet, MatchInfo
from activecare.pii import pii_kinds
from activecare.sentiment import classify_sentiment
from activecare.twitter.models import Tweet

if TYPE_CHECKING:  # the worker does not load the catalogue
    from activecare.keywords.catalogue import Catalogue

logger = Logger(child=True)

Outcome = Literal["created", "joined", "duplicate", "echo", "gone"]
FALLBACK_TOPIC = MatchInfo(topic="general", department="customer_care", account="general")


def mention_topics(catalogue: Catalogue, accounts: Sequence[SupportAccount]) -> dict[str, MatchInfo]:
    """A mention without a keyword goes to the topic named after the account, if there is one."""
    found: dict[str, MatchInfo] = {}
    for acc in accounts:
        topic = next((t for t in catalogue.topics if t.name == acc.key), None)
        found[acc.key] = (MatchInfo(topic=topic.name, department=topic.department, account=acc.key)
                          if topic else FALLBACK_TOPIC.model_copy(update={"account": acc.key}))
    return found


@dataclass(frozen=True)
class NewInquiry:
    tweet: Tweet
    source: str
    direct: bool
    match: MatchInfo
    sentiment: str
    pii_kinds: tuple[str, ...]
    history: list[dict[str, object]]
    context_before: list[Tweet]
    context_after: list[Tweet]
    context_ok: bool
    received_at: datetime
    context_pending: bool = False  # the author's tweets around it are read when the desk opens it
    source_key: str = ""  # the packed query's key (a search) or the account's key (a mention)


class InquiryStore(Protocol):
    def exists(self, inquiry_id: str) -> bool: ...

    def find_thread(self, conversation_id: str, author_id: str) -> str | None:
        """The inquiry this author already has in this conversation, if any."""
        ...

    def append_customer_message(self, inquiry_id: str, tweet: Tweet, at: datetime,
                                pii_kinds: tuple[str, ...] = ()) -> bool:
        """Add the tweet to the inquiry's conversation; False if it is already there. `pii_kinds`: the
        personal data the tweet holds, joined to the inquiry's (`pii_kinds` becomes the sorted union,
        `has_pii` true once any is found)."""
        ...

    def create(self, inquiry: NewInquiry) -> bool:
        """Store a new inquiry; False if one with this id already exists."""
        ...

    def history(self, author_id: str, before: datetime, limit: int = 20) -> list[dict[str, object]]: ...

    def record_do_not_contact(self, author_id: str, tweet_id: str, at: datetime, reason: str) -> bool:
        """Mark the author do-not-contact (reason "opt_out" | "blocked"); idempotent: False when already
        recorded (or this very tweet was recorded and lifted since)."""
        ...

    def erase_author(self, author_id: str) -> int:
        """X says the author is suspended or protected: remove their inquiries; the number removed.
        Idempotent (X's rules: what is deleted on X leaves our systems; the compliance sweep takes the rest)."""
        ...


class Ingestor:
    def __init__(self, *, store: InquiryStore, accounts: Sequence[SupportAccount], clock: Clock) -> None:
        self.store = store
        self.accounts = {a.user_id: a for a in accounts}
        self.usernames = {a.username.lower(): a for a in accounts}
        self.clock = clock

    def ingest(self, message: ListenedTweet) -> Outcome:
        tweet = message.to_tweet()
        if tweet.author_id in self.accounts:
            return "echo"
        now = self.clock()
        # Before the duplicate check: a redelivery after a failed write still records it.
        if message.opt_out and self.store.record_do_not_contact(tweet.author_id, tweet.id, now, "opt_out"):
            logger.info("do-not-contact recorded", extra={"tweet_id": tweet.id, "reason": "opt_out"})
        if self.store.exists(tweet.id):
            return "duplicate"
        if tweet.conversation_id and tweet.conversation_id != tweet.id:
            parent = self.store.find_thread(tweet.conversation_id, tweet.author_id)
            if parent:
                joined = self.store.append_customer_message(parent, tweet, now, pii_kinds(tweet.text))
                return "joined" if joined else "duplicate"
        addressed = self._addressed_account(tweet, message)
        match = message.match or FALLBACK_TOPIC
        created = self.store.create(NewInquiry(
            tweet=tweet,
            source=message.source,
            source_key=message.source_key,
            direct=addressed is not None,
            match=match,
            sentiment=classify_sentiment(tweet.text),
            pii_kinds=pii_kinds(tweet.text),
            history=self.store.history(tweet.author_id, tweet.created_at),
            context_before=[],
            context_after=[],
            context_ok=True,
            received_at=now,
            context_pending=True,
        ))
        return "created" if created else "duplicate"

    def _addressed_account(self, tweet: Tweet, message: ListenedTweet) -> str | None:
        """The support account the customer addressed, if they addressed one."""
        if message.source == "mention":
            return message.source_key
        if tweet.in_reply_to_user_id in self.accounts:
            return self.accounts[tweet.in_reply_to_user_id].key
        lowered = tweet.text.lower()
        for name, acc in self.usernames.items():
            if f"@{name}" in lowered:
                return acc.key
        return None
