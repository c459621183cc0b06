"""The desk's campaign page asks the campaign function, which alone holds the DM-capable credentials that read
the account's DM events (template.yaml: the desk may only invoke it). With no CAMPAIGN_FUNCTION_NAME (the local
stack, tests) the same operation runs in this process on the campaign service."""

from __future__ import annotations

import json
from typing import Any

from activecare.campaign.models import HandList, HandWinner
from activecare.errors import AppError, Unavailable


def _run(event: dict[str, Any]) -> dict[str, Any]:
    from activecare.wiring import runtime

    function = runtime().settings.campaign_function_name
    if not function:
        action = event.pop("action")
        return runtime().campaign().perform(action, event).model_dump(mode="json")
    import boto3
    from botocore.config import Config

    config = Config(read_timeout=25, retries={"total_max_attempts": 1})  # within the desk's 29 s
    resp = boto3.client("lambda", config=config).invoke(FunctionName=function, InvocationType="RequestResponse",
                                         Payload=json.dumps(event, ensure_ascii=False).encode("utf-8"))
    try:
        result = json.loads(resp["Payload"].read())
    except ValueError:
        result = None
    if resp.get("FunctionError") or not isinstance(result, dict):
        raise Unavailable("the campaign function failed; try again")
    if result.pop("ok", None) is False:
        raise AppError(str(result.get("error", "refused")), code=str(result.get("code", "refused")),
                       status=int(result.get("status", 409)))
    return result


def winners(campaign_id: str, groups: frozenset[str]) -> HandList:
    return HandList.model_validate(_run({"action": "hand_list", "campaign_id": campaign_id, "groups": sorted(groups)}))


def confirm(campaign_id: str, user_id: str, by: str, groups: frozenset[str]) -> HandWinner:
    return HandWinner.model_validate(_run({"action": "hand_confirm", "campaign_id": campaign_id, "user_id": user_id,
                                           "by": by, "groups": sorted(groups)}))
