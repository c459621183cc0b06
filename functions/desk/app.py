"""Desk API Lambda: API Gateway HTTP API (IAM-authorised) -> DeskService. Thin: identify the
agent from the IAM authorizer, validate the body, call the domain, map errors to 4xx.

    GET  /inquiries?status=&topic=&account=&min_age_minutes=&order=age|priority&limit=&cursor=
    GET  /inquiries/{id}                    history first, then the tweet, context, conversation
    POST /inquiries/{id}/claim | release
    POST /inquiries/{id}/reply              {"text", "client_token", "override_hours"?}
    POST /inquiries/{id}/confirm            {"client_token"}  (a reply sent by hand)
    POST /inquiries/{id}/resolve            {"outcome": answered|email_form|no_reply_needed}
    POST /inquiries/{id}/reopen             {"reason"?}
    POST /queue/next                        {"topic"?, "account"?}: claim the most urgent one
    GET  /inquiries/{id}/templates, GET /templates?topic=, GET /figures?day=YYYY-MM-DD
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from activecare.desk.errors import DeskError
from activecare.desk.service import DeskService
from activecare.wiring import runtime

logger = Logger()
app = APIGatewayHttpResolver()

MAX_TEXT_CHARS = 1000  # far above 280 weighted: the service explains the real limit


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReplyBody(_Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    client_token: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    override_hours: bool = False


class ConfirmBody(_Body):
    client_token: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class ResolveBody(_Body):
    outcome: Literal["answered", "email_form", "no_reply_needed"]


class ReopenBody(_Body):
    reason: str = Field(default="", max_length=200)


class NextBody(_Body):
    topic: str | None = None
    account: str | None = None


class Forbidden(DeskError):
    status = 403
    code = "forbidden"


def agent_from_event(event: dict[str, Any]) -> str:
    """The caller as IAM authenticated them: the last part of the user / assumed-role ARN."""
    iam = ((event.get("requestContext") or {}).get("authorizer") or {}).get("iam") or {}
    arn = iam.get("userArn") or ""
    if not arn:
        raise Forbidden("no IAM identity on the request; the desk API needs staff credentials (SigV4)")
    return arn.rsplit("/", 1)[-1] if "/" in arn else arn.rsplit(":", 1)[-1]


def _agent() -> str:
    return agent_from_event(app.current_event.raw_event)


def _desk() -> DeskService:
    return runtime().desk()


def _body(model: type[_Body]) -> Any:
    raw = app.current_event.body
    try:
        return model.model_validate_json(raw or "{}")
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
                            for e in exc.errors(include_input=False, include_url=False))
        raise DeskError(f"malformed body: {reasons}", code="malformed_body") from None


def _query(name: str) -> str | None:
    value = app.current_event.get_query_string_value(name)
    return value or None


def _int_query(name: str) -> int | None:
    value = _query(name)
    if value is None:
        return None
    if not value.isdigit():
        raise DeskError(f"{name} must be a non-negative integer", code=f"bad_{name}")
    return int(value)


@app.get("/inquiries")
def list_inquiries() -> dict[str, Any]:
    _agent()
    return _desk().list(status=_query("status") or "new", topic=_query("topic"), account=_query("account"),
                        min_age_minutes=_int_query("min_age_minutes"), limit=_int_query("limit") or 20,
                        cursor=_query("cursor"), order=_query("order") or "age")


@app.get("/inquiries/<inquiry_id>")
def show(inquiry_id: str) -> dict[str, Any]:
    _agent()
    return _desk().show(inquiry_id)


@app.get("/inquiries/<inquiry_id>/templates")
def inquiry_templates(inquiry_id: str) -> dict[str, Any]:
    _agent()
    return _desk().templates_for(inquiry_id=inquiry_id)


@app.post("/inquiries/<inquiry_id>/claim")
def claim(inquiry_id: str) -> dict[str, Any]:
    return _desk().claim(inquiry_id, _agent())


@app.post("/inquiries/<inquiry_id>/release")
def release(inquiry_id: str) -> dict[str, Any]:
    return _desk().release(inquiry_id, _agent())


@app.post("/inquiries/<inquiry_id>/reply")
def reply(inquiry_id: str) -> Response:
    agent = _agent()
    body: ReplyBody = _body(ReplyBody)
    result = _desk().reply(inquiry_id, agent, body.text, body.client_token, override_hours=body.override_hours)
    status = 202 if result["status"] == "prepared" else (200 if result["replayed"] else 201)
    return Response(status, content_types.APPLICATION_JSON, result)


@app.post("/inquiries/<inquiry_id>/confirm")
def confirm(inquiry_id: str) -> dict[str, Any]:
    agent = _agent()
    body: ConfirmBody = _body(ConfirmBody)
    return _desk().confirm(inquiry_id, agent, body.client_token)


@app.post("/inquiries/<inquiry_id>/resolve")
def resolve(inquiry_id: str) -> dict[str, Any]:
    agent = _agent()
    body: ResolveBody = _body(ResolveBody)
    return _desk().resolve(inquiry_id, agent, body.outcome)


@app.post("/inquiries/<inquiry_id>/reopen")
def reopen(inquiry_id: str) -> dict[str, Any]:
    agent = _agent()
    body: ReopenBody = _body(ReopenBody)
    return _desk().reopen(inquiry_id, agent, body.reason)


@app.post("/queue/next")
def claim_next() -> dict[str, Any]:
    agent = _agent()
    body: NextBody = _body(NextBody)
    return _desk().claim_next(agent, topic=body.topic, account=body.account)


@app.get("/templates")
def templates() -> dict[str, Any]:
    _agent()
    return _desk().templates_for(topic=_query("topic"))


@app.get("/figures")
def figures() -> dict[str, Any]:
    _agent()
    return _desk().figures(_query("day"))


@app.exception_handler(DeskError)
def desk_error(exc: DeskError) -> Response:
    logger.info("desk request refused", extra={"code": exc.code, "status": exc.status})
    return Response(exc.status, content_types.APPLICATION_JSON, exc.as_dict())


@app.not_found
def not_found(exc: NotFoundError) -> Response:
    return Response(404, content_types.APPLICATION_JSON,
                    {"error": f"no route {app.current_event.http_method} {app.current_event.path}",
                     "code": "no_route"})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
