"""DynamoDB adapters of the listening ports (pynamodb): poll checkpoints and rate-limit marks in the
state table, inquiries in the inquiry table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pynamodb.expressions.operand import Path

from activecare.listening.ingest import NewInquiry
from activecare.listening.ports import Checkpoint
from activecare.listening.usage import READ_CATEGORIES, MonthUsage, usage_key
from activecare.storage.conditions import save_if, update_if
from activecare.storage.models import (
    ContextTweet,
    Inquiry,
    Message,
    PastInteraction,
    State,
    expires_at,
    record_do_not_contact,
    retention,
)
from activecare.twitter.models import Tweet


def _limit_key(endpoint: str) -> str:
    """The state item holding an X endpoint's rate-limit reset time."""
    return f"ratelimit#{endpoint}"


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)


class DynamoCheckpoints:
    def load_all(self, keys: list[str], endpoints: list[str]) -> tuple[dict[str, Checkpoint],
                                                                        dict[str, datetime | None]]:
        """The checkpoints and the endpoints' rate-limit marks, in one BatchGetItem."""
        found = {k: Checkpoint(k) for k in keys}
        limits: dict[str, datetime | None] = dict.fromkeys(endpoints)
        marks = {_limit_key(ep): ep for ep in endpoints}
        for item in State.batch_get([*keys, *marks], consistent_read=True):
            if item.pk in marks:
                limits[marks[item.pk]] = item.reset_at
            else:
                found[item.pk] = Checkpoint(item.pk, int(item.since_id) if item.since_id else None,
                                            item.polled_at, int(item.matched_last or 0),
                                            _int_or_none(item.backlog_until), _int_or_none(item.backlog_newest))
        return found, limits

    def advance(self, key: str, since_id: int, *, query: str, polled_at: datetime, matched: int) -> bool:
        return update_if(
            State(key),
            [State.since_id.set(since_id), State.query_text.set(query), State.polled_at.set(polled_at),
             State.matched_last.set(matched), State.updated_at.set(polled_at),
             State.backlog_until.remove(), State.backlog_newest.remove()],
            State.since_id.does_not_exist() | (State.since_id < since_id),
        )

    def save_progress(self, key: str, *, since_id: int, read_from: int | None, until_id: int, newest_id: int,
                      query: str, polled_at: datetime, matched: int) -> bool:
        same_start = State.since_id.does_not_exist() if read_from is None else State.since_id == read_from
        return update_if(
            State(key),
            [State.since_id.set(since_id), State.backlog_until.set(until_id), State.backlog_newest.set(newest_id),
             State.query_text.set(query), State.polled_at.set(polled_at), State.matched_last.set(matched),
             State.updated_at.set(polled_at)],
            same_start & (State.backlog_until.does_not_exist() | (State.backlog_until > until_id)),
        )

    def touch(self, key: str, *, query: str, polled_at: datetime, matched: int) -> None:
        State(key).update(actions=[State.query_text.set(query), State.polled_at.set(polled_at),
                                   State.matched_last.set(matched), State.updated_at.set(polled_at)])

    def set_rate_limited(self, endpoint: str, until: datetime) -> None:
        State(_limit_key(endpoint), reset_at=until, updated_at=until).save()


class DynamoUsage:
    """The month's read counters: one state item, ``search#usage#YYYY-MM``, updated with ADD (usage.py)."""

    def get(self, month: str) -> MonthUsage:
        raw = State._get_connection().get_item(usage_key(month)).get("Item") or {}
        usage = MonthUsage(month)
        for name, value in raw.items():
            if "N" not in value:
                continue
            n = int(float(value["N"]))
            if name.startswith("r_"):
                usage.reads[name[2:]] = n
            elif name.startswith("m_"):
                usage.matched[name[2:]] = n
            elif name.startswith("o_"):
                usage.resolved[name[2:]] = n
            elif name.startswith("a_"):
                usage.answered[name[2:]] = n
            elif name.startswith("d") and "_" in name and name[1:3].isdigit():
                usage.days.setdefault(name[1:3], {})[name[4:]] = n
        return usage

    def add(self, month: str, day: str, counts: Mapping[str, int], reads: Mapping[str, int],
            matched: Mapping[str, int]) -> None:
        actions = [Path([f"d{day}_{c}"]).add(n) for c, n in counts.items() if c in READ_CATEGORIES and n]
        actions += [Path([f"r_{k}"]).add(n) for k, n in reads.items() if n]
        actions += [Path([f"m_{k}"]).add(n) for k, n in matched.items() if n]
        if actions:
            State._get_connection().update_item(usage_key(month), actions=actions)

    def add_outcome(self, month: str, key: str, answered: bool) -> None:
        actions = [Path([f"o_{key}"]).add(1)] + ([Path([f"a_{key}"]).add(1)] if answered else [])
        State._get_connection().update_item(usage_key(month), actions=actions)


def _message(tweet: Tweet, direction: str) -> Message:
    return Message(tweet_id=tweet.id, author_id=tweet.author_id, text=tweet.text,
                   created_at=tweet.created_at, direction=direction)


def _context(tweets: list[Tweet]) -> list[ContextTweet]:
    return [ContextTweet(id=t.id, text=t.text, created_at=t.created_at) for t in tweets]


class DynamoInquiryStore:
    def exists(self, inquiry_id: str) -> bool:
        try:
            Inquiry.get(inquiry_id, consistent_read=True, attributes_to_get=["inquiry_id"])
        except Inquiry.DoesNotExist:
            return False
        return True

    def find_thread(self, conversation_id: str, author_id: str) -> str | None:
        for item in Inquiry.by_conversation.query(conversation_id, Inquiry.author_id == author_id, limit=1):
            return item.inquiry_id
        return None

    def append_customer_message(self, inquiry_id: str, tweet: Tweet, at: datetime,
                                pii_kinds: tuple[str, ...] = ()) -> bool:
        actions = [
            Inquiry.messages.set(Inquiry.messages.append([_message(tweet, "in")])),
            Inquiry.tweet_ids.add({tweet.id}),
            Inquiry.updated_at.set(at),
            Inquiry.expires_at.set(expires_at(at, retention().inquiry_retention_days)),
            # A customer's answer puts a closed inquiry back in front of the desk.
            Inquiry.status.set("new"),
        ]
        condition = Inquiry.inquiry_id.exists() & ~Inquiry.tweet_ids.contains(tweet.id)
        if not pii_kinds:
            return update_if(Inquiry(inquiry_id), actions, condition)
        # The kinds are a list attribute: read them, write the union under the condition that they have not
        # changed meanwhile (another follow-up of the same thread), and try again if they have.
        for _ in range(5):
            try:
                current = Inquiry.get(inquiry_id, consistent_read=True, attributes_to_get=["pii_kinds", "tweet_ids"])
            except Inquiry.DoesNotExist:
                return False
            if tweet.id in (current.tweet_ids or set()):
                return False
            known = [str(k) for k in current.pii_kinds or []]
            union = sorted(set(known) | set(pii_kinds))
            unchanged = Inquiry.pii_kinds == known if known else (
                Inquiry.pii_kinds.does_not_exist() | (Inquiry.pii_kinds == []))
            kinds_set = Inquiry.pii_kinds.set(union)  # type: ignore[arg-type]  # pynamodb serialises str items
            if update_if(Inquiry(inquiry_id), [*actions, kinds_set, Inquiry.has_pii.set(True)], condition & unchanged):
                return True
        return False

    def create(self, inquiry: NewInquiry) -> bool:
        t = inquiry.tweet
        item = Inquiry(
            t.id,
            tweet_id=t.id,
            author_id=t.author_id,
            author_username=t.author.username if t.author else "",
            text=t.text,
            created_at=t.created_at,
            received_at=inquiry.received_at,
            updated_at=inquiry.received_at,
            conversation_id=t.conversation_id or t.id,
            source=inquiry.source,
            source_key=inquiry.source_key or None,
            direct=inquiry.direct,
            account=inquiry.match.account,
            topic=inquiry.match.topic,
            department=inquiry.match.department,
            sentiment=inquiry.sentiment,
            keywords=list(inquiry.match.keywords),
            pii_kinds=list(inquiry.pii_kinds),
            has_pii=bool(inquiry.pii_kinds),
            status="new",
            history=[PastInteraction(**h) for h in inquiry.history],
            context_before=_context(inquiry.context_before),
            context_after=_context(inquiry.context_after),
            context_status="pending" if inquiry.context_pending else "ok" if inquiry.context_ok else "unavailable",
            messages=[_message(t, "in")],
            tweet_ids={t.id},
            expires_at=expires_at(inquiry.received_at, retention().inquiry_retention_days),
        )
        return save_if(item, Inquiry.inquiry_id.does_not_exist())

    def history(self, author_id: str, before: datetime, limit: int = 20) -> list[dict[str, object]]:
        past = Inquiry.by_author.query(author_id, Inquiry.created_at < before, scan_index_forward=False,
                                       limit=limit)
        return [
            {"inquiry_id": p.inquiry_id, "created_at": p.created_at, "topic": p.topic, "status": p.status,
             "outcome": p.outcome, "replies": sum(1 for m in p.messages if m.direction == "out")}
            for p in past
        ]

    def record_do_not_contact(self, author_id: str, tweet_id: str, at: datetime, reason: str) -> bool:
        return record_do_not_contact(author_id, tweet_id, at, reason)

    def erase_author(self, author_id: str) -> int:
        from activecare.storage.erasure import erase  # the code `activecare erase` runs (the inquiries only here)

        return erase(author_id, reservations=False, campaigns=False).total


class DynamoTweetEraser:
    """A deletion on X (TweetDeleted from the webhook) erases the tweet wherever it is stored - the inquiry it
    became, a later message of another inquiry, someone's context - through the compliance eraser
    (activecare.storage.erasure); a redelivery finds nothing left to remove."""

    def erase_tweet(self, tweet_id: str, author_id: str) -> int:
        from activecare.storage.erasure import erase_tweets

        try:
            opened = Inquiry.get(tweet_id, attributes_to_get=["author_id"])
        except Inquiry.DoesNotExist:
            opened = None
        if opened is not None and opened.author_id != author_id:
            return 0  # a deletion names the tweet's author: not this one's, nothing of theirs to erase
        return erase_tweets({tweet_id: author_id}, reservations=False).total
