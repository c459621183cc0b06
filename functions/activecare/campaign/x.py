"""The campaign's X adapter over tweepy — the ONLY code in the system that sends a DM.

It wraps a user-context `TweepyGateway` built from the campaign's own DM-capable credentials
(`Runtime.campaign()`), reusing its error mapping (429 -> RateLimited, 5xx -> TwitterUnavailable,
other 4xx -> TwitterRejected). tests/unit/test_campaign_dm_boundary.py fails if any other module
references DM sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from activecare.campaign.models import Entrant
from activecare.campaign.ports import DmEvent, DmEventPage, IdPage, Reply, ReplyPage, RetweeterPage
from activecare.clock import parse_iso
from activecare.twitter.gateway import TweepyGateway, raw_data, rejected_from_errors

USER_FIELDS = ["connection_status", "created_at", "public_metrics"]
DM_FIELDS = ["sender_id", "created_at", "text", "participant_ids", "dm_conversation_id"]


class TweepyCampaignX:
    """RetweeterSource, EntryReads, Announcer and DirectMessenger as the campaign's account."""

    def __init__(self, gateway: TweepyGateway, account_id: str) -> None:
        self.gateway = gateway
        self.account_id = account_id

    def retweeters(self, tweet_id: str, *, pagination_token: str | None = None) -> RetweeterPage:
        """GET /2/tweets/:id/retweeted_by, 100 a page; connection_status says who follows us."""
        params: dict[str, Any] = {"max_results": 100, "user_fields": USER_FIELDS, "user_auth": self.gateway.user_auth}
        if pagination_token:
            params["pagination_token"] = pagination_token
        resp = self.gateway.call("retweeted_by", lambda: self.gateway.client.get_retweeters(tweet_id, **params))
        if resp.data is None and resp.errors:
            raise rejected_from_errors("retweeted_by", resp.errors)
        entrants = [_entrant(raw_data(u) or {}) for u in resp.data or []]
        return RetweeterPage(entrants, (resp.meta or {}).get("next_token"))

    def replies(self, tweet_id: str, *, pagination_token: str | None = None) -> ReplyPage:
        """GET /2/tweets/search/recent `conversation_id:<id> is:reply`, 100 a page, authors in includes."""
        params: dict[str, Any] = {"max_results": 100, "expansions": ["author_id"],
                                  "tweet_fields": ["author_id", "conversation_id", "created_at"],
                                  "user_fields": ["created_at", "public_metrics"], "user_auth": self.gateway.user_auth}
        if pagination_token:
            params["next_token"] = pagination_token
        query = f"conversation_id:{tweet_id} is:reply"
        resp = self.gateway.call("search", lambda: self.gateway.client.search_recent_tweets(query, **params))
        users = {str(u["id"]): u for u in (raw_includes(resp).get("users") or [])}
        out = []
        for t in resp.data or []:
            d = raw_data(t) or {}
            author = str(d.get("author_id", ""))
            if author == self.account_id:
                continue
            e = _entrant(users.get(author) or {"id": author})
            out.append(Reply(Entrant(e.user_id, e.username, False, e.followers_count, e.created_at, retweeted=False,
                                     replied=True), str(d.get("text", ""))))
        return ReplyPage(out, (resp.meta or {}).get("next_token"), len(resp.data or []))

    def followers(self, *, pagination_token: str | None = None) -> IdPage:
        """GET /2/users/:id/followers, 1,000 a page."""
        params: dict[str, Any] = {"max_results": 1000, "user_auth": self.gateway.user_auth}
        if pagination_token:
            params["pagination_token"] = pagination_token
        resp = self.gateway.call("followers", lambda: self.gateway.client.get_users_followers(self.account_id,
                                                                                              **params))
        return IdPage([str((raw_data(u) or {})["id"]) for u in resp.data or []], (resp.meta or {}).get("next_token"))

    def following_us(self, user_ids: Sequence[str]) -> set[str]:
        """GET /2/users?ids= (≤100) with connection_status."""
        resp = self.gateway.call("users", lambda: self.gateway.client.get_users(
            ids=list(user_ids), user_fields=["connection_status"], user_auth=self.gateway.user_auth))
        return {str(d["id"]) for d in (raw_data(u) or {} for u in resp.data or [])
                if "followed_by" in (d.get("connection_status") or [])}

    def followers_count(self) -> int:
        resp = self.gateway.call("me", lambda: self.gateway.client.get_me(user_fields=["public_metrics"],
                                                                          user_auth=self.gateway.user_auth))
        return int(((raw_data(resp.data) or {}).get("public_metrics") or {}).get("followers_count") or 0)

    def post(self, text: str) -> str:
        """POST /2/tweets through the gateway's own post (counted in the account's 15-minute post window)."""
        return self.gateway.post(text)

    def find_post(self, text: str) -> str | None:
        """GET /2/users/:id/tweets (the account's own recent posts): the one with exactly `text`."""
        resp = self.gateway.call("user_tweets", lambda: self.gateway.client.get_users_tweets(
            self.account_id, max_results=100, exclude=["replies", "retweets"], user_auth=self.gateway.user_auth))
        return next((str(d["id"]) for d in (raw_data(t) or {} for t in resp.data or []) if d.get("text") == text),
                    None)

    def conversation(self, participant_id: str) -> list[DmEvent]:
        """GET /2/dm_conversations/with/:participant_id/dm_events (the newest 100)."""
        resp = self.gateway.call("dm_events", lambda: self.gateway.client.get_direct_message_events(
            participant_id=participant_id, dm_event_fields=DM_FIELDS, max_results=100,
            user_auth=self.gateway.user_auth))
        return [e for e in (_dm_event(raw_data(x) or {}, participant_id) for x in resp.data or []) if e]

    def dm_events(self, *, pagination_token: str | None = None) -> DmEventPage:
        """GET /2/dm_events: the account's DM events, newest first, 100 a page."""
        params: dict[str, Any] = {"dm_event_fields": DM_FIELDS, "max_results": 100, "event_types": "MessageCreate",
                                  "user_auth": self.gateway.user_auth}
        if pagination_token:
            params["pagination_token"] = pagination_token
        resp = self.gateway.call("dm_events_all", lambda: self.gateway.client.get_direct_message_events(**params))
        events = [e for e in (_dm_event(raw_data(x) or {}, "") for x in resp.data or []) if e]
        return DmEventPage(events, (resp.meta or {}).get("next_token"))

    def send_dm(self, participant_id: str, text: str) -> str:
        """POST /2/dm_conversations/with/:participant_id/messages."""
        resp = self.gateway.call("dm_send", lambda: self.gateway.client.create_direct_message(
            participant_id=participant_id, text=text, user_auth=self.gateway.user_auth))
        return str(resp.data["dm_event_id"])

    def find_sent_dm(self, participant_id: str, text: str) -> str | None:
        """GET /2/dm_conversations/with/:participant_id/dm_events: our message with this text, if sent."""
        resp = self.gateway.call("dm_events", lambda: self.gateway.client.get_direct_message_events(
            participant_id=participant_id, dm_event_fields=["sender_id", "created_at", "text"], max_results=100,
            user_auth=self.gateway.user_auth))
        for event in resp.data or []:
            d = raw_data(event) or {}
            ours = str(d.get("sender_id")) == self.account_id
            if d.get("event_type") == "MessageCreate" and d.get("text") == text and ours:
                return str(d["id"])
        return None


def _entrant(d: dict[str, Any]) -> Entrant:
    metrics = d.get("public_metrics") or {}
    return Entrant(
        user_id=str(d["id"]), username=str(d.get("username", "")),
        follows="followed_by" in (d.get("connection_status") or []),
        followers_count=int(metrics.get("followers_count") or 0),
        created_at=parse_iso(d["created_at"]) if d.get("created_at") else None,
    )


def raw_includes(resp: Any) -> dict[str, Any]:
    """The response's includes as JSON dicts (tweepy turns them into objects)."""
    inc = getattr(resp, "includes", None) or {}
    return {k: [raw_data(v) or {} for v in vs] for k, vs in inc.items()}


def _dm_event(d: dict[str, Any], participant_id: str) -> DmEvent | None:
    if d.get("event_type") != "MessageCreate" or "id" not in d:
        return None
    sender = str(d.get("sender_id", ""))
    others = [str(p) for p in d.get("participant_ids") or [] if str(p) != sender]
    return DmEvent(id=str(d["id"]), sender_id=sender, text=str(d.get("text", "")),
                   participant_id=participant_id or (others[0] if others else ""),
                   created_at=parse_iso(d["created_at"]) if d.get("created_at") else None)
