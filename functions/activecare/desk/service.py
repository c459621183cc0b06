"""DeskService: the agent desk's operations, with every rule in one place.

Who acts is an `Actor` (a verified identity's name and roles, never a name the caller typed). Agents claim,
reply, resolve and release what they hold; supervisors (and admins) also reassign, reopen what others hold,
reply outside service hours, see every agent's figures and lift a do-not-contact record.

Do-not-contact (X's rule: honour opt-outs immediately): an author who answered us 「返信不要」 (recorded by the
worker) or blocked us (recorded when X refuses our reply for it) gets no reply from the desk - unless they engage
again after the record: a new direct mention of us, or an answer to our reply, posted after the opt-out.

Replies are idempotent with a client token that survives a crash between posting and
recording: the token is reserved (conditional put, status pending) *before* posting; after
posting the tweet id is stored (posted) and the reply is recorded on the inquiry. A retry
with a pending token first looks for the reply on the account's timeline, and posts only
if it is not there - and only after the claim, resolved and service-hours checks pass again
(the claim may have been lost and the inquiry resolved by another agent since). A token
reused for another text or inquiry is a conflict.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NoReturn, cast

from aws_lambda_powertools import Logger

from activecare.clock import Clock, month_of
from activecare.desk.context import AuthorContext
from activecare.desk.errors import BadRequest, Conflict, Forbidden, NotFound, Refused, Unavailable
from activecare.desk.figures import day_figures
from activecare.desk.models import (
    AGENT_PATTERN,
    ANSWERED_OUTCOMES,
    CLIENT_TOKEN_PATTERN,
    ORDERS,
    OUTCOMES,
    STATUSES,
    Actor,
    Claim,
    Context,
    ContextPost,
    DeskInquiry,
    DoNotContact,
    DoNotContactLifted,
    Event,
    EventView,
    Figures,
    HeldList,
    HeldReply,
    History,
    InquiryDetail,
    InquiryPage,
    InquirySummary,
    InquiryView,
    ListQuery,
    Me,
    MessageView,
    Msg,
    NextClaim,
    OurReply,
    Outcome,
    PastInquiry,
    PostedReply,
    PostView,
    Reassigned,
    Released,
    Reopened,
    ReplyPlan,
    ReplyResult,
    Reservation,
    Resolved,
    SlaBreach,
    TemplateList,
    TemplateRef,
    TemplateView,
    TweetView,
)
from activecare.desk.policy import KIND_LABELS, api_may_reply, intent_url, personal_data
from activecare.desk.ports import (
    BreachHook,
    DoNotContactStore,
    FormLinks,
    GoneTweets,
    InquiryRepo,
    PosterFor,
    QueryVerdicts,
    ReplyHook,
    ReservationStore,
    Tally,
)
from activecare.desk.templates import ReplyTemplate, TemplateBook, default_templates
from activecare.hours import in_service_hours, jst_date
from activecare.settings import Settings
from activecare.sla import DEFAULT_TARGETS, SlaState, SlaTargets, sla_state
from activecare.sla import kind as sla_kind
from activecare.twitter.port import (
    REPLY_TARGET_GONE,
    DuplicateContent,
    RateLimited,
    ResourceGone,
    TwitterPort,
    TwitterRejected,
    TwitterUnavailable,
)
from activecare.twitter.reconcile import find_own_post
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, has_url, weighted_length

CLAIM_TTL = timedelta(minutes=15)
DUPLICATE_WINDOW = timedelta(hours=24)  # X refuses a text the account posted within this window
PRIORITY_SCAN = 1000  # new inquiries read to order the queue by priority
_TOKEN_RE = re.compile(CLIENT_TOKEN_PATTERN)
_AGENT_RE = re.compile(AGENT_PATTERN)
_REPLY_RULE = "not allowed because you have not been mentioned"
_BLOCKED = "blocked"  # X's 403 to a reply to someone who blocked the account ("You have been blocked from ...")
LIFT_REASON_MAX = 200

logger = Logger(child=True)


def _text_hash(inquiry_id: str, text: str) -> str:
    return hashlib.sha256(f"{inquiry_id}\n{unicodedata.normalize('NFC', text)}".encode()).hexdigest()


def check_agent(agent: str) -> str:
    if not agent or not _AGENT_RE.match(agent):
        raise BadRequest("agent must be 1-64 characters of letters, digits and _+=,.@-", code="bad_agent")
    return agent


def as_actor(who: Actor | str) -> Actor:
    """An Actor; a bare name is an agent without supervisor rights (the simulation and unit tests)."""
    actor = who if isinstance(who, Actor) else Actor(who)
    check_agent(actor.name)
    return actor


InquiryList = list[DeskInquiry]  # (inside the class, `list` is the method)


class DeskService:
    def __init__(self, *, settings: Settings, inquiries: InquiryRepo, reservations: ReservationStore,
                 tally: Tally, reader: TwitterPort, poster_for: PosterFor, clock: Clock,
                 templates: TemplateBook | None = None, claim_ttl: timedelta = CLAIM_TTL,
                 do_not_contact: DoNotContactStore, form_links: FormLinks | None = None,
                 gone: GoneTweets | None = None, on_reply: ReplyHook | None = None,
                 on_sla_breach: BreachHook | None = None, sla_targets: SlaTargets = DEFAULT_TARGETS,
                 context: AuthorContext | None = None, verdicts: QueryVerdicts | None = None) -> None:
        self.settings = settings
        self.inquiries = inquiries
        self.reservations = reservations
        self.tally = tally
        self.reader = reader
        self.poster_for = poster_for
        self.clock = clock
        self.templates = templates or default_templates()
        self.claim_ttl = claim_ttl
        self.do_not_contact = do_not_contact
        self.form_links = form_links
        self.gone = gone  # the wiring always gives one; without it a refused reply is only refused
        self.on_reply = on_reply  # told of every recorded reply (replays too: idempotent), e.g. the QA feature
        self.on_sla_breach = on_sla_breach  # told once per inquiry whose response-time target was missed
        self.sla_targets = sla_targets
        # The author's tweets around an inquiry, read from X on its first open (cached per author and UTC day).
        self.context = context or AuthorContext(reader, clock)
        self.verdicts = verdicts  # the listening counters: the desk's verdict on what each search found (its yield)

    # --- reading -----------------------------------------------------------------------

    def me(self, who: Actor | str) -> Me:
        actor = as_actor(who)
        return Me(username=actor.name, roles=sorted(actor.roles), supervisor=actor.supervises)

    def list(self, *, status: str = "new", topic: str | None = None, account: str | None = None,
             min_age_minutes: int | None = None, limit: int = 20, cursor: str | None = None,
             order: str = "age") -> InquiryPage:
        """Inquiries in one status, oldest first (order="age") or by priority (order="priority":
        direct mentions, then returning customers, then age), one page at a time."""
        if status not in STATUSES:
            raise BadRequest(f"status must be one of {', '.join(STATUSES)}", code="bad_status")
        if not 1 <= limit <= 100:
            raise BadRequest("limit must be between 1 and 100", code="bad_limit")
        if order not in ORDERS:
            raise BadRequest("order must be 'age' or 'priority'", code="bad_order")
        if min_age_minutes is not None and not 0 <= min_age_minutes <= 7 * 24 * 60:
            raise BadRequest("min_age_minutes must be between 0 and 10080 (a week)", code="bad_min_age_minutes")
        now = self.clock()
        older = now - timedelta(minutes=min_age_minutes) if min_age_minutes else None
        if order == "age":
            rows, nxt = self.inquiries.page(ListQuery(status, topic, account, older, limit, cursor))
        else:
            start = _offset(cursor)
            ordered = self._by_priority(ListQuery(status, topic, account, older, 100))
            rows = ordered[start : start + limit]
            nxt = str(start + limit) if start + limit < len(ordered) else None
        records = self.do_not_contact.get_many([i.author_id for i in rows]) if rows else {}
        items = [self._summary(i, now, records.get(i.author_id)) for i in rows]
        for inq, item in zip(rows, items, strict=True):
            if item.sla_breached and inq.sla_breached_at is None and not inq.our_replies:
                self._breach(inq, None)  # unanswered past its due time: counted once, when the queue first shows it
        return InquiryPage(items=items, next_cursor=nxt, order=order)

    def _breach(self, inq: DeskInquiry, agent: str | None) -> None:
        if self.inquiries.mark_sla_breach(inq.inquiry_id, self.clock()) and self.on_sla_breach is not None:
            self.on_sla_breach(SlaBreach(inq.inquiry_id, sla_kind(inq.direct), inq.topic, agent))

    def _by_priority(self, query: ListQuery) -> InquiryList:
        rows: InquiryList = []
        cursor: str | None = None
        while len(rows) < PRIORITY_SCAN:
            page, cursor = self.inquiries.page(replace(query, cursor=cursor))
            rows += page
            if not cursor:
                break
        return sorted(rows, key=priority_key)

    def show(self, inquiry_id: str) -> InquiryView:
        """One inquiry, history first: the author's earlier inquiries with our replies and outcomes,
        then the tweet with its keywords, topic, sentiment and PII flags, the author's posts around
        it, the conversation so far and what the desk did."""
        inq = self._get(inquiry_id)
        now = self.clock()
        context = self._context(inq)  # first: an author X says is gone ends here (410, our copy erased)
        others = [p for p in self.inquiries.by_author(inq.author_id) if p.inquiry_id != inq.inquiry_id]
        earlier = [p for p in others if p.created_at < inq.created_at]
        later = [p for p in others if p.created_at >= inq.created_at]
        account = self.settings.account(inq.account)
        latest = inq.latest_customer_message
        mode = "api" if api_may_reply(self.settings.access_level, target_text=latest.text,
                                      account_username=account.username,
                                      answers_us=inq.answers_us(account.user_id)) else "manual"
        dnc = self.do_not_contact.get(inq.author_id)
        active = dnc if dnc is not None and dnc.active else None
        summary = self._summary(inq, now, dnc)
        return InquiryView(
            history=History(returning_customer=bool(earlier), earlier_inquiries=[_past(p) for p in earlier],
                            later_inquiries=[_past(p) for p in later]),
            inquiry=InquiryDetail(
                **summary.model_dump(),
                tweet=TweetView(id=inq.tweet_id, text=inq.text, author_id=inq.author_id,
                                author_username=inq.author_username, created_at=inq.created_at,
                                url=f"https://x.com/{inq.author_username or 'i'}/status/{inq.tweet_id}"),
                keywords=inq.keywords, department=inq.department, pii_kinds=inq.pii_kinds, source=inq.source,
                outcome=inq.outcome, first_response_at=inq.first_response_at, resolved_at=inq.resolved_at,
                resolved_by=inq.resolved_by, do_not_contact_since=active.since if active else None,
                do_not_contact_reason=active.reason if active else None),
            context=context,
            conversation=[_msg(m) for m in sorted(inq.messages, key=lambda m: int(m.tweet_id))],
            desk_events=[EventView(kind=e.kind, agent=e.agent, at=e.at, detail=e.detail, tweet_id=e.tweet_id)
                         for e in inq.events],
            reply=ReplyPlan(account=account.username, in_reply_to=latest.tweet_id, mode=mode,
                            access_level=self.settings.access_level),
            suggested_templates=[TemplateRef(key=t.key, title=t.title) for t in self.templates.for_topic(inq.topic)],
            held_replies=self.held_replies(Actor("desk"), inq.inquiry_id).items,
        )

    def _context(self, inq: DeskInquiry) -> Context:
        """The stored context; a "pending" one (the worker no longer reads it) is read now and stored. If X is
        unavailable it stays pending, shown "unavailable", and the next open tries again."""
        if inq.context_status != "pending":
            return Context(status=inq.context_status, before=[_post(p) for p in inq.context_before],
                           after=[_post(p) for p in inq.context_after])
        try:
            before, after, ok = self.context.around(inq.author_id, inq.tweet_id)
        except ResourceGone as gone:  # the author's timeline: suspended or protected since they posted
            self._author_gone(inq, gone.reason)
        if not ok:
            return Context(status="unavailable", before=[], after=[])
        posts_before = [ContextPost(t.id, t.text, t.created_at) for t in before]
        posts_after = [ContextPost(t.id, t.text, t.created_at) for t in after]
        self.inquiries.set_context(inq.inquiry_id, posts_before, posts_after)
        return Context(status="ok", before=[_post(p) for p in posts_before], after=[_post(p) for p in posts_after])

    def _author_gone(self, inq: DeskInquiry, reason: str) -> NoReturn:
        """X says the author is suspended or protected: our copy of the tweet is erased now (X's rules; the desk
        blanks it, the compliance sweep deletes the rest of the author's records within the day)."""
        now = self.clock()
        if self.gone is not None:
            self.gone.erase(inq.tweet_id, inq.author_id, now)
        self.inquiries.add_event(inq.inquiry_id, Event("refused", "desk", now, "author_gone"))
        raise Conflict(f"X says this customer's account is {reason}: our copy of the tweet is erased (X's rules)",
                       code="author_gone", status=410)

    def templates_for(self, inquiry_id: str | None = None, topic: str | None = None) -> TemplateList:
        """Saved replies; for an inquiry they are rendered with the customer's name, its topic's first."""
        if inquiry_id:
            inq = self._get(inquiry_id)
            chosen = self.templates.for_topic(inq.topic)
            rest = [t for t in self.templates.templates if t not in chosen]
            return TemplateList(form_url=self.templates.form_url, templates=[
                _template(t, t.render(inq.author_username)) for t in chosen + rest])
        picked = self.templates.for_topic(topic) if topic else list(self.templates.templates)
        return TemplateList(form_url=self.templates.form_url, templates=[_template(t) for t in picked])

    def figures(self, day: str | None = None, who: Actor | str | None = None) -> Figures:
        """The day's figures: the whole desk and every agent for a supervisor (or without an actor: ops),
        the desk and their own row for an agent."""
        day = day or jst_date(self.clock())
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise BadRequest("day must be YYYY-MM-DD", code="bad_day")
        actor = as_actor(who) if who is not None else None
        only = actor.name if actor is not None and not actor.supervises else None
        return day_figures(day, self.tally.read(day), only=only)

    # --- claims ------------------------------------------------------------------------

    def claim(self, inquiry_id: str, who: Actor | str) -> Claim:
        """Hold the inquiry for `claim_ttl`; two agents never hold it at once (conditional write)."""
        actor = as_actor(who)
        inq = self._get(inquiry_id)
        if inq.status == "resolved":
            raise Conflict("the inquiry is resolved; reopen it first", code="resolved")
        return self._hold(inq, actor.name)

    def _hold(self, inq: DeskInquiry, agent: str) -> Claim:
        now = self.clock()
        until = now + self.claim_ttl
        if not self.inquiries.claim(inq.inquiry_id, agent, now, until):
            current = self.inquiries.get(inq.inquiry_id)
            holder = current.holder(now) if current else None
            raise Conflict(f"claimed by {holder} until {_iso(current.claim_expires_at if current else None)}",
                           code="claimed", claimed_by=holder)
        return Claim(inquiry_id=inq.inquiry_id, claimed_by=agent, claim_expires_at=until)

    def release(self, inquiry_id: str, who: Actor | str) -> Released:
        actor = as_actor(who)
        self._get(inquiry_id)
        if not self.inquiries.release(inquiry_id, actor.name):
            raise Conflict(f"{actor.name} does not hold this inquiry", code="not_claimed")
        return Released(inquiry_id=inquiry_id, released=True)

    def reassign(self, inquiry_id: str, who: Actor | str, to: str) -> Reassigned:
        """A supervisor hands an inquiry to an agent (whoever held it loses the claim)."""
        actor = self._supervisor(who, "reassign an inquiry")
        check_agent(to)
        inq = self._get(inquiry_id)
        if inq.status == "resolved":
            raise Conflict("the inquiry is resolved; reopen it first", code="resolved")
        now = self.clock()
        previous = inq.holder(now)
        until = now + self.claim_ttl
        self.inquiries.reassign(inquiry_id, to, until)
        self.inquiries.add_event(inquiry_id, Event("reassign", actor.name, now, f"{previous or '-'} -> {to}"))
        return Reassigned(inquiry_id=inquiry_id, claimed_by=to, claim_expires_at=until, previous=previous)

    def claim_next(self, who: Actor | str, *, topic: str | None = None, account: str | None = None) -> NextClaim:
        """Claim the most urgent unclaimed new inquiry (direct, returning, oldest first)."""
        actor = as_actor(who)
        now = self.clock()
        for inq in self._by_priority(ListQuery("new", topic, account, None, 100)):
            if inq.holder(now) not in (None, actor.name):
                continue
            try:
                claimed = self._hold(inq, actor.name)
            except Conflict:
                continue  # another agent was quicker
            return NextClaim(**claimed.model_dump(),
                             inquiry=self._summary(inq, now, self.do_not_contact.get(inq.author_id)))
        raise NotFound("the queue is empty", code="queue_empty")

    # --- replying -----------------------------------------------------------------------

    def reply(self, inquiry_id: str, who: Actor | str, text: str, client_token: str, *,
              override_hours: bool = False) -> ReplyResult:
        """Reply in the open thread from the account that owns the topic (see module docstring)."""
        actor = as_actor(who)
        if override_hours and not actor.supervises:
            raise Forbidden("only a supervisor may reply outside service hours", code="override_needs_supervisor")
        if not _TOKEN_RE.match(client_token or ""):
            raise BadRequest("client_token must be 8-64 characters of letters, digits, - and _",
                             code="bad_client_token")
        text = (text or "").strip()
        if not text:
            raise BadRequest("the reply text is empty", code="empty_text")
        inq = self._get(inquiry_id)
        existing = self.reservations.get(client_token)
        if existing is not None:
            return self._resume(existing, inq, actor, text, override_hours)
        self._check_reply(inq, actor.name, text, override_hours)
        self._check_contact(inq, actor.name)
        account = self.settings.account(inq.account)
        target = inq.latest_customer_message
        api = api_may_reply(self.settings.access_level, target_text=target.text, account_username=account.username,
                            answers_us=inq.answers_us(account.user_id))
        if api and any(m.in_reply_to == target.tweet_id and m.mode == "api" for m in inq.our_replies):
            # X's rules: one automated reply per interaction. A follow-up waits for the customer's next post.
            raise Conflict(f"we already replied through the API to tweet {target.tweet_id}; one automated reply per "
                           "customer post - wait for the customer's answer (or resolve)", code="already_replied")
        now = self.clock()
        posted = self._with_form_link(inq, text)
        res = Reservation(client_token, "held" if actor.trainee else "pending", inq.inquiry_id,
                          _text_hash(inq.inquiry_id, text), posted, actor.name, account.key, target.tweet_id,
                          "api" if api else "manual", now)
        if not self.reservations.reserve(res):  # the same token raced us
            current = self.reservations.get(client_token)
            if current is None:
                raise Conflict("the client token is being used by another request; retry", code="token_busy")
            return self._resume(current, inq, actor, text, override_hours)
        if override_hours and not in_service_hours(now, self.settings.service_hours):
            self.inquiries.add_event(inq.inquiry_id, Event("override_hours", actor.name, now))
        if res.status == "held":
            return self._held(res, replayed=False)
        return self._send(res)

    def _with_form_link(self, inq: DeskInquiry, text: str) -> str:
        """The e-mail form's fixed URL in a reply becomes a single-use link for this inquiry (issue #19). The text
        the agent sent stays the reservation's key (a retry with it finds the same post); the link is minted once,
        kept in the reservation's text, and checked by the personal-data guard and the length rule again (X weighs
        every URL 23, so on a real domain the length is unchanged)."""
        if self.form_links is None or self.templates.form_url not in text:
            return text
        for _ in range(5):  # a random token that happens to look like a phone number is thrown away
            posted = text.replace(self.templates.form_url, self.form_links.issue(inq.inquiry_id), 1)
            if not personal_data(posted) and weighted_length(posted) <= MAX_WEIGHTED_LENGTH:
                return posted
        raise Unavailable("could not make a form link; retry", code="form_link_unavailable")

    def _check_open(self, inq: DeskInquiry, agent: str) -> None:
        """Before anything is posted, on a first attempt and on every retry: the inquiry is open and the agent
        holds it (the claim is refreshed, or 409 if someone else holds it)."""
        if inq.status == "resolved":
            raise Conflict("the inquiry is resolved; reopen it before replying", code="resolved")
        self._hold(inq, agent)

    def _check_hours(self, inq: DeskInquiry, agent: str, override_hours: bool) -> None:
        if not in_service_hours(self.clock(), self.settings.service_hours) and not override_hours:
            self._refused(inq, agent, "out_of_service_hours", "refused_out_of_hours", "")
            raise Refused(f"outside service hours ({self.settings.service_hours} JST); a supervisor may set "
                          "override_hours to reply anyway", code="out_of_service_hours")

    def _check_reply(self, inq: DeskInquiry, agent: str, text: str, override_hours: bool) -> None:
        self._check_open(inq, agent)
        self._check_text(inq, agent, text)
        self._check_hours(inq, agent, override_hours)

    def _check_text(self, inq: DeskInquiry, agent: str, text: str) -> None:
        kinds = personal_data(text)
        if kinds:
            offer = self.templates.email_form
            self._refused(inq, agent, "personal_data", "refused_personal_data", ",".join(kinds))
            labels = "・".join(KIND_LABELS[k] for k in kinds)
            raise Refused(f"the reply contains personal data ({labels}); personal data is never posted on "
                          "Twitter - send the e-mail form reply instead", code="personal_data",
                          kinds=list(kinds), offer={"template": offer.key, "title": offer.title,
                                                    "text": offer.render(inq.author_username)})
        length = weighted_length(text)
        if length > MAX_WEIGHTED_LENGTH:
            self._refused(inq, agent, "too_long", "refused_too_long", str(length))
            raise Refused(f"the reply weighs {length} (Japanese characters count 2, URLs 23); the maximum is "
                          f"{MAX_WEIGHTED_LENGTH}", code="too_long", weighted_length=length,
                          max_weighted_length=MAX_WEIGHTED_LENGTH)

    def _check_contact(self, inq: DeskInquiry, agent: str) -> None:
        """Refuse a reply to a do-not-contact author, unless they engaged again after the record: their latest
        post is later than the opt-out and is a direct mention of us or an answer to our reply."""
        dnc = self.do_not_contact.get(inq.author_id)
        if dnc is None or not dnc.active:
            return
        account = self.settings.account(inq.account)
        latest = inq.latest_customer_message
        after = not dnc.tweet_id or int(latest.tweet_id) > int(dnc.tweet_id)
        if after and (inq.direct or inq.answers_us(account.user_id)):
            return
        self._refused(inq, agent, "do_not_contact", "refused_do_not_contact", dnc.reason)
        raise Refused(_dnc_message(dnc), code="do_not_contact", dnc_reason=dnc.reason, since=dnc.since.isoformat())

    def _refused(self, inq: DeskInquiry, agent: str, reason: str, counter: str, detail: str) -> None:
        now = self.clock()
        self.inquiries.add_event(inq.inquiry_id, Event("refused", agent, now, f"{reason} {detail}".strip()))
        self.tally.add(jst_date(now), agent, {counter: 1})

    def _resume(self, res: Reservation, inq: DeskInquiry, actor: Actor, text: str,
                override_hours: bool) -> ReplyResult:
        """A known client token: replay its result, or finish what a crashed call started."""
        if res.inquiry_id != inq.inquiry_id or res.text_hash != _text_hash(inq.inquiry_id, text):
            raise Conflict("this client_token was used for another reply; use a new token for a new reply",
                           code="token_reused")
        if res.status == "posted":
            return self._record(res, replayed=True)
        if res.status == "prepared":
            return self._prepared_result(res, replayed=True)
        if res.status in ("held", "rejected"):
            return self._held(res, replayed=True)
        found = self._find_posted(res)
        if found is not None:  # it went out before the crash: record it, whoever holds the inquiry now
            return self._finish(res, *found)
        if res.reviewed_by is not None:  # approved: the approval (or its retry) posts it, never the trainee's retry
            raise Conflict(f"{res.reviewed_by} approved this reply and it is being posted; reload the inquiry",
                           code="approval_in_progress")
        if res.agent != actor.name:
            raise Conflict("this client_token belongs to another agent's reply", code="token_reused")
        self._check_open(inq, actor.name)  # nothing was posted yet: the rules apply again
        self._check_hours(inq, actor.name, override_hours)
        self._check_contact(inq, actor.name)
        return self._send(res)

    def _send(self, res: Reservation) -> ReplyResult:
        if res.mode == "manual":
            url = intent_url(res.in_reply_to, res.text, self.settings.intent_base_url)
            self.reservations.update(res.token, status="prepared", intent_url=url)
            self.inquiries.add_event(res.inquiry_id, Event("prepared", res.agent, self.clock(), res.token))
            return self._prepared_result(replace(res, status="prepared", intent_url=url), replayed=False)
        try:
            tweet_id = self.poster_for(res.account).post(res.text, in_reply_to=res.in_reply_to)
        except DuplicateContent:
            # X saw this very text from this account within 24 hours. A reply with it to the same tweet is ours, from
            # an earlier attempt whose answer never came back (a crash, a timeout) - perhaps under another client
            # token, after the claim expired and the inquiry was taken again: record it instead of posting another.
            found = self._find_posted(res, since=res.reserved_at - DUPLICATE_WINDOW)
            if found is not None:
                return self._finish(res, *found)
            self.reservations.drop(res.token)
            self.tally.add(jst_date(self.clock()), res.agent, {"refused_duplicate": 1})
            raise Conflict("X refused the text as duplicate content (this account posted the same text in the "
                           "last 24 hours); edit the reply and send it with a new client_token",
                           code="duplicate_content") from None
        except (RateLimited, TwitterUnavailable) as exc:
            raise Unavailable(f"X is unavailable ({type(exc).__name__}); retry with the same client_token",
                              client_token=res.token) from None
        except TwitterRejected as exc:
            if exc.status == 403 and _REPLY_RULE in exc.detail.lower():
                manual = replace(res, mode="manual")  # the tier forbids it: an agent sends it by hand
                self.reservations.update(res.token, mode="manual")
                return self._send(manual)
            self.reservations.drop(res.token)
            if exc.status == 403 and _BLOCKED in exc.detail.lower():
                self._blocked(res)
            if exc.status == 403 and REPLY_TARGET_GONE in exc.detail.lower():
                self._gone(res)
            raise Conflict(f"X rejected the reply: {exc.detail}", code="x_rejected") from None
        return self._finish(res, tweet_id, self.clock())

    def _blocked(self, res: Reservation) -> None:
        """X refused our reply because the author blocked the account: record them do-not-contact and refuse."""
        inq = self._get(res.inquiry_id)
        now = self.clock()
        self.do_not_contact.record(inq.author_id, res.in_reply_to, now, "blocked")
        self._refused(inq, res.agent, "do_not_contact", "refused_do_not_contact", "blocked")
        dnc = self.do_not_contact.get(inq.author_id) or DoNotContact(inq.author_id, now, "blocked", res.in_reply_to)
        raise Refused(_dnc_message(dnc), code="do_not_contact", dnc_reason=dnc.reason, since=dnc.since.isoformat())

    def _gone(self, res: Reservation) -> None:
        """X refused our reply because the tweet is deleted or not visible to us: X's rules want our copy erased."""
        inq = self._get(res.inquiry_id)
        now = self.clock()
        if self.gone is not None:
            self.gone.erase(res.in_reply_to, inq.author_id, now)
        self.inquiries.add_event(inq.inquiry_id, Event("refused", res.agent, now, "tweet_gone"))
        raise Conflict("X says this tweet is deleted or not visible to us: our copy of it is erased (X's rules); "
                       "there is nothing to reply to", code="tweet_gone", status=410)

    def lift_do_not_contact(self, inquiry_id: str, who: Actor | str, reason: str) -> DoNotContactLifted:
        """A supervisor ends the inquiry's author's do-not-contact record (kept, with who lifted it and why)."""
        actor = self._supervisor(who, "lift a do-not-contact record")
        reason = (reason or "").strip()
        if not 1 <= len(reason) <= LIFT_REASON_MAX:
            raise BadRequest(f"a reason of 1-{LIFT_REASON_MAX} characters is required", code="bad_reason")
        inq = self._get(inquiry_id)
        now = self.clock()
        if not self.do_not_contact.lift(inq.author_id, now, actor.name, reason):
            raise Conflict("the author has no do-not-contact record to lift", code="not_do_not_contact")
        self.inquiries.add_event(inquiry_id, Event("lift_do_not_contact", actor.name, now, reason))
        self.tally.add(jst_date(now), actor.name, {"do_not_contact_lifted": 1})
        return DoNotContactLifted(inquiry_id=inquiry_id, author_id=inq.author_id, lifted_by=actor.name,
                                  lifted_at=now)

    def _prepared_result(self, res: Reservation, *, replayed: bool) -> ReplyResult:
        account = self.settings.account(res.account)
        return ReplyResult(status="prepared", mode="manual", inquiry_id=res.inquiry_id, client_token=res.token,
                           intent_url=res.intent_url, account=account.username, in_reply_to=res.in_reply_to,
                           replayed=replayed, reviewed_by=res.reviewed_by,
                           next="open intent_url logged in as @" + account.username + ", send it, then confirm")

    def confirm(self, inquiry_id: str, who: Actor | str, client_token: str) -> ReplyResult:
        """Find a reply an agent sent by hand on the account's timeline and record it."""
        as_actor(who)
        self._get(inquiry_id)
        res = self.reservations.get(client_token or "")
        if res is None:
            raise NotFound("unknown client_token", code="unknown_client_token")
        if res.inquiry_id != inquiry_id:
            raise Conflict("this client_token belongs to another inquiry", code="token_reused")
        if res.status == "posted":
            return self._record(res, replayed=True)
        found = self._find_posted(res)
        if found is None:
            account = self.settings.account(res.account)
            raise Conflict(f"no reply with this text to tweet {res.in_reply_to} on @{account.username}'s timeline "
                           "yet; send it through intent_url, then confirm again", code="not_posted_yet",
                           intent_url=res.intent_url)
        return self._finish(res, *found)

    def _find_posted(self, res: Reservation, since: datetime | None = None) -> tuple[str, datetime] | None:
        """Our reply on the account's timeline since the reservation (or `since`): replying to the same tweet, same
        text."""
        account = self.settings.account(res.account)
        try:
            return find_own_post(self.reader, account.user_id, res.text, since=since or res.reserved_at,
                                 in_reply_to=res.in_reply_to)
        except (RateLimited, TwitterUnavailable) as exc:
            raise Unavailable(f"cannot read @{account.username}'s timeline ({type(exc).__name__}); retry",
                              client_token=res.token) from None

    def _finish(self, res: Reservation, tweet_id: str, at: datetime) -> ReplyResult:
        self.reservations.update(res.token, status="posted", tweet_id=tweet_id, posted_at=at)
        return self._record(replace(res, status="posted", tweet_id=tweet_id, posted_at=at), replayed=False)

    def _record(self, res: Reservation, *, replayed: bool) -> ReplyResult:
        """Put the posted reply on the inquiry (idempotent on the tweet id) and count it once."""
        assert res.tweet_id is not None and res.posted_at is not None
        account = self.settings.account(res.account)
        before = self._get(res.inquiry_id)
        msg = Msg(res.tweet_id, account.user_id, res.text, res.posted_at, "out", res.agent, account.key,
                  res.in_reply_to, res.mode)
        if self.inquiries.add_reply(res.inquiry_id, msg, res.posted_at):
            first = before.first_response_at is None
            url = res.mode == "api" and has_url(res.text)
            counts = {"replies": 1, f"{res.mode}_posts": 1, "posts_with_url": int(url),
                      "email_form": int(self._offers_form(res.text))}
            elapsed = (res.posted_at - before.created_at).total_seconds() if first else None
            self.tally.add(jst_date(res.posted_at), res.agent, counts, elapsed)
            if first and self._sla(before, res.posted_at, res.posted_at).breached and before.sla_breached_at is None:
                self._breach(before, res.agent)
        first_of = self._first_reply(before, res.tweet_id)
        if self.on_reply is not None:
            sla = self._sla(before, res.posted_at, res.posted_at) if first_of else None
            self.on_reply(PostedReply(res.tweet_id, res.inquiry_id, res.agent, res.text, res.posted_at,
                                      trainee=res.reviewed_by is not None, topic=before.topic,
                                      template=self.templates.match(res.text), first_response=first_of,
                                      first_response_s=(res.posted_at - before.created_at).total_seconds()
                                      if first_of else None,
                                      sla_kind=sla.kind if sla else "", sla_breached=bool(sla and sla.breached),
                                      department=before.department))
        return ReplyResult(status="posted", mode=res.mode, inquiry_id=res.inquiry_id, tweet_id=res.tweet_id,
                           client_token=res.token, account=account.username, in_reply_to=res.in_reply_to,
                           posted_at=res.posted_at, agent=res.agent, replayed=replayed, reviewed_by=res.reviewed_by)

    # --- trainees' replies: held, then approved (posted once) or rejected by a supervisor ------------------
    # A trainee's reply passes every check of a reply, then waits as a reservation with status "held" (nothing
    # posted). Approval moves it to "pending" in one conditional write (with the supervisor's edit, if any) and
    # then goes the usual way: post -> record, and a retry of the approval after a crash looks on the timeline
    # first (`_find_posted`), so the reply is posted exactly once. The trainee's own retries replay the state.

    def _held(self, res: Reservation, *, replayed: bool) -> ReplyResult:
        account = self.settings.account(res.account)
        if res.status == "held":
            self.reservations.mark_held(res.token, True)  # idempotent: also after a crash right after reserving
            if not replayed:
                self.inquiries.add_event(res.inquiry_id, Event("held", res.agent, self.clock(), res.token))
        nxt = ("a supervisor reviews it before it is posted" if res.status == "held"
               else f"rejected by {res.reviewed_by}: {res.review_note or ''}".strip())
        return ReplyResult(status=res.status, mode=res.mode, inquiry_id=res.inquiry_id, client_token=res.token,
                           account=account.username, in_reply_to=res.in_reply_to, replayed=replayed, agent=res.agent,
                           next=nxt, reviewed_by=res.reviewed_by, review_note=res.review_note)

    def held_replies(self, who: Actor | str, inquiry_id: str | None = None) -> HeldList:
        """Trainees' replies waiting for approval, oldest first (supervisors: all; others: one inquiry's)."""
        actor = as_actor(who)
        if inquiry_id is None and not actor.supervises:
            raise Forbidden("only a supervisor may list the replies waiting for approval", code="supervisors_only")
        rows = [r for r in self.reservations.held() if inquiry_id is None or r.inquiry_id == inquiry_id]
        inquiries = {i: self.inquiries.get(i) for i in {r.inquiry_id for r in rows}}
        items = []
        for r in rows:
            inq = inquiries.get(r.inquiry_id)
            items.append(HeldReply(
                inquiry_id=r.inquiry_id, client_token=r.token, agent=r.agent, text=r.text, held_at=r.reserved_at,
                account=self.settings.account(r.account).username, in_reply_to=r.in_reply_to, mode=r.mode,
                topic=inq.topic if inq else "", customer_text=inq.text if inq else "",
                author_username=inq.author_username if inq else ""))
        return HeldList(items=items)

    def _held_reservation(self, inquiry_id: str, client_token: str) -> tuple[DeskInquiry, Reservation]:
        inq = self._get(inquiry_id)
        res = self.reservations.get(client_token or "")
        if res is None:
            raise NotFound("unknown client_token", code="unknown_client_token")
        if res.inquiry_id != inq.inquiry_id:
            raise Conflict("this client_token belongs to another inquiry", code="token_reused")
        return inq, res

    def approve(self, inquiry_id: str, who: Actor | str, client_token: str, text: str | None = None, *,
                override_hours: bool = False) -> ReplyResult:
        """A supervisor approves a trainee's held reply, as it is or edited, and it is posted (once: a retry with
        the same token after a crash finds it on the timeline or posts it, never a second time)."""
        actor = self._supervisor(who, "approve a trainee's reply")
        inq, res = self._held_reservation(inquiry_id, client_token)
        if res.status == "rejected":
            raise Conflict(f"{res.reviewed_by} rejected this reply", code="already_reviewed",
                           reviewed_by=res.reviewed_by)
        if res.status == "held":
            edited = (text or "").strip() or res.text
            if inq.status == "resolved":
                raise Conflict("the inquiry is resolved; reopen it before approving", code="resolved")
            self._check_text(inq, actor.name, edited)
            self._check_hours(inq, actor.name, override_hours)
            self._check_contact(inq, actor.name)
            if res.mode == "api" and any(m.in_reply_to == res.in_reply_to and m.mode == "api" for m in inq.our_replies):
                raise Conflict(f"we already replied through the API to tweet {res.in_reply_to}; reject this one",
                               code="already_replied")
            now = self.clock()
            changes: dict[str, object] = {"status": "pending", "reviewed_by": actor.name, "reserved_at": now}
            if edited != res.text:
                changes |= {"text": edited, "original_text": res.text}
            if self.reservations.transition(res.token, "held", **changes):
                self.inquiries.add_event(inquiry_id, Event("approved", actor.name, now,
                                                           f"{res.agent}{' edited' if edited != res.text else ''}"))
                res = replace(res, **changes)  # type: ignore[arg-type]
            else:  # another request decided first
                current = self.reservations.get(res.token)
                if current is None or current.reviewed_by != actor.name:
                    raise Conflict("another supervisor reviewed this reply first", code="already_reviewed",
                                   reviewed_by=current.reviewed_by if current else None)
                res = current
            self.reservations.mark_held(res.token, False)
        if res.status == "posted":
            return self._record(res, replayed=True)
        if res.status == "prepared":
            return self._prepared_result(res, replayed=True)
        found = self._find_posted(res)  # a retry after a crash between approving and posting (or recording)
        if found is not None:
            return self._finish(res, *found)
        inq = self._get(inquiry_id)
        if inq.status == "resolved":
            raise Conflict("the inquiry is resolved; reopen it before approving", code="resolved")
        self._check_hours(inq, actor.name, override_hours)
        self._check_contact(inq, actor.name)
        return self._send(res)

    def reject(self, inquiry_id: str, who: Actor | str, client_token: str, reason: str) -> ReplyResult:
        """A supervisor turns a trainee's held reply down, with the reason the trainee sees; nothing is posted."""
        actor = self._supervisor(who, "reject a trainee's reply")
        reason = (reason or "").strip()
        if not 1 <= len(reason) <= LIFT_REASON_MAX:
            raise BadRequest(f"a reason of 1-{LIFT_REASON_MAX} characters is required", code="bad_reason")
        _, res = self._held_reservation(inquiry_id, client_token)
        if res.status == "rejected":
            return self._held(res, replayed=True)
        if res.status != "held":
            raise Conflict("this reply is not waiting for approval" + (f" ({res.reviewed_by} approved it)"
                           if res.reviewed_by else ""), code="already_reviewed", reviewed_by=res.reviewed_by)
        if not self.reservations.transition(res.token, "held", status="rejected", reviewed_by=actor.name,
                                            review_note=reason):
            current = self.reservations.get(res.token)
            if current is None or current.status != "rejected":
                raise Conflict("another supervisor reviewed this reply first", code="already_reviewed")
            return self._held(current, replayed=True)
        self.reservations.mark_held(res.token, False)
        self.inquiries.add_event(inquiry_id, Event("rejected", actor.name, self.clock(), f"{res.agent}: {reason}"))
        return self._held(replace(res, status="rejected", reviewed_by=actor.name, review_note=reason),
                          replayed=False)

    def _offers_form(self, text: str) -> bool:
        return self.templates.form_url in text or (self.form_links is not None and self.form_links.base_url in text)

    # --- closing -------------------------------------------------------------------------

    def resolve(self, inquiry_id: str, who: Actor | str, outcome: str) -> Resolved:
        actor = as_actor(who)
        if outcome not in OUTCOMES:
            raise BadRequest(f"outcome must be one of {', '.join(OUTCOMES)}", code="bad_outcome")
        chosen = cast(Outcome, outcome)
        inq = self._get(inquiry_id)
        now = self.clock()
        holder = inq.holder(now)
        if holder not in (None, actor.name) and not actor.supervises:
            raise Conflict(f"claimed by {holder}", code="claimed", claimed_by=holder)
        if not self.inquiries.set_status(inquiry_id, "resolved", Event("resolve", actor.name, now, outcome),
                                         outcome=chosen, expect=("new", "replied")):
            raise Conflict("the inquiry is already resolved", code="resolved")
        self.tally.add(jst_date(now), actor.name, {"resolved": 1})
        self._count_outcome(inq, chosen, now)
        return Resolved(inquiry_id=inquiry_id, status="resolved", outcome=chosen,
                        resolved_by=actor.name)

    def _count_outcome(self, inq: DeskInquiry, outcome: Outcome, now: datetime) -> None:
        """The query that found it learns whether it was worth answering (listening/usage.py): once, at the first
        resolve (a reopened inquiry resolved again is not counted again). A failure costs only the figure."""
        if self.verdicts is None or inq.source != "search" or not inq.source_key:
            return
        if any(e.kind == "resolve" for e in inq.events):
            return
        try:
            # the poller's source key of the query (listening/poll.py Source.key)
            self.verdicts.add_outcome(month_of(now), f"search#{inq.source_key}", outcome in ANSWERED_OUTCOMES)
        except Exception as exc:  # the inquiry is resolved already; the yield misses one verdict
            logger.warning("query outcome not counted", extra={"error": type(exc).__name__})

    def reopen(self, inquiry_id: str, who: Actor | str, reason: str = "") -> Reopened:
        """Back to the queue: an agent may reopen what nobody else holds, a supervisor anything."""
        actor = as_actor(who)
        inq = self._get(inquiry_id)
        now = self.clock()
        holder = inq.holder(now)
        if holder not in (None, actor.name) and not actor.supervises:
            raise Forbidden(f"{holder} holds this inquiry; only a supervisor may reopen it",
                            code="held_by_another", claimed_by=holder)
        if not self.inquiries.set_status(inquiry_id, "new", Event("reopen", actor.name, now, reason[:200]),
                                         expect=("resolved", "replied")):
            raise Conflict("the inquiry is already open (status new)", code="already_open")
        self.tally.add(jst_date(now), actor.name, {"reopened": 1})
        return Reopened(inquiry_id=inquiry_id, status="new")

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _supervisor(who: Actor | str, what: str) -> Actor:
        actor = as_actor(who)
        if not actor.supervises:
            raise Forbidden(f"only a supervisor may {what}", code="supervisors_only")
        return actor

    def _get(self, inquiry_id: str) -> DeskInquiry:
        if not inquiry_id or not inquiry_id.isascii() or not inquiry_id.isdigit() or len(inquiry_id) > 19:
            raise NotFound(f"no inquiry {inquiry_id[:40]!r} (inquiry ids are tweet ids)", code="unknown_inquiry")
        inq = self.inquiries.get(inquiry_id)
        if inq is None:
            raise NotFound(f"no inquiry {inquiry_id}", code="unknown_inquiry")
        return inq

    def _sla(self, inq: DeskInquiry, first_response_at: datetime | None, now: datetime) -> SlaState:
        return sla_state(inq.created_at, inq.direct, first_response_at, now, self.settings.service_hours,
                         self.sla_targets)

    @staticmethod
    def _first_reply(before: DeskInquiry, tweet_id: str) -> bool:
        """Whether `tweet_id` is (or, recorded just now, becomes) the inquiry's first reply."""
        replies = sorted(before.our_replies, key=lambda m: m.created_at)
        return not replies or replies[0].tweet_id == tweet_id

    def _summary(self, inq: DeskInquiry, now: datetime, dnc: DoNotContact | None = None) -> InquirySummary:
        holder = inq.holder(now)
        sla = self._sla(inq, inq.first_response_at, now)
        return InquirySummary(
            inquiry_id=inq.inquiry_id, status=inq.status, created_at=inq.created_at,
            age_minutes=int((now - inq.created_at).total_seconds() // 60), topic=inq.topic, account=inq.account,
            direct=inq.direct, returning_customer=inq.returning, sentiment=inq.sentiment,
            has_pii=bool(inq.pii_kinds), author_username=inq.author_username, text=inq.text, claimed_by=holder,
            claim_expires_at=inq.claim_expires_at if holder else None, replies=len(inq.our_replies),
            messages=len(inq.messages), do_not_contact=dnc is not None and dnc.active, sla_kind=sla.kind,
            sla_target_minutes=sla.target_minutes, sla_due_at=sla.due_at,
            sla_left_minutes=None if sla.answered else round(sla.target_minutes - sla.elapsed_minutes, 1),
            sla_breached=sla.breached)


def _dnc_message(dnc: DoNotContact) -> str:
    why = ("asked us not to reply (an opt-out such as 返信不要)" if dnc.reason == "opt_out"
           else "has blocked the support account")
    return (f"this customer {why} on {dnc.since.date().isoformat()}; no reply is sent unless they mention us or "
            "answer us again (a supervisor may lift the record)")


def priority_key(inq: DeskInquiry) -> tuple[int, int, datetime, str]:
    """Direct mentions first, then returning customers, then the oldest."""
    return (0 if inq.direct else 1, 0 if inq.returning else 1, inq.created_at, inq.inquiry_id)


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 6:
        raise BadRequest("cursor is not one this list returned", code="bad_cursor")
    return int(cursor)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _past(p: DeskInquiry) -> PastInquiry:
    return PastInquiry(inquiry_id=p.inquiry_id, created_at=p.created_at, topic=p.topic,
                       status=p.status, outcome=p.outcome, text=p.text,
                       resolved_by=p.resolved_by,
                       our_replies=[OurReply(agent=m.agent, text=m.text, at=m.created_at, tweet_id=m.tweet_id)
                                    for m in p.our_replies])


def _template(t: ReplyTemplate, rendered: str | None = None) -> TemplateView:
    return TemplateView(key=t.key, title=t.title, text=t.text, topics=list(t.topics), outcome=t.outcome,
                        link=t.link, rendered=rendered,
                        weighted_length=weighted_length(rendered) if rendered is not None else None)


def _post(p: object) -> PostView:
    return PostView.model_validate(p, from_attributes=True)


def _msg(m: Msg) -> MessageView:
    return MessageView.model_validate(m, from_attributes=True)
