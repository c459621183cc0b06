"""The fake's bill: what X would charge on pay-per-use, metered from the responses it serves.

Every successful response is looked at once, after the endpoint ran: the posts in `data` and
`includes.tweets` are post reads, the users in `includes.users` (and the `data` of user endpoints) user reads,
each billed once per UTC day (activecare.twitter.pricing.DailyBill). A read of an owned resource - the
mentions, timeline or followers of an account whose token the fake holds (our support accounts) - is an owned
read instead. A post created is a post, or a post with a URL when its text holds one; a DM sent is a DM. The
fake serves no counts endpoint, so that category stays 0. Search reads are also kept per query text
(newly billed posts), for the per-query bill.

    GET /_fake/billing   {"days": {day: {counts, usd, total_usd}}, "by_query": {...}, "by_endpoint": {...}}

`by_endpoint` says which endpoint a resource was first billed through (a post read by search and then by a
timeline the same day is billed once, to search); a post created is under ``reply`` when it answers a tweet,
else ``post``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from datetime import datetime
from typing import Any

from activecare.twitter.pricing import DailyBill, utc_day

OWNED_ENDPOINTS = frozenset({"mentions", "user_tweets", "followers", "me"})
POST_ENDPOINTS = frozenset({"search", "mentions", "user_tweets", "tweets_lookup"})
USER_ENDPOINTS = frozenset({"followers", "retweeted_by", "me", "users_lookup"})
_URL_RE = re.compile(r"https?://\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|jp|net|org|co\.jp)\b", re.I)


def _is_reply(body: bytes) -> bool:
    try:
        sent = json.loads(body or b"{}")
    except ValueError:
        return False
    return isinstance(sent, dict) and isinstance(sent.get("reply"), dict) \
        and bool(sent["reply"].get("in_reply_to_tweet_id"))


class Billing:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.bill = DailyBill()
        self.by_query: dict[str, Counter[str]] = {}  # day -> query text -> posts newly billed
        self.by_endpoint: dict[str, Counter[str]] = {}  # day -> "endpoint category" -> resources newly billed

    def reset(self) -> None:
        with self.lock:
            self.bill = DailyBill()
            self.by_query = {}
            self.by_endpoint = {}

    def meter(self, endpoint: str, params: dict[str, str], path_id: str, status: int, payload: Any,
              at: datetime, owned: bool, body: bytes = b"") -> None:
        if status >= 300 or not isinstance(payload, dict):
            return
        data = payload.get("data")
        includes = payload.get("includes") or {}
        rows = data if isinstance(data, list) else []
        with self.lock:
            ep = self.by_endpoint.setdefault(utc_day(at), Counter())
            if endpoint == "post":
                text = str((data or {}).get("text", "")) if isinstance(data, dict) else ""
                category = "posts_with_url" if _URL_RE.search(text) else "posts"
                self.bill.add(category, 1, at)
                # A reply (the desk's answers) apart from a post of its own (scheduled posts, status posts).
                ep[f"{'reply' if _is_reply(body) else endpoint} {category}"] += 1
                return
            if endpoint == "dm_send":
                self.bill.add("dms", 1, at)
                ep[f"{endpoint} dms"] += 1
                return
            mine = owned and endpoint in OWNED_ENDPOINTS
            posts = [str(t["id"]) for t in rows if endpoint in POST_ENDPOINTS and "id" in t]
            posts += [str(t["id"]) for t in includes.get("tweets") or [] if "id" in t]
            users = [str(u["id"]) for u in includes.get("users") or [] if "id" in u]
            if endpoint in USER_ENDPOINTS:
                users += [str(u["id"]) for u in ([data] if isinstance(data, dict) else rows) if "id" in u]
            if mine:
                # Owned resources are billed apart from the same ids read elsewhere (prefixed).
                ep[f"{endpoint} owned_reads"] += self.bill.read(
                    "owned_reads", [f"p{i}" for i in posts] + [f"u{i}" for i in users], at)
                return
            new = self.bill.read("post_reads", posts, at)
            ep[f"{endpoint} post_reads"] += new
            # A lookup by id asking for connection_status is the campaign's follow check, not the poller's
            # lookup of matched authors: named apart for the per-part bill.
            label = ("follow_check" if endpoint == "users_lookup"
                     and "connection_status" in params.get("user.fields", "") else endpoint)
            ep[f"{label} user_reads"] += self.bill.read("user_reads", users, at)
            if endpoint == "search" and params.get("query"):
                self.by_query.setdefault(utc_day(at), Counter())[params["query"]] += new

    def report(self, day: str | None = None) -> dict[str, Any]:
        with self.lock:
            days = self.bill.report(day)
            queries = {d: dict(c) for d, c in self.by_query.items() if day is None or d == day}
            endpoints = {d: {k: n for k, n in c.items() if n} for d, c in self.by_endpoint.items()
                         if day is None or d == day}
        return {"days": days, "by_query": queries, "by_endpoint": endpoints}
