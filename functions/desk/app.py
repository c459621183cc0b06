"""Desk API Lambda: API Gateway HTTP API (Cognito JWT authorizer) -> DeskService, and the web desk's static
files. Thin: the caller is the verified token's username and groups (API Gateway checked signature, issuer,
audience and expiry before the handler runs); requests and responses are typed models that Powertools
validates (`enable_validation`) and documents (GET /openapi.json); every refusal is the one error model.

    GET  /inquiries?status=&topic=&account=&min_age_minutes=&order=age|priority&limit=&cursor=
    GET  /inquiries/{id}                    history first, then the tweet, context, conversation
    POST /inquiries/{id}/claim | release
    POST /inquiries/{id}/reply              {"text", "client_token", "override_hours"?}
    POST /inquiries/{id}/confirm            {"client_token"}  (a reply sent by hand)
    POST /inquiries/{id}/resolve            {"outcome": answered|email_form|no_reply_needed}
    POST /inquiries/{id}/reopen             {"reason"?}
    POST /inquiries/{id}/reassign           {"to"}  (supervisors)
    POST /inquiries/{id}/do-not-contact/lift {"reason"}  (supervisors: the author's opt-out or block record)
    POST /queue/next                        {"topic"?, "account"?}: claim the most urgent one
    GET  /inquiries/{id}/templates, GET /templates?topic=, GET /figures?day=YYYY-MM-DD, GET /me
    GET  /campaigns/{id}/winners            hand mode: the winners to DM by hand, their state and DM link
    POST /campaigns/{id}/winners/{user_id}/confirm   sent by hand: counts once the account's DM events show it
    GET  /approvals; POST /inquiries/{id}/approve {"client_token", "text"?} | reject {"client_token", "reason"}
                                            (supervisors: trainees' held replies)
    GET  /qa/standards, /qa/reviews?day= (supervisors), /qa/reviews/{tweet id}, /qa/feedback, /qa/figures?day=
    POST /qa/reviews/{tweet id} {"scores", "comment", "version"} (supervisors) ; /qa/feedback/{tweet id}/ack {"version"}
    POST /qa/cases/{id} {"kind": good|bad, "note"}; GET /qa/cases, /qa/cases/pack?format=html|csv (supervisors)
    GET  /qa/weekly?weeks=4&day=           the weekly team report (supervisors)
    GET  /incidents, GET /incidents/{id}    the outage radar's incidents (the banner), the inquiries one groups
    POST /incidents {"topic","places"} | /incidents/{id}/confirm   (supervisors: declare, confirm -> status post)
    POST /incidents/{id}/answer             {"inquiry_id","action": reply|covered,"client_token","text"?}
    GET  /, /desk/..., /openapi.json        no authorizer: the web desk's files and the API's document
    GET  /inquiries/{id}/mail, POST .../mail/answer | mail/callback | mail/resolve, GET /mail/triage,
    GET  /mail/figures                      the e-mail form's case (issue #19; see the block below)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger, single_metric
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from activecare.campaign.models import HandList, HandWinner
from activecare.desk.models import (
    AGENT_PATTERN,
    CLIENT_TOKEN_PATTERN,
    Actor,
    Claim,
    DoNotContactLifted,
    Figures,
    HeldList,
    InquiryPage,
    InquiryView,
    Me,
    NextClaim,
    Order,
    Outcome,
    Reassigned,
    Released,
    Reopened,
    ReplyResult,
    Resolved,
    SlaBreach,
    Status,
    TemplateList,
)
from activecare.desk.service import DeskService
from activecare.errors import AppError, BadRequest, Refused
from activecare.mailform.models import (
    ANSWER_MAX,
    MEMO_MAX,
    AnswerResult,
    CallbackResult,
    CallResult,
    MailCaseView,
    MailFigures,
    TriageList,
)
from activecare.mailform.service import MailformService
from activecare.outage.models import GroupedInquiry, IncidentDetail, IncidentList, IncidentResult
from activecare.outage.service import CrisisDesk, describe
from activecare.qa.models import (
    CaseList,
    CaseView,
    FeedbackList,
    QaFigures,
    ReviewQueue,
    ReviewView,
    StandardsView,
    WeeklyReport,
)
from activecare.qa.service import QaService
from activecare.staff.identity import caller
from activecare.wiring import runtime
from desk import campaigns, web

logger = Logger()
METRICS_NAMESPACE = "activecare"
app = APIGatewayHttpResolver(enable_validation=True)

MAX_TEXT_CHARS = 1000  # far above 280 weighted: the service explains the real limit
_NAME = r"^[A-Za-z0-9_-]{1,40}$"  # topics and account keys
_CURSOR = r"^[A-Za-z0-9_=-]{1,800}$"  # what a list returned: base64url or an offset


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReplyBody(_Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    client_token: str = Field(pattern=CLIENT_TOKEN_PATTERN)
    override_hours: bool = False


class ConfirmBody(_Body):
    client_token: str = Field(pattern=CLIENT_TOKEN_PATTERN)


class ResolveBody(_Body):
    outcome: Outcome


class ReopenBody(_Body):
    reason: str = Field(default="", max_length=200)


class LiftBody(_Body):
    reason: str = Field(min_length=1, max_length=200)


class NextBody(_Body):
    topic: str | None = Field(default=None, pattern=_NAME)
    account: str | None = Field(default=None, pattern=_NAME)


class ReassignBody(_Body):
    to: str = Field(pattern=AGENT_PATTERN)


def actor_from_event(event: dict[str, Any]) -> Actor:
    """The caller as the JWT authorizer verified them: the access token's username and groups (401 without)."""
    staff = caller(event)
    return Actor(staff.username, frozenset(staff.groups))


def _actor() -> Actor:
    return actor_from_event(app.current_event.raw_event)


def _desk() -> DeskService:
    return runtime().desk(on_sla_breach=sla_breach_metric)


def sla_breach_metric(breach: SlaBreach) -> None:
    """A response-time target missed (once per inquiry): `SlaBreaches` (template.yaml's SlaBreachesAlarm) and, to
    graph them, `SlaBreachesByKind` (direct | search). Never a tweet, a name or a text: the kind only."""
    for name, dimension, value in (("SlaBreaches", "service", "desk"), ("SlaBreachesByKind", "kind", breach.kind)):
        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=METRICS_NAMESPACE) as metric:
            metric.add_dimension(name=dimension, value=value)


Id = Annotated[str, Field(max_length=40)]


@app.get("/me")
def me() -> Me:
    return _desk().me(_actor())


@app.get("/inquiries")
def list_inquiries(
    status: Annotated[Status, Query()] = "new",
    topic: Annotated[str | None, Query(pattern=_NAME)] = None,
    account: Annotated[str | None, Query(pattern=_NAME)] = None,
    min_age_minutes: Annotated[int | None, Query(ge=0, le=10080)] = None,
    order: Annotated[Order, Query()] = "age",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(pattern=_CURSOR)] = None,
) -> InquiryPage:
    _actor()
    return _desk().list(status=status, topic=topic, account=account, min_age_minutes=min_age_minutes, limit=limit,
                        cursor=cursor, order=order)


@app.get("/inquiries/<inquiry_id>")
def show(inquiry_id: str) -> InquiryView:
    _actor()
    return _desk().show(inquiry_id)


@app.get("/inquiries/<inquiry_id>/templates")
def inquiry_templates(inquiry_id: str) -> TemplateList:
    _actor()
    return _desk().templates_for(inquiry_id=inquiry_id)


@app.post("/inquiries/<inquiry_id>/claim")
def claim(inquiry_id: str) -> Claim:
    return _desk().claim(inquiry_id, _actor())


@app.post("/inquiries/<inquiry_id>/release")
def release(inquiry_id: str) -> Released:
    return _desk().release(inquiry_id, _actor())


@app.post("/inquiries/<inquiry_id>/reply",
          responses={201: {"description": "posted"}, 200: {"description": "replayed: posted before"},
                     202: {"description": "prepared: send intent_url by hand, then confirm; or held: a trainee's "
                                          "reply waiting for a supervisor's approval"}})
def reply(inquiry_id: str, body: Annotated[ReplyBody, Body()]) -> Response[ReplyResult]:
    result = _desk().reply(inquiry_id, _actor(), body.text, body.client_token, override_hours=body.override_hours)
    status = 202 if result.status in ("prepared", "held") else (200 if result.replayed else 201)
    return Response(status, content_types.APPLICATION_JSON, result)


@app.post("/inquiries/<inquiry_id>/confirm")
def confirm(inquiry_id: str, body: Annotated[ConfirmBody, Body()]) -> ReplyResult:
    return _desk().confirm(inquiry_id, _actor(), body.client_token)


@app.post("/inquiries/<inquiry_id>/resolve")
def resolve(inquiry_id: str, body: Annotated[ResolveBody, Body()]) -> Resolved:
    return _desk().resolve(inquiry_id, _actor(), body.outcome)


@app.post("/inquiries/<inquiry_id>/reopen")
def reopen(inquiry_id: str, body: Annotated[ReopenBody, Body()]) -> Reopened:
    return _desk().reopen(inquiry_id, _actor(), body.reason)


@app.post("/inquiries/<inquiry_id>/reassign")
def reassign(inquiry_id: str, body: Annotated[ReassignBody, Body()]) -> Reassigned:
    return _desk().reassign(inquiry_id, _actor(), body.to)


@app.post("/inquiries/<inquiry_id>/do-not-contact/lift")
def lift_do_not_contact(inquiry_id: str, body: Annotated[LiftBody, Body()]) -> DoNotContactLifted:
    return _desk().lift_do_not_contact(inquiry_id, _actor(), body.reason)


@app.post("/queue/next")
def claim_next(body: Annotated[NextBody, Body()]) -> NextClaim:
    return _desk().claim_next(_actor(), topic=body.topic, account=body.account)


@app.get("/templates")
def templates(topic: Annotated[str | None, Query(pattern=_NAME)] = None) -> TemplateList:
    _actor()
    return _desk().templates_for(topic=topic)


@app.get("/figures")
def figures(day: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] = None) -> Figures:
    return _desk().figures(day, _actor())


# --- the e-mail form's case (issue #19): the submission, e-mail answers, call-backs, the triage list ---------


class MailAnswerBody(_Body):
    text: str = Field(min_length=1, max_length=ANSWER_MAX)
    client_token: str = Field(pattern=CLIENT_TOKEN_PATTERN)


class CallbackBody(_Body):
    call_at: str = Field(min_length=10, max_length=40)
    result: CallResult
    memo: str = Field(default="", max_length=MEMO_MAX)
    client_token: str = Field(pattern=CLIENT_TOKEN_PATTERN)


def _mail() -> MailformService:
    return runtime().mailform()


@app.get("/inquiries/<inquiry_id>/mail")
def mail_case(inquiry_id: str) -> MailCaseView:
    """The case with the customer's form and e-mails decrypted (staff only; the read is recorded)."""
    actor = _actor()
    return _mail().case(inquiry_id, actor.name, actor.roles)


@app.post("/inquiries/<inquiry_id>/mail/answer",
          responses={201: {"description": "sent"}, 200: {"description": "replayed: sent before"},
                     202: {"description": "in doubt: SES may have sent it; never sent again by a retry"}})
def mail_answer(inquiry_id: str, body: Annotated[MailAnswerBody, Body()]) -> Response[AnswerResult]:
    actor = _actor()
    result = _mail().answer(inquiry_id, actor.name, actor.roles, body.text, body.client_token)
    status = 202 if result.status == "in_doubt" else (200 if result.replayed else 201)
    return Response(status, content_types.APPLICATION_JSON, result)


@app.post("/inquiries/<inquiry_id>/mail/callback")
def mail_callback(inquiry_id: str, body: Annotated[CallbackBody, Body()]) -> CallbackResult:
    actor = _actor()
    return _mail().callback(inquiry_id, actor.name, actor.roles, body.call_at, body.result, body.memo,
                            body.client_token)


@app.post("/inquiries/<inquiry_id>/mail/resolve")
def mail_resolve(inquiry_id: str) -> Resolved:
    """Resolve the inquiry as answered by e-mail (counted as resolved by e-mail once an answer went out)."""
    actor = _actor()
    resolved = _desk().resolve(inquiry_id, actor, "answered")
    _mail().resolved_by_email(inquiry_id)
    return resolved


@app.get("/mail/triage")
def mail_triage() -> TriageList:
    return _mail().triage_list(_actor().roles)


@app.get("/mail/figures")
def mail_figures(day: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] = None) -> MailFigures:
    _actor()
    return _mail().figures(day)
# --- campaigns: winners notified by hand (the campaign function checks the DM events) ---------------------

_CAMPAIGN = r"^[A-Za-z0-9_-]{1,64}$"


def _campaign_id(campaign_id: str) -> str:
    import re

    if not re.fullmatch(_CAMPAIGN, campaign_id):
        raise BadRequest("campaign id: letters, digits, - and _ (at most 64)", code="bad_input")
    return campaign_id


@app.get("/campaigns/<campaign_id>/winners")
def campaign_winners(campaign_id: str) -> HandList:
    actor = _actor()
    return campaigns.winners(_campaign_id(campaign_id), actor.roles)


@app.post("/campaigns/<campaign_id>/winners/<user_id>/confirm")
def campaign_confirm(campaign_id: str, user_id: str) -> HandWinner:
    actor = _actor()
    if not user_id.isdigit() or len(user_id) > 19:
        raise BadRequest("user id: digits only", code="bad_input")
    return campaigns.confirm(_campaign_id(campaign_id), user_id, actor.name, actor.roles)


# --- trainees' replies: held for a supervisor's approval (DeskService.approve / reject) ---------------------


class ApproveBody(_Body):
    client_token: str = Field(pattern=CLIENT_TOKEN_PATTERN)
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)  # the supervisor's edit, if any
    override_hours: bool = False


class RejectBody(_Body):
    client_token: str = Field(pattern=CLIENT_TOKEN_PATTERN)
    reason: str = Field(min_length=1, max_length=200)


@app.get("/approvals")
def approvals() -> HeldList:
    return _desk().held_replies(_actor())


@app.post("/inquiries/<inquiry_id>/approve",
          responses={201: {"description": "posted"}, 200: {"description": "replayed: posted before"},
                     202: {"description": "prepared: send intent_url by hand, then confirm"}})
def approve(inquiry_id: str, body: Annotated[ApproveBody, Body()]) -> Response[ReplyResult]:
    result = _desk().approve(inquiry_id, _actor(), body.client_token, body.text, override_hours=body.override_hours)
    status = 202 if result.status == "prepared" else (200 if result.replayed else 201)
    return Response(status, content_types.APPLICATION_JSON, result)


@app.post("/inquiries/<inquiry_id>/reject")
def reject(inquiry_id: str, body: Annotated[RejectBody, Body()]) -> ReplyResult:
    return _desk().reject(inquiry_id, _actor(), body.client_token, body.reason)


# --- QA (issue 17): skill standards, the review queue, reviews, the agents' feedback (activecare.qa) ----------


def _qa() -> QaService:
    return runtime().qa()


class ReviewBody(_Body):
    scores: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")], Annotated[int, Field(ge=0, le=10)]] = \
        Field(max_length=40)
    comment: str = Field(default="", max_length=1000)
    version: int = Field(default=0, ge=0)  # the version revised (0: a new review)


class AckBody(_Body):
    version: int = Field(ge=1)


@app.get("/qa/standards")
def qa_standards() -> StandardsView:
    _actor()
    return _qa().standards_view()


@app.get("/qa/reviews")
def qa_queue(day: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] = None,
             open_only: Annotated[bool, Query()] = False) -> ReviewQueue:
    return _qa().queue(_actor(), day, only_open=open_only)


@app.get("/qa/reviews/<tweet_id>")
def qa_review(tweet_id: str) -> ReviewView:
    return _qa().get_review(_actor(), tweet_id)


@app.post("/qa/reviews/<tweet_id>", responses={201: {"description": "a new review or a revision (version + 1)"}})
def qa_save_review(tweet_id: str, body: Annotated[ReviewBody, Body()]) -> Response[ReviewView]:
    saved = _qa().review(_actor(), tweet_id, dict(body.scores), body.comment, body.version)
    return Response(201, content_types.APPLICATION_JSON, saved)


@app.get("/qa/feedback")
def qa_feedback() -> FeedbackList:
    return _qa().feedback(_actor())


@app.post("/qa/feedback/<tweet_id>/ack")
def qa_ack(tweet_id: str, body: Annotated[AckBody, Body()]) -> ReviewView:
    return _qa().acknowledge(_actor(), tweet_id, body.version)


class CaseBody(_Body):
    kind: Literal["good", "bad"]
    note: str = Field(min_length=1, max_length=1000)


@app.post("/qa/cases/<inquiry_id>")
def qa_mark_case(inquiry_id: str, body: Annotated[CaseBody, Body()]) -> CaseView:
    return _qa().mark_case(_actor(), inquiry_id, body.kind, body.note)


@app.get("/qa/cases")
def qa_cases() -> CaseList:
    return _qa().case_library(_actor())


@app.get("/qa/cases/pack")
def qa_training_pack(form: Annotated[Literal["csv", "html"], Query(alias="format")] = "html") -> Response[str]:
    """The case library as a training pack (usernames and personal data masked)."""
    body = _qa().training_pack(_actor(), form)
    kind = "text/csv; charset=utf-8" if form == "csv" else "text/html; charset=utf-8"
    return Response(200, kind, body, headers={"Content-Disposition": f'attachment; filename="cases.{form}"',
                                              "X-Content-Type-Options": "nosniff"})


@app.get("/qa/weekly")
def qa_weekly(weeks: Annotated[int, Query(ge=1, le=12)] = 4,
              day: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] = None) -> WeeklyReport:
    return _qa().weekly(_actor(), weeks=weeks, day=day)


@app.get("/qa/figures")
def qa_figures(day: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] = None) -> QaFigures:
    actor = _actor()
    figures = _qa().figures(day)
    if actor.supervises:
        return figures
    return figures.model_copy(update={"agents": {k: v for k, v in figures.agents.items() if k == actor.name}})


# --- outage radar and crisis mode (activecare/outage): the banner, incidents, grouped answers -------------


class DeclareBody(_Body):
    topic: str = Field(pattern=r"^[a-z_]{1,30}$")
    places: list[Annotated[str, Field(pattern=r"^[a-z_]{1,30}$")]] = Field(default_factory=list, max_length=20)


class GroupAnswerBody(_Body):
    inquiry_id: str = Field(pattern=r"^[0-9]{1,20}$")
    action: Literal["reply", "covered"]
    client_token: str = Field(pattern=CLIENT_TOKEN_PATTERN)
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)


def _crisis() -> CrisisDesk:
    return runtime().crisis()


def _groups() -> list[str]:
    return sorted(_actor().roles)


@app.get("/incidents")
def incidents() -> IncidentList:
    """Open and recent incidents, newest first (the desk's banner shows the open ones)."""
    _actor()
    return _crisis().incidents()


@app.get("/incidents/<incident_id>")
def incident(incident_id: str) -> IncidentDetail:
    """One incident with the new inquiries it groups and the prepared answer."""
    _actor()
    crisis = _crisis()
    inc = crisis.get(incident_id)
    grouped = []
    page = _desk().list(status="new", limit=100)
    for item in page.items:
        if crisis.in_group(inc, item.topic, item.text, item.created_at):
            grouped.append(GroupedInquiry.model_validate(
                {**item.model_dump(), "prepared_reply": crisis.group_reply(inc, item.author_username)}))
    return IncidentDetail(incident=describe(inc), inquiries=grouped,
                          answered={a.inquiry_id: a.action for a in inc.answers})


@app.post("/incidents", responses={201: {"description": "declared (and its first status post made)"}})
def declare_incident(body: Annotated[DeclareBody, Body()]) -> Response[IncidentResult]:
    inc = _crisis().declare(user=_actor().name, groups=_groups(), topic=body.topic, places=body.places)
    return Response(201, content_types.APPLICATION_JSON, IncidentResult(incident=describe(inc)))


@app.post("/incidents/<incident_id>/confirm")
def confirm_incident(incident_id: str) -> IncidentResult:
    actor = _actor()
    return IncidentResult(incident=describe(_crisis().confirm(incident_id, user=actor.name,
                                                              groups=sorted(actor.roles))))


class IncidentAnswer(BaseModel):
    """A grouped inquiry answered: `resolved` (covered by the status post) or `reply` (the desk's reply result).
    Here and not in activecare/outage: it holds the desk's results (features do not import each other)."""

    resolved: Resolved | None = None
    reply: ReplyResult | None = None


@app.post("/incidents/<incident_id>/answer",
          responses={201: {"description": "replied through the API"}, 200: {"description": "covered, or replayed"},
                     202: {"description": "prepared: send intent_url by hand"}})
def answer_in_incident(incident_id: str, body: Annotated[GroupAnswerBody, Body()]) -> Response[IncidentAnswer]:
    """Answer one grouped inquiry: the prepared reply through the desk's own reply (one reply per tweet, the API
    only where the customer mentioned us, an intent link otherwise), or resolve it as covered by the status post.
    A 429 post_window_full when the inquiry's account made 100 posts in the last 15 minutes."""
    actor = _actor()
    crisis, desk = _crisis(), _desk()
    inc = crisis.get(incident_id)
    view = desk.show(body.inquiry_id).inquiry
    if not crisis.in_group(inc, view.topic, view.text, view.created_at):
        raise Refused("この問い合わせはインシデントに含まれません", code="not_in_incident")
    if body.action == "covered":
        resolved = desk.resolve(body.inquiry_id, actor, "no_reply_needed")
        crisis.record_answer(incident_id, inquiry_id=body.inquiry_id, action="covered", how="status_post",
                             user=actor.name, groups=sorted(actor.roles))
        return Response(200, content_types.APPLICATION_JSON, IncidentAnswer(resolved=resolved))
    crisis.check_rate(inc, account=view.account)
    result = desk.reply(body.inquiry_id, actor, body.text or crisis.group_reply(inc, view.author_username),
                        body.client_token)
    crisis.record_answer(incident_id, inquiry_id=body.inquiry_id, action="replied",
                         how="api" if result.mode == "api" else "intent", user=actor.name, groups=sorted(actor.roles))
    status = 202 if result.status == "prepared" else (200 if result.replayed else 201)
    return Response(status, content_types.APPLICATION_JSON, IncidentAnswer(reply=result))


# --- no authorizer: the web desk's files and this API's document ------------------------------------------


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, openapi_json())


@app.get("/", include_in_schema=False)
def root() -> Response[str]:
    return Response(302, content_types.TEXT_PLAIN, "", headers={"Location": "/desk"})


@app.get("/desk", include_in_schema=False)
def desk_page() -> Response[bytes]:
    """The desk itself (also at /desk/ and /desk/callback: one page; its assets have absolute paths)."""
    return web.file_response("index.html", app.current_event.headers)


@app.get("/desk/", include_in_schema=False)
def desk_index() -> Response[bytes]:
    return web.file_response("index.html", app.current_event.headers)


@app.get("/desk/config.json", include_in_schema=False)
def desk_config() -> Response[str]:
    return web.config_response(runtime().settings)


@app.get("/desk/<name>", include_in_schema=False)
def desk_file(name: str) -> Response[bytes]:
    return web.file_response(name, app.current_event.headers)


@app.get("/desk/<folder>/<name>", include_in_schema=False)
def desk_folder_file(folder: str, name: str) -> Response[bytes]:
    return web.file_response(f"{folder}/{name}", app.current_event.headers)


def openapi_json() -> str:
    """The desk API's OpenAPI document (docs/openapi.json is this, checked by a test)."""
    return app.get_openapi_json_schema(title="activecare desk API", version="1.0.0",
                                       summary="The agent desk: queue, inquiries history first, replies, figures")


@app.exception_handler(AppError)
def desk_error(exc: AppError) -> Response[dict[str, Any]]:
    logger.info("desk request refused", extra={"code": exc.code, "status": exc.status})
    return Response(exc.status, content_types.APPLICATION_JSON, exc.as_dict())


@app.exception_handler(RequestValidationError)
def invalid_request(exc: RequestValidationError) -> Response[dict[str, Any]]:
    """A malformed body or query parameter: 400 in the one error model (never a 500, never the input echoed)."""
    errors = exc.errors()
    reasons = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg', 'invalid')}"
                        for e in errors)
    first = tuple(errors[0].get("loc", ())) if errors else ()
    code = f"bad_{first[1]}" if len(first) > 1 and first[0] == "query" else "malformed_body"
    return desk_error(BadRequest(f"malformed request: {reasons}", code=code))


@app.not_found
def not_found(exc: NotFoundError) -> Response[dict[str, Any]]:
    return Response(404, content_types.APPLICATION_JSON,
                    {"error": f"no route {app.current_event.http_method} {app.current_event.path}",
                     "code": "no_route", "status": 404})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
