"""The fake X's account activity webhooks (the Account Activity API, as pay-per-use and Enterprise offer it).

    hooks = FakeWebhooks(state, consumer_secret="...")
    hooks.register(url)                 # X's CRC check first: GET url?crc_token=... must answer the HMAC
    hooks.subscribe([user_id, ...])     # the support accounts
    ... a post mentioning or replying to a subscribed account, a DM to or from one, its block or deletion ...
    hooks.wait_idle()                   # every due delivery made

What happens in the fake X (FakeTwitterState's listeners) becomes one delivery per subscribed account
(`for_user_id`) it concerns, as X documents the Account Activity API: posts by, mentioning or replying to it,
DMs it sends or receives, blocks *by* it and deletions of *its own* posts (X tells no one who blocked them, and
a customer's deletion reaches apps through X's compliance endpoints, not this webhook). Each is POSTed as JSON
with the `x-twitter-webhooks-signature` header (sha256=, base64 HMAC-SHA256 of the body under the app's
consumer secret), from a thread of its own, once the event's time has come on the state's clock. Tweets are
rendered as X's v1.1 objects. A delivery answered with anything but a 2xx (or not at all) is tried again, as
X does (here: up to `attempts` times, at once). Computed here, not with the code under test: the fake is X's
side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from activecare.clock import parse_iso
from infra.fake_twitter.state import FakeTwitterState

JSON = dict[str, Any]
V1_TIME = "%a %b %d %H:%M:%S +0000 %Y"


def x_signature(consumer_secret: str, message: bytes) -> str:
    digest = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


class CrcFailed(ValueError):
    """The URL did not answer X's CRC challenge: X does not register it."""


@dataclass
class Delivery:
    due: datetime
    for_user_id: str
    payload: JSON
    status: int | None = None  # the last answer (None: not made, or no answer)
    attempts: int = 0


class FakeWebhooks:
    def __init__(self, state: FakeTwitterState, consumer_secret: str, *, attempts: int = 3,
                 poll_s: float = 0.01) -> None:
        self.state = state
        self.consumer_secret = consumer_secret
        self.attempts = attempts
        self.poll_s = poll_s
        self.url: str | None = None
        self.subscribed: set[str] = set()
        self.deliveries: list[Delivery] = []
        self._pending: list[Delivery] = []
        self._cond = threading.Condition()
        self._busy = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._session = requests.Session()
        state.listeners.append(self._on_event)

    # --- registration ------------------------------------------------------------------------------------

    def register(self, url: str) -> None:
        """X's registration: a CRC check on the URL, then deliveries go there."""
        self.crc_check(url)
        self.url = url
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fake-x-webhooks", daemon=True)
            self._thread.start()

    def crc_check(self, url: str) -> None:
        token = secrets.token_urlsafe(24)
        resp = self._session.get(url, params={"crc_token": token}, timeout=5)
        expected = x_signature(self.consumer_secret, token.encode())
        answer = resp.json().get("response_token") if resp.ok else None
        if answer != expected:
            raise CrcFailed(f"CRC check failed: HTTP {resp.status_code}")

    def subscribe(self, user_ids: list[str]) -> None:
        with self._cond:
            self.subscribed |= set(user_ids)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._on_event in self.state.listeners:
            self.state.listeners.remove(self._on_event)
        self._session.close()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until every delivery due on the state's clock has been made (or given up)."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._busy or any(d.due <= self.state.now() for d in self._pending):
                if not self._cond.wait(timeout=max(0.0, end - time.monotonic())):
                    raise TimeoutError("webhook deliveries still pending")

    def post(self, payload: JSON) -> requests.Response:
        """One signed POST of `payload` to the registered URL, now (tests: a repeated delivery)."""
        assert self.url is not None, "no webhook registered"
        body = _json(payload)
        return self._session.post(self.url, data=body, timeout=10, headers={
            "content-type": "application/json",
            "x-twitter-webhooks-signature": x_signature(self.consumer_secret, body)})

    # --- events from the fake X ----------------------------------------------------------------------------

    def _on_event(self, kind: str, item: JSON) -> None:
        """Called under the state's lock: render, and leave the POST to the delivery thread."""
        if not self.subscribed:
            return
        now = self.state.now()
        found: list[tuple[datetime, str, JSON]] = []
        if kind == "create":
            for uid in self._concerned(item):
                found.append((parse_iso(item["created_at"]), uid, {"tweet_create_events": [self._v1(item)]}))
        elif kind == "delete":  # X: "Post deletes (by user)" - a subscribed account's own posts only
            event = {"status": {"id": item["id"], "user_id": item["author_id"]}, "timestamp_ms": _ms(now)}
            for uid in {item["author_id"]} & self.subscribed:
                found.append((now, uid, {"tweet_delete_events": [event]}))
        elif kind == "block":  # X: "Blocks (by user)" - a subscribed account blocking someone; never who blocks it
            event = {"type": "block", "created_timestamp": _ms(now), "source": self._v1_user(item["source"]),
                     "target": self._v1_user(item["target"])}
            for uid in {item["source"]} & self.subscribed:
                found.append((now, uid, {"block_events": [event]}))
        elif kind == "dm":
            event = {"type": "message_create", "id": item["id"],
                     "created_timestamp": _ms(parse_iso(item["created_at"])),
                     "message_create": {"target": {"recipient_id": item["participant_id"]},
                                        "sender_id": item["sender_id"], "message_data": {"text": item["text"]}}}
            users = {u: self._v1_user(u) for u in (item["sender_id"], item["participant_id"])}
            for uid in {item["sender_id"], item["participant_id"]} & self.subscribed:
                found.append((now, uid, {"direct_message_events": [event], "users": users}))
        with self._cond:
            for due, uid, payload in found:
                self._pending.append(Delivery(due, uid, {"for_user_id": uid, **payload}))
            self._cond.notify_all()

    def _concerned(self, tweet: JSON) -> set[str]:
        """The subscribed accounts a post concerns: its author, the account it replies to, those it mentions."""
        ids = {tweet["author_id"], tweet.get("in_reply_to_user_id") or ""}
        for mention in (tweet.get("entities") or {}).get("mentions") or []:
            user = self.state.user_by_username(mention.get("username", ""))
            if user:
                ids.add(user["id"])
        return ids & self.subscribed

    def _v1_user(self, user_id: str) -> JSON:
        user = self.state.user(user_id) or {"username": "", "name": ""}
        return {"id": int(user_id), "id_str": user_id, "screen_name": user["username"], "name": user["name"]}

    def _v1(self, tweet: JSON) -> JSON:
        refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets") or []}
        mentions = []
        for m in (tweet.get("entities") or {}).get("mentions") or []:
            user = self.state.user_by_username(m.get("username", ""))
            if user:
                mentions.append({"id_str": user["id"], "screen_name": user["username"]})
        raw: JSON = {
            "created_at": parse_iso(tweet["created_at"]).astimezone(UTC).strftime(V1_TIME),
            "id": int(tweet["id"]), "id_str": tweet["id"], "text": tweet["text"], "truncated": False,
            "lang": tweet.get("lang"), "user": self._v1_user(tweet["author_id"]),
            "in_reply_to_status_id_str": refs.get("replied_to"),
            "in_reply_to_user_id_str": tweet.get("in_reply_to_user_id") if refs.get("replied_to") else None,
            "is_quote_status": "quoted" in refs, "entities": {"user_mentions": mentions},
        }
        if "quoted" in refs:
            raw["quoted_status_id_str"] = refs["quoted"]
        return raw

    # --- delivery ---------------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                now = self.state.now()
                due = [d for d in self._pending if d.due <= now]
                self._pending = [d for d in self._pending if d.due > now]
                self._busy = bool(due)
                if not due:
                    self._cond.wait(timeout=self.poll_s)
                    continue
            for delivery in sorted(due, key=lambda d: d.due):
                self._deliver(delivery)
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        while delivery.attempts < self.attempts:
            delivery.attempts += 1
            try:
                delivery.status = self.post(delivery.payload).status_code
            except requests.RequestException:
                delivery.status = None
            if delivery.status is not None and 200 <= delivery.status < 300:
                return


def _ms(at: datetime) -> str:
    return str(int(at.timestamp() * 1000))


def _json(payload: JSON) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
