"""The campaign's X adapter over tweepy — the ONLY code in the system that sends a DM.

It wraps a user-context `TweepyGateway` built from the campaign's own DM-capable credentials
(`Runtime.campaign()`), reusing its error mapping (429 -> RateLimited, 5xx -> TwitterUnavailable,
other 4xx -> TwitterRejected). tests/unit/test_campaign_dm_boundary.py fails if any other module
references DM sending.
"""

from __future__ import annotations

from typing import Any

from activecare.campaign.models import Entrant
from activecare.campaign.ports import RetweeterPage
from activecare.clock import parse_iso
from activecare.twitter.gateway import TweepyGateway, raw_data, rejected_from_errors

USER_FIELDS = ["connection_status", "created_at", "public_metrics"]


class TweepyCampaignX:
    """RetweeterSource and DirectMessenger as the campaign's account."""

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
