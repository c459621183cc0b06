"""X's account activity webhooks (the Account Activity API; pay-per-use and Enterprise): the CRC answer, the
delivery signature and the events we use, parsed from X's JSON into plain types.

X proves a webhook URL with a CRC challenge (GET ?crc_token=...) answered by
{"response_token": "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))}, and signs every POSTed
delivery the same way over the raw body, in the `x-twitter-webhooks-signature` header. A delivery is one JSON
object for one subscribed account (`for_user_id`) holding lists of events by kind; the tweets are v1.1
objects. Shared by the webhook (which checks and forwards) and the listening worker (which ingests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from activecare.twitter.models import Tweet, User

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
_V1_TIME = "%a %b %d %H:%M:%S %z %Y"  # "Wed Oct 10 20:19:24 +0000 2018"


def signature(consumer_secret: str, message: bytes) -> str:
    """"sha256=" + base64 HMAC-SHA256 of `message` keyed with the app's consumer secret."""
    digest = hmac.new(consumer_secret.encode("utf-8"), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


def crc_response(consumer_secret: str, crc_token: str) -> dict[str, str]:
    return {"response_token": signature(consumer_secret, crc_token.encode("utf-8"))}


def signature_valid(consumer_secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time comparison of the delivery's signature header with the body's."""
    if not header:
        return False
    return hmac.compare_digest(signature(consumer_secret, body).encode("ascii"), header.strip().encode("utf-8"))


@dataclass(frozen=True)
class Mention:
    """A tweet that names (or replies to) a subscribed account, as X delivered it."""

    for_user_id: str
    tweet: Tweet
    is_reply: bool  # v1.1 objects carry no conversation id: a reply's thread is not known from the event


@dataclass(frozen=True)
class DirectMessage:
    """A DM received by a subscribed account (a customer wrote to us first)."""

    for_user_id: str
    id: str
    sender_id: str
    recipient_id: str
    text: str
    created_at: datetime
    sender_username: str = ""


@dataclass(frozen=True)
class Block:
    """`source` blocked `target` (one of them is the subscribed account)."""

    for_user_id: str
    source_id: str
    target_id: str
    created_at: datetime


@dataclass(frozen=True)
class Deletion:
    """A tweet deleted on X."""

    for_user_id: str
    tweet_id: str
    author_id: str
    deleted_at: datetime


ActivityEvent = Mention | DirectMessage | Block | Deletion


class MalformedDelivery(ValueError):
    """The body is not an account activity delivery (says what is wrong, never the content)."""


def _ms(obj: Any, key: str) -> datetime:
    """An event's epoch-milliseconds time (a string in X's JSON); missing or not a number: malformed."""
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None or not str(value).isdigit():
        raise MalformedDelivery(f"missing {key}")
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def _id(obj: Any, *keys: str) -> str:
    for key in keys:
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is not None and str(value).isdigit():
            return str(value)
    raise MalformedDelivery(f"missing {' / '.join(keys)}")


def tweet_from_v1(raw: dict[str, Any]) -> Tweet:
    """A v1.1 tweet object (extended text, mentions, reply and quote links) as the domain's Tweet."""
    user = raw.get("user") or {}
    text = (raw.get("extended_tweet") or {}).get("full_text") or raw.get("full_text") or raw.get("text")
    if not isinstance(text, str):
        raise MalformedDelivery("tweet without text")
    try:
        created = datetime.strptime(str(raw["created_at"]), _V1_TIME).astimezone(UTC)
    except (KeyError, ValueError):
        raise MalformedDelivery("tweet without a v1.1 created_at") from None
    tid = _id(raw, "id_str", "id")
    refs: list[tuple[str, str]] = []
    if raw.get("in_reply_to_status_id_str"):
        refs.append(("replied_to", str(raw["in_reply_to_status_id_str"])))
    if raw.get("quoted_status_id_str"):
        refs.append(("quoted", str(raw["quoted_status_id_str"])))
    if isinstance(raw.get("retweeted_status"), dict):
        refs.append(("retweeted", _id(raw["retweeted_status"], "id_str", "id")))
    reply = raw.get("in_reply_to_status_id_str")
    return Tweet(
        id=tid, text=text, author_id=_id(user, "id_str", "id"), created_at=created,
        conversation_id=None if reply else tid,  # a new post starts its conversation; a reply's is unknown here
        in_reply_to_user_id=str(raw["in_reply_to_user_id_str"]) if raw.get("in_reply_to_user_id_str") else None,
        referenced_tweets=tuple(refs), lang=raw.get("lang"),
        author=User(id=_id(user, "id_str", "id"), username=str(user.get("screen_name") or ""),
                    name=str(user.get("name") or "")),
    )


def parse_delivery(payload: Any) -> list[ActivityEvent]:
    """The events of one delivery we act on; other kinds (likes, follows, typing ...) are ignored."""
    if not isinstance(payload, dict):
        raise MalformedDelivery("the body is not a JSON object")
    owner = _id(payload, "for_user_id")
    events: list[ActivityEvent] = []
    for raw in payload.get("tweet_create_events") or []:
        tweet = tweet_from_v1(raw)
        events.append(Mention(owner, tweet, is_reply=tweet.replied_to is not None))
    users = payload.get("users") or {}
    for raw in payload.get("direct_message_events") or []:
        if raw.get("type") != "message_create":
            continue
        create = raw.get("message_create") or {}
        sender = _id(create, "sender_id")
        text = (create.get("message_data") or {}).get("text")
        if not isinstance(text, str):
            raise MalformedDelivery("direct message without text")
        events.append(DirectMessage(
            for_user_id=owner, id=_id(raw, "id"), sender_id=sender,
            recipient_id=_id(create.get("target") or {}, "recipient_id"), text=text,
            created_at=_ms(raw, "created_timestamp"),
            sender_username=str((users.get(sender) or {}).get("screen_name") or "")))
    for raw in payload.get("block_events") or []:
        if raw.get("type", "block") != "block":
            continue
        events.append(Block(owner, _id(raw.get("source") or {}, "id_str", "id"),
                            _id(raw.get("target") or {}, "id_str", "id"), _ms(raw, "created_timestamp")))
    for raw in payload.get("tweet_delete_events") or []:
        status = raw.get("status") or {}
        events.append(Deletion(owner, _id(status, "id"), _id(status, "user_id"), _ms(raw, "timestamp_ms")))
    return events

