"""Campaign errors with an HTTP-like status and a stable code (the handler and CLI print them)."""

from __future__ import annotations


class CampaignError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def as_dict(self) -> dict[str, object]:
        return {"error": self.code, "status": self.status, "reason": self.reason}


class BadInput(CampaignError):
    code = "bad_input"


class UnknownTweet(CampaignError):
    status = 404
    code = "unknown_tweet"


class UnknownCampaign(CampaignError):
    status = 404
    code = "unknown_campaign"


class CampaignClosed(CampaignError):
    status = 409
    code = "campaign_closed"


class CampaignConflict(CampaignError):
    status = 409
    code = "campaign_conflict"


class NotYet(CampaignError):
    status = 409
    code = "entry_still_open"


class TryLater(CampaignError):
    """X refused for now (429) or is unavailable before anything was stored: invoke again later."""

    status = 503
    code = "try_later"
