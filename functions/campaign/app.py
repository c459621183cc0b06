"""Campaign Lambda: invoked ad hoc by ops (draw, status, certificate, retry_failed, close) and every 15
minutes by an EventBridge rule (tick: continue collections after a 429, drain the DM queue within
the 15-DMs-per-15-minutes limit). Thin: check the event, call CampaignService, return JSON.

    {"action": "draw", "campaign_id": "xmas2026", "tweet_id": "...", "account": "general",
     "winners": 100, "rules": {...}, "message": "...", "salt": "", "dry_run": false}
    {"action": "status" | "certificate" | "retry_failed", "campaign_id": "..."}
    {"action": "close", "campaign_id": "...", "force": false}
    {"action": "tick"}  (or the scheduled event EventBridge sends)
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from activecare.campaign.errors import BadInput, CampaignError
from activecare.campaign.models import ACTIONS, Action
from activecare.campaign.service import CampaignService
from activecare.wiring import runtime

logger = Logger()


def parse_event(event: object) -> tuple[Action, dict[str, Any]]:
    """(action, arguments); the EventBridge scheduled event means tick. Anything else: BadInput."""
    if not isinstance(event, dict):
        raise BadInput(f"campaign event must be a JSON object, got {type(event).__name__}")
    if event.get("source") == "aws.events" or event.get("detail-type") == "Scheduled Event":
        return "tick", {}
    args = dict(event)
    action = args.pop("action", None)
    if action not in ACTIONS:
        raise BadInput(f"action must be one of {', '.join(ACTIONS)} (got {action!r})")
    if action not in ("draw", "tick"):
        cid = args.get("campaign_id")
        if not isinstance(cid, str) or not cid:
            raise BadInput(f"{action} needs a campaign_id")
    return action, args


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        action, args = parse_event(event)
        logger.append_keys(action=action, campaign_id=args.get("campaign_id"))
        service: CampaignService = runtime().campaign()
        result = service.perform(action, args).model_dump(mode="json")
    except CampaignError as exc:
        logger.info("campaign request refused", extra={"error": exc.code})
        return {"ok": False, **exc.as_dict()}
    summary = {k: result[k] for k in ("status", "winners", "entrants_count") if isinstance(result.get(k), str | int)}
    logger.info("campaign action done", extra=summary)
    return {"ok": True, **result}
