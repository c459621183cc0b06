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
from typing import cast

from activecare.clock import Clock
from activecare.desk.context import AuthorContext
from activecare.desk.errors import BadRequest, Conflict, Forbidden, NotFound, Refused, Unavailable
from activecare.desk.figures import day_figures
from activecare.desk.models import (
    AGENT_PATTERN,
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
    PostView,
    Reassigned,
    Released,
    Reopened,
    ReplyPlan,
    ReplyResult,
    Reservation,
    Resolved,
    TemplateList,
    TemplateRef,
    TemplateView,
    TweetView,
)
from activecare.desk.policy import KIND_LABELS, api_may_reply, intent_url, personal_data
from activecare.desk.ports import DoNotContactStore, InquiryRepo, PosterFor, ReservationStore, Tally
from activecare.desk.templates import ReplyTemplate, TemplateBook, default_templates
from activecare.hours import in_service_hours, jst_date
from activecare.settings import Settings
from activecare.twitter.port import (
    DuplicateContent,
    RateLimited,
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
                 do_not_contact: DoNotContactStore | None = None, context: AuthorContext | None = None) -> None:
        self.settings = settings
        self.inquiries = inquiries
        self.reservations = reservations
        self.tally = tally
        self.reader = reader
        self.poster_for = poster_for
        self.clock = clock
        self.templates = templates or default_templates()
        self.claim_ttl = claim_ttl
        if do_not_contact is None:
            from activecare.desk.memory import MemoryDoNotContact

            do_not_contact = MemoryDoNotContact()
        self.do_not_contact = do_not_contact
        # The author's tweets around an inquiry, read from X on its first open (cached per author and UTC day).
        self.context = context or AuthorContext(reader, clock)

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
        return InquiryPage(items=[self._summary(i, now, records.get(i.author_id)) for i in rows], next_cursor=nxt,
                           order=order)

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
            context=self._context(inq),
            conversation=[_msg(m) for m in sorted(inq.messages, key=lambda m: int(m.tweet_id))],
            desk_events=[EventView(kind=e.kind, agent=e.agent, at=e.at, detail=e.detail, tweet_id=e.tweet_id)
                         for e in inq.events],
            reply=ReplyPlan(account=account.username, in_reply_to=latest.tweet_id, mode=mode,
                            access_level=self.settings.access_level),
            suggested_templates=[TemplateRef(key=t.key, title=t.title) for t in self.templates.for_topic(inq.topic)],
        )

    def _context(self, inq: DeskInquiry) -> Context:
        """The stored context; a "pending" one (the worker no longer reads it) is read now and stored. If X is
        unavailable it stays pending, shown "unavailable", and the next open tries again."""
        if inq.context_status != "pending":
            return Context(status=inq.context_status, before=[_post(p) for p in inq.context_before],
                           after=[_post(p) for p in inq.context_after])
        before, after, ok = self.context.around(inq.author_id, inq.tweet_id)
        if not ok:
            return Context(status="unavailable", before=[], after=[])
        posts_before = [ContextPost(t.id, t.text, t.created_at) for t in before]
        posts_after = [ContextPost(t.id, t.text, t.created_at) for t in after]
        self.inquiries.set_context(inq.inquiry_id, posts_before, posts_after)
        return Context(status="ok", before=[_post(p) for p in posts_before], after=[_post(p) for p in posts_after])

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
        res = Reservation(client_token, "pending", inq.inquiry_id, _text_hash(inq.inquiry_id, text), text, actor.name,
                          account.key, target.tweet_id, "api" if api else "manual", now)
        if not self.reservations.reserve(res):  # the same token raced us
            current = self.reservations.get(client_token)
            if current is None:
                raise Conflict("the client token is being used by another request; retry", code="token_busy")
            return self._resume(current, inq, actor, text, override_hours)
        if override_hours and not in_service_hours(now, self.settings.service_hours):
            self.inquiries.add_event(inq.inquiry_id, Event("override_hours", actor.name, now))
        return self._send(res)

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
        self._check_hours(inq, agent, override_hours)

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
        found = self._find_posted(res)
        if found is not None:  # it went out before the crash: record it, whoever holds the inquiry now
            return self._finish(res, *found)
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
                           replayed=replayed,
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
                      "email_form": int(self.templates.form_url in res.text)}
            elapsed = (res.posted_at - before.created_at).total_seconds() if first else None
            self.tally.add(jst_date(res.posted_at), res.agent, counts, elapsed)
        return ReplyResult(status="posted", mode=res.mode, inquiry_id=res.inquiry_id, tweet_id=res.tweet_id,
                           client_token=res.token, account=account.username, in_reply_to=res.in_reply_to,
                           posted_at=res.posted_at, agent=res.agent, replayed=replayed)

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
        return Resolved(inquiry_id=inquiry_id, status="resolved", outcome=chosen,
                        resolved_by=actor.name)

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

    def _summary(self, inq: DeskInquiry, now: datetime, dnc: DoNotContact | None = None) -> InquirySummary:
        holder = inq.holder(now)
        return InquirySummary(
            inquiry_id=inq.inquiry_id, status=inq.status, created_at=inq.created_at,
            age_minutes=int((now - inq.created_at).total_seconds() // 60), topic=inq.topic, account=inq.account,
            direct=inq.direct, returning_customer=inq.returning, sentiment=inq.sentiment,
            has_pii=bool(inq.pii_kinds), author_username=inq.author_username, text=inq.text, claimed_by=holder,
            claim_expires_at=inq.claim_expires_at if holder else None, replies=len(inq.our_replies),
            messages=len(inq.messages), do_not_contact=dnc is not None and dnc.active)


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
                        rendered=rendered, weighted_length=weighted_length(rendered) if rendered is not None else None)


def _post(p: object) -> PostView:
    return PostView.model_validate(p, from_attributes=True)


def _msg(m: Msg) -> MessageView:
    return MessageView.model_validate(m, from_attributes=True)
