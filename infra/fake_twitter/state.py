"""The fake's world: users, posts, tokens, tier, faults, limits, stats and pagination snapshots.

Everything is guarded by one re-entrant lock, so the threaded HTTP server and a test (or the
simulation) may touch the state at the same time. Time comes from the injected clock only:
a post whose ``created_at`` is after ``clock()`` is invisible, as if not posted yet.
"""

from __future__ import annotations

import bisect
import secrets
import string
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from activecare.clock import iso_z, parse_iso
from activecare.twitter.snowflake import snowflake, snowflake_time
from activecare.twitter.text_rules import comparable
from infra.fake_twitter.billing import Billing
from infra.fake_twitter.faults import Faults
from infra.fake_twitter.limits import QUERY_MAX_LENGTH, RateLimiter, Stats, check_tier
from infra.fake_twitter.problems import (
    BLOCKED_BY_AUTHOR,
    DUPLICATE_CONTENT,
    QUOTE_NOT_VISIBLE,
    REPLY_NOT_ALLOWED,
    REPLY_NOT_VISIBLE,
    TEXT_TOO_LONG,
    about_blank,
)
from infra.fake_twitter.query import Doc
from infra.fake_twitter.text import (
    MAX_WEIGHTED_LENGTH,
    MENTION_RE,
    detect_lang,
    extract_entities,
    normalize,
    weighted_length,
)

JSON = dict[str, Any]
DUPLICATE_WINDOW = timedelta(hours=24)
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_MAX_SNAPSHOTS = 5000

TWEET_METRICS = (
    "retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count",
)
USER_METRICS = ("followers_count", "following_count", "tweet_count", "listed_count", "like_count",
                "media_count")


@dataclass(frozen=True)
class Snapshot:
    """A frozen result list behind a next_token: later pages never shift."""

    key: tuple[Any, ...]
    ids: tuple[str, ...]
    offset: int


class FakeTwitterState:
    """Users and posts of the fake X, plus its tier, limits, faults and bookkeeping.

    `clock` decides what is visible and drives the rate-limit windows. If it has a
    ``set(datetime)`` method (e.g. activecare.clock.ManualClock) POST /_fake/clock may move it.
    """

    def __init__(self, clock: Callable[[], datetime], tier: str = "pro") -> None:
        self.clock = clock
        self._tier = check_tier(tier)
        self.lock = threading.RLock()
        self.faults = Faults()
        self.stats = Stats()
        self.limiter = RateLimiter()
        self.posted: list[JSON] = []
        self.posted_by_hand: list[JSON] = []  # sent in the X app (an agent), not through the API
        self.enforce_reply_rules = True
        self.blocks: dict[str, set[str]] = {}  # user id -> the user ids they blocked (`block`)
        # Called under the lock with ("create" | "delete", post), ("block", {source, target}), ("dm", event):
        # the account activity webhooks (infra/fake_twitter/webhooks.py) listen here.
        self.listeners: list[Callable[[str, JSON], None]] = []
        self._users: dict[str, JSON] = {}
        self._user_ids: dict[str, str] = {}  # lower-case username -> id
        self._tweets: dict[str, JSON] = {}
        self._created: dict[str, datetime] = {}
        self._ids: list[int] = []  # ascending
        self._by_author: dict[str, list[int]] = {}
        self._by_mention: dict[str, list[int]] = {}  # lower-case username -> ids
        self._docs: dict[str, Doc] = {}
        self._comparable: dict[str, str] = {}  # tweet id -> text_rules.comparable(text), filled on demand
        self._tokens: dict[str, str] = {}
        self._snapshots: OrderedDict[str, Snapshot] = OrderedDict()
        self._sequence = 0
        self._ids_follow_time = True  # every id is the snowflake of its created_at (lets us bisect by time)
        from infra.fake_twitter.social import Social

        self.billing = Billing()  # what X would bill on pay-per-use (billing.py)
        self.social = Social(self)  # retweets, follows and DMs (the campaign)
        from infra.fake_twitter.compliance import Compliance

        self.compliance = Compliance(self)  # deletions, account states, batch compliance jobs

    # --- configuration ---------------------------------------------------------------

    @property
    def tier(self) -> str:
        return self._tier

    def set_tier(self, tier: str) -> None:
        """Switch access level; open windows keep their counts, the new limits apply at once."""
        self._tier = check_tier(tier)

    @property
    def query_max_length(self) -> int:
        return QUERY_MAX_LENGTH[self._tier]

    def reset_limits(self) -> None:
        """Forget every rate-limit window."""
        self.limiter.reset()

    def now(self) -> datetime:
        return self.clock()

    @property
    def clock_settable(self) -> bool:
        return callable(getattr(self.clock, "set", None))

    def set_clock(self, at: datetime) -> None:
        """Move a settable clock (ManualClock); raises TypeError for a plain callable."""
        setter = getattr(self.clock, "set", None)
        if not callable(setter):
            raise TypeError("the state's clock cannot be set; create it with a ManualClock")
        setter(at)

    def add_token(self, token: str, user_id: str) -> None:
        """Map a bearer token (OAuth 2.0 user context) or OAuth 1.0a access token to a user.
        Any other bearer token is accepted as an app-only token."""
        with self.lock:
            self._tokens[token] = str(user_id)

    def owns(self, user_id: str) -> bool:
        """A user whose token the fake holds (a support account): reading their data is an owned read."""
        with self.lock:
            return bool(user_id) and user_id in self._tokens.values()

    def user_for_token(self, token: str) -> str | None:
        with self.lock:
            return self._tokens.get(token)

    # --- users -----------------------------------------------------------------------

    def add_users(self, users: Iterable[JSON]) -> None:
        """Add or replace v2 user dicts (id, username, name required)."""
        with self.lock:
            for raw in users:
                user = dict(raw)
                for key in ("id", "username", "name"):
                    if not isinstance(user.get(key), str) or not user[key]:
                        raise ValueError(f"user needs a string {key!r}: {raw!r}")
                if "created_at" in user:
                    user["created_at"] = iso_z(parse_iso(user["created_at"]))
                user["public_metrics"] = {m: 0 for m in USER_METRICS} | dict(user.get("public_metrics") or {})
                user.setdefault("protected", False)
                user.setdefault("verified", False)
                user.setdefault("description", "")
                self._users[user["id"]] = user
                self._user_ids[user["username"].lower()] = user["id"]
            self._docs.clear()

    def user(self, user_id: str) -> JSON | None:
        with self.lock:
            return self._users.get(user_id)

    def user_by_username(self, username: str) -> JSON | None:
        with self.lock:
            uid = self._user_ids.get(username.lstrip("@").lower())
            return self._users.get(uid) if uid else None

    # --- posts -----------------------------------------------------------------------

    def add_tweets(self, tweets: Iterable[JSON]) -> None:
        """Add v2 post dicts (id, text, author_id required); missing fields get API-like
        defaults: created_at from the snowflake id, conversation_id, lang, entities, metrics."""
        with self.lock:
            for raw in tweets:
                self._insert(self._normalize_tweet(raw))

    def _normalize_tweet(self, raw: JSON) -> JSON:
        tweet = dict(raw)
        tid, text, author = tweet.get("id"), tweet.get("text"), tweet.get("author_id")
        valid_id = isinstance(tid, str) and tid.isdigit()
        if not valid_id or not isinstance(text, str) or not isinstance(author, str):
            raise ValueError(f"a post needs string id (digits), text and author_id: {raw!r}")
        created = parse_iso(tweet["created_at"]) if tweet.get("created_at") else snowflake_time(tid)
        tweet["created_at"] = iso_z(created)
        tweet.setdefault("edit_history_tweet_ids", [tid])
        refs = [dict(r) for r in tweet.get("referenced_tweets") or []]
        if refs:
            tweet["referenced_tweets"] = refs
        else:
            tweet.pop("referenced_tweets", None)
        parent = next((self._tweets.get(r["id"]) for r in refs if r.get("type") == "replied_to"), None)
        if parent is not None:
            tweet.setdefault("conversation_id", parent["conversation_id"])
            tweet.setdefault("in_reply_to_user_id", parent["author_id"])
        tweet.setdefault("conversation_id", tid)
        tweet.setdefault("lang", detect_lang(text))
        if "entities" not in tweet:
            entities = extract_entities(text, self._user_ids)
            if entities:
                tweet["entities"] = entities
        tweet["public_metrics"] = {m: 0 for m in TWEET_METRICS} | dict(tweet.get("public_metrics") or {})
        tweet.setdefault("possibly_sensitive", False)
        tweet.setdefault("reply_settings", "everyone")
        return tweet

    def _insert(self, tweet: JSON) -> None:
        tid = tweet["id"]
        if tid in self._tweets:
            self._unindex(tid)
        self._tweets[tid] = tweet
        self._created[tid] = parse_iso(tweet["created_at"])
        if abs(snowflake_time(tid) - self._created[tid]) > timedelta(seconds=1):
            self._ids_follow_time = False
        self._docs.pop(tid, None)
        self._comparable.pop(tid, None)
        bisect.insort(self._ids, int(tid))
        bisect.insort(self._by_author.setdefault(tweet["author_id"], []), int(tid))
        for username in self._mentioned(tweet):
            bisect.insort(self._by_mention.setdefault(username, []), int(tid))
        self.notify("create", tweet)

    def notify(self, kind: str, item: JSON) -> None:
        for listener in self.listeners:
            listener(kind, item)

    def delete_tweet(self, tweet_id: str) -> JSON:
        """The author deletes a post: gone from every endpoint (KeyError if there is no such post)."""
        with self.lock:
            tweet = self._tweets[tweet_id]
            self._unindex(tweet_id)
            del self._tweets[tweet_id]
            self._created.pop(tweet_id, None)
            self._docs.pop(tweet_id, None)
            self._comparable.pop(tweet_id, None)
            self.notify("delete", tweet)
            return tweet

    def _unindex(self, tid: str) -> None:
        old = self._tweets[tid]
        for seq in (self._ids, self._by_author.get(old["author_id"], []),
                    *(self._by_mention.get(u, []) for u in self._mentioned(old))):
            i = bisect.bisect_left(seq, int(tid))
            if i < len(seq) and seq[i] == int(tid):
                seq.pop(i)

    @staticmethod
    def _mentioned(tweet: JSON) -> set[str]:
        mentions = (tweet.get("entities") or {}).get("mentions") or []
        names = {m["username"].lower() for m in mentions if m.get("username")}
        names |= {m.group(1).lower() for m in MENTION_RE.finditer(tweet["text"])}
        return names

    def remove_tweet(self, tweet_id: str) -> JSON | None:
        """Take a post out of the store and every index (its author deleted it); the post, or None."""
        with self.lock:
            if tweet_id not in self._tweets:
                return None
            self._unindex(tweet_id)
            self._created.pop(tweet_id, None)
            self._docs.pop(tweet_id, None)
            self._comparable.pop(tweet_id, None)
            return self._tweets.pop(tweet_id)

    def tweet(self, tweet_id: str) -> JSON | None:
        """A post by id, visible or not."""
        with self.lock:
            return self._tweets.get(tweet_id)

    def is_visible(self, tweet_id: str, now: datetime | None = None) -> bool:
        with self.lock:
            created = self._created.get(tweet_id)
            return created is not None and created <= (now or self.clock())

    def created_at(self, tweet_id: str) -> datetime:
        return self._created[tweet_id]

    def doc(self, tweet_id: str) -> Doc:
        """The evaluator's view of a post (cached)."""
        doc = self._docs.get(tweet_id)
        if doc is None:
            doc = self._docs[tweet_id] = self._make_doc(self._tweets[tweet_id])
        return doc

    def _make_doc(self, t: JSON) -> Doc:
        refs = frozenset((r.get("type", ""), r.get("id", "")) for r in t.get("referenced_tweets") or [])
        author = self._users.get(t["author_id"]) or {}
        entities = t.get("entities") or {}
        reply_to = self._users.get(t.get("in_reply_to_user_id") or "") or {}
        retweeted = next((self._tweets.get(i) for k, i in refs if k == "retweeted"), None)
        rt_author = self._users.get(retweeted["author_id"]) if retweeted else None
        return Doc(
            text=normalize(t["text"]),
            lang=t.get("lang") or "und",
            author_username=author.get("username", "").lower(),
            is_retweet=any(k == "retweeted" for k, _ in refs),
            is_reply=any(k == "replied_to" for k, _ in refs) or bool(t.get("in_reply_to_user_id")),
            is_quote=any(k == "quoted" for k, _ in refs),
            verified=bool(author.get("verified")),
            mentions=frozenset(self._mentioned(t)),
            hashtags=frozenset(normalize(h["tag"]) for h in entities.get("hashtags") or []),
            urls=tuple(u.get("expanded_url") or u.get("url", "") for u in entities.get("urls") or []),
            has_media=bool((t.get("attachments") or {}).get("media_keys")),
            conversation_id=t.get("conversation_id", ""),
            in_reply_to_username=reply_to.get("username", "").lower(),
            referenced=refs,
            retweeted_author=(rt_author or {}).get("username", "").lower(),
        )

    def iter_ids(
        self, *, source: str = "all", key: str = "", since_id: str | None = None, until_id: str | None = None,
        created_from: datetime | None = None, created_to: datetime | None = None,
    ) -> Iterator[str]:
        """Ids newest first from the whole store, an author ("author") or a mentioned
        username ("mention"), restricted to (since_id, until_id). `created_from`/`created_to`
        only narrow the scan when ids follow time; callers still check created_at."""
        seq = {"all": self._ids, "author": self._by_author.get(key, []),
               "mention": self._by_mention.get(key.lower(), [])}[source]
        lo = bisect.bisect_right(seq, int(since_id)) if since_id else 0
        hi = bisect.bisect_left(seq, int(until_id)) if until_id else len(seq)
        if self._ids_follow_time:
            slack = timedelta(seconds=2)
            if created_from is not None:
                lo = max(lo, bisect.bisect_left(seq, int(snowflake(created_from - slack))))
            if created_to is not None:
                hi = min(hi, bisect.bisect_right(seq, int(snowflake(created_to + slack, 4095, 1023))))
        for i in range(hi - 1, lo - 1, -1):
            yield str(seq[i])

    # --- posting -----------------------------------------------------------------------

    def block(self, user_id: str, blocked_id: str) -> None:
        """`user_id` blocks `blocked_id`: replies from `blocked_id` to their posts are refused (403)."""
        with self.lock:
            self.blocks.setdefault(user_id, set()).add(blocked_id)
            self.notify("block", {"source": user_id, "target": blocked_id})

    def create_tweet(self, user_id: str, text: str, *, reply_to: str | None = None,
                     quote_of: str | None = None) -> JSON:
        """POST /2/tweets on behalf of `user_id`; raises ApiError like the real API."""
        with self.lock:
            now = self.clock()
            if weighted_length(text) > MAX_WEIGHTED_LENGTH:
                raise about_blank(403, TEXT_TOO_LONG)
            for tid in self.iter_ids(source="author", key=user_id):
                other = self._tweets[tid]
                created = self._created[tid]
                if created <= now and now - created < DUPLICATE_WINDOW and other["text"] == text:
                    raise about_blank(403, DUPLICATE_CONTENT)
            tweet: JSON = {"text": text, "author_id": user_id}
            refs = []
            if reply_to is not None:
                parent = self._tweets.get(reply_to)
                if parent is None or not self.is_visible(reply_to, now):
                    raise about_blank(403, REPLY_NOT_VISIBLE)
                if user_id in self.blocks.get(str(parent.get("author_id", "")), set()):
                    raise about_blank(403, BLOCKED_BY_AUTHOR)
                restricted = self.enforce_reply_rules and self._tier != "enterprise"
                if restricted and not self._engaged(parent, user_id):
                    raise about_blank(403, REPLY_NOT_ALLOWED)
                refs.append({"type": "replied_to", "id": reply_to})
            if quote_of is not None:
                if not self.is_visible(quote_of, now):
                    raise about_blank(403, QUOTE_NOT_VISIBLE)
                refs.append({"type": "quoted", "id": quote_of})
            if refs:
                tweet["referenced_tweets"] = refs
            tweet["id"] = self._new_id(now)
            tweet["created_at"] = iso_z(now)
            normalized = self._normalize_tweet(tweet)
            earlier = self._identical_elsewhere(user_id, text, now)
            self._insert(normalized)
            self.posted.append(normalized)
            if earlier is not None:
                self.stats.count_identical(normalized["id"], earlier)
            return normalized

    def _identical_elsewhere(self, user_id: str, text: str, now: datetime) -> str | None:
        """The id of a post with the same text (compared as X does: leading @mentions, URLs and
        whitespace aside, text_rules.comparable) by another of the app's accounts (a user with a
        token) within 24 hours, if any. X does not refuse it, but its rules prohibit it."""
        if user_id not in self._tokens.values():
            return None
        mine = comparable(text)
        for other in sorted(set(self._tokens.values()) - {user_id}):
            for tid in self.iter_ids(source="author", key=other, created_from=now - DUPLICATE_WINDOW,
                                     created_to=now):
                created = self._created[tid]
                if not (created <= now and now - created < DUPLICATE_WINDOW):
                    continue
                if tid not in self._comparable:
                    self._comparable[tid] = comparable(self._tweets[tid]["text"])
                if self._comparable[tid] == mine:
                    return tid
        return None

    def post_by_hand(self, user_id: str, text: str, *, reply_to: str | None = None) -> JSON:
        """A post a person sends in the X app (e.g. an agent opening an intent link): the API's
        self-serve reply rule does not apply, duplicate content and length still do. Not counted
        as an API request and not in `posted`."""
        with self.lock:
            enforced = self.enforce_reply_rules
            self.enforce_reply_rules = False
            try:
                tweet = self.create_tweet(user_id, text, reply_to=reply_to)
            finally:
                self.enforce_reply_rules = enforced
            self.posted.remove(tweet)
            self.posted_by_hand.append(tweet)
            return tweet

    def _engaged(self, parent: JSON, user_id: str) -> bool:
        """Self-serve reply rule: the parent's author mentioned, replied to or quoted `user_id`."""
        user = self._users.get(user_id) or {}
        if parent["author_id"] == user_id or parent.get("in_reply_to_user_id") == user_id:
            return True
        if user.get("username", "").lower() in self._mentioned(parent):
            return True
        refs = parent.get("referenced_tweets") or []
        quoted = [self._tweets.get(r["id"]) for r in refs if r["type"] == "quoted"]
        return any(q is not None and q["author_id"] == user_id for q in quoted)

    def _new_id(self, now: datetime) -> str:
        while True:
            self._sequence = (self._sequence + 1) % 4096
            tid = snowflake(now, sequence=self._sequence, worker=7)
            if tid not in self._tweets:
                return tid

    # --- pagination --------------------------------------------------------------------

    def snapshot_page(self, key: tuple[Any, ...], ids: list[str] | None, token: str | None,
                      max_results: int) -> tuple[list[str], str | None] | None:
        """Serve one page: from fresh `ids`, or from the snapshot behind `token`. Returns
        (page ids, next token) or None when the token is unknown or belongs to another query."""
        with self.lock:
            if token is not None:
                snap = self._snapshots.get(token)
                if snap is None or snap.key != key:
                    return None
                all_ids, offset = snap.ids, snap.offset
            else:
                all_ids, offset = tuple(ids or ()), 0
            page = list(all_ids[offset : offset + max_results])
            next_token = None
            if offset + max_results < len(all_ids):
                next_token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(45))
                self._snapshots[next_token] = Snapshot(key, all_ids, offset + max_results)
                while len(self._snapshots) > _MAX_SNAPSHOTS:
                    self._snapshots.popitem(last=False)
            return page, next_token

    # --- rendering -----------------------------------------------------------------------

    def render_tweet(self, tweet_id: str, fields: set[str]) -> JSON:
        """The post with its default fields (id, text, edit_history_tweet_ids) plus `fields`."""
        t = self._tweets[tweet_id]
        keys = {"id", "text", "edit_history_tweet_ids"} | {f for f in fields if f in t}
        return {k: t[k] for k in sorted(keys)}

    def render_user(self, user_id: str, fields: set[str]) -> JSON | None:
        """The user with its default fields (id, name, username) plus `fields`."""
        u = self._users.get(user_id)
        if u is None:
            return None
        keys = {"id", "name", "username"} | {f for f in fields if f in u}
        out = {k: u[k] for k in sorted(keys)}
        followers = self.social.follower_count(user_id) if "public_metrics" in fields else None
        if followers is not None:  # the graph's own count for a user whose follower list the fake holds
            out["public_metrics"] = {**(u.get("public_metrics") or {}), "followers_count": followers}
        return out

    def clear(self) -> None:
        """Forget posts, users, tokens and snapshots; reset limits, faults, stats (keep tier, clock)."""
        with self.lock:
            for store in (self._users, self._user_ids, self._tweets, self._created, self._by_author,
                          self._by_mention, self._docs, self._comparable, self._tokens, self._snapshots):
                store.clear()
            self._ids.clear()
            self.posted.clear()
            self.posted_by_hand.clear()
            self.faults.clear()
            self.stats.reset()
            self.limiter.reset()
            self.social.clear()
            self.compliance.clear()
            self.billing.reset()

