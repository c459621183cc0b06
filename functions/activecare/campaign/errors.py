"""Campaign errors: the one error model (activecare.errors) with the campaign's stable codes."""

from __future__ import annotations

from activecare.errors import AppError, BadRequest, Conflict, Forbidden, NotFound, Unavailable

CampaignError = AppError


class BadInput(BadRequest):
    code = "bad_input"


class UnknownTweet(NotFound):
    code = "unknown_tweet"


class UnknownCampaign(NotFound):
    code = "unknown_campaign"


class CampaignClosed(Conflict):
    code = "campaign_closed"


class CampaignConflict(Conflict):
    code = "campaign_conflict"


class NotYet(Conflict):
    code = "entry_still_open"


class TryLater(Unavailable):
    """X refused for now (429) or is unavailable before anything was stored: invoke again later."""

    code = "try_later"


class NotInDmEvents(Conflict):
    """Hand mode: a confirmation the account's DM events do not show (yet)."""

    code = "dm_not_found"


class NotStaff(Forbidden):
    code = "forbidden"


class WrongMode(Conflict):
    code = "wrong_notify_mode"
