"""QaService: skill standards, the sampled replies supervisors review, the agents' feedback.

The desk tells the QA feature about every reply it records (`record_reply`, composed by the wiring: no feature
imports another). Which replies are sampled is decided on reading, from the standards in force: a deterministic
hash share of each agent's replies of a day, and (by default) every reply that went through a trainee's approval.

A review scores every criterion on its scale, with a comment. Revising one names the version it was made from: a
revision from a stale copy is refused (409 review_changed) instead of overwriting another supervisor's work, and
every earlier version is kept. The agent sees a review (or a revision) unread until they acknowledge that version.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from activecare.clock import Clock, to_jst
from activecare.errors import BadRequest, Conflict, Forbidden, NotFound
from activecare.hours import jst_date
from activecare.qa.cases import mask, pack_csv, pack_html
from activecare.qa.models import (
    AgentQa,
    Case,
    CaseList,
    CaseView,
    CriterionView,
    FeedbackList,
    QaFigures,
    QueueItem,
    ReplyRecord,
    Review,
    ReviewQueue,
    ReviewVersion,
    ReviewView,
    StandardsView,
    TopicSla,
    VersionView,
    WeeklyReport,
    WeekRow,
)
from activecare.qa.ports import CaseStore, Conversations, ReplyLog, ReviewStore, StandardsStore, Who
from activecare.qa.standards import Standards, default_standards, from_rows
from activecare.roles import supervises
from activecare.sentiment import classify_sentiment

MAX_COMMENT = 1000
REACTIONS = ("thanks", "unhappy", "none", "no_reply")


def reaction(text: str) -> str:
    """A customer's post after our reply: thanks (praise), still unhappy (a complaint) or none (neither)."""
    found = classify_sentiment(text)
    return "thanks" if found == "praise" else "unhappy" if found == "complaint" else "none"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TWEET = re.compile(r"^\d{1,19}$")


class QaService:
    def __init__(self, *, standards: StandardsStore, replies: ReplyLog, reviews: ReviewStore, clock: Clock,
                 conversations: Conversations | None = None, cases: CaseStore | None = None,
                 keep_handles: tuple[str, ...] = ()) -> None:
        self.cases = cases
        self.keep_handles = keep_handles  # our support accounts' handles: not masked in the training pack
        self.standards_store = standards
        self.replies = replies
        self.reviews = reviews
        self.clock = clock
        self.conversations = conversations

    # --- standards -----------------------------------------------------------------------------------------

    def standards(self) -> tuple[Standards, str, datetime | None]:
        stored = self.standards_store.load()
        if stored is None:
            return default_standards(), "default", None
        return from_rows(stored.rows), "imported", stored.imported_at

    def standards_view(self) -> StandardsView:
        std, source, at = self.standards()
        return StandardsView(criteria=[CriterionView(key=c.key, name=c.name, description=c.description, low=c.low,
                                                     high=c.high) for c in std.criteria],
                             share=std.share, trainee_share=std.trainee_share, source=source, imported_at=at)

    def import_standards(self, std: Standards) -> None:
        """Store validated standards (the CLI parses the file first: nothing is written from a bad one)."""
        self.standards_store.save(std.rows(), self.clock())

    # --- the desk's replies --------------------------------------------------------------------------------

    def record_reply(self, *, tweet_id: str, inquiry_id: str, agent: str, text: str, posted_at: datetime,
                     trainee: bool, topic: str = "", first_response: bool = False, sla_kind: str = "",
                     sla_breached: bool = False, department: str = "", template: str = "",
                     first_response_s: float | None = None) -> None:
        # The text is not kept here (it may name the customer): it is read back from the inquiry's conversation,
        # so erasing a customer's inquiries (activecare erase) takes it too.
        del text
        self.replies.add(ReplyRecord(tweet_id, inquiry_id, agent, "", posted_at, jst_date(posted_at), trainee,
                                     topic, first_response, sla_kind, sla_breached, department, template,
                                     first_response_s))

    def _texts(self, pairs: list[tuple[str, str]]) -> dict[str, str]:
        """Our replies' texts, by tweet id, from their inquiries' conversations ((inquiry id, tweet id) pairs)."""
        if self.conversations is None or not pairs:
            return {}
        threads = self.conversations.get_many(sorted({i for i, _ in pairs}))
        wanted = {t for _, t in pairs}
        return {p.tweet_id: p.text for posts in threads.values() for p in posts if p.tweet_id in wanted}

    # --- the review queue (supervisors) ------------------------------------------------------------------

    def queue(self, who: Who, day: str | None = None, *, only_open: bool = False) -> ReviewQueue:
        """The day's sampled replies, oldest first, each with its review if it has one."""
        _supervisor(who, "see the review queue")
        day = self._day(day)
        std, _, _ = self.standards()
        rows = self.replies.day(day)
        sampled = [r for r in rows if std.samples(r.tweet_id, r.agent, day, trainee=r.trainee)]
        reviews = self.reviews.get_many([r.tweet_id for r in sampled]) if sampled else {}
        shown = [r for r in sampled if not (only_open and r.tweet_id in reviews)]
        texts = self._texts([(r.inquiry_id, r.tweet_id) for r in shown])
        items = [QueueItem(tweet_id=r.tweet_id, inquiry_id=r.inquiry_id, agent=r.agent, text=texts.get(r.tweet_id, ""),
                           posted_at=r.posted_at, trainee=r.trainee, topic=r.topic,
                           review=_view(reviews[r.tweet_id], texts.get(r.tweet_id, "")) if r.tweet_id in reviews
                           else None)
                 for r in shown]
        return ReviewQueue(day=day, replies=len(rows), sampled=len(sampled),
                           reviewed=sum(1 for r in sampled if r.tweet_id in reviews), items=items)

    def review(self, who: Who, tweet_id: str, scores: dict[str, int], comment: str,
               expect_version: int = 0) -> ReviewView:
        """Score a reply on every criterion (a new review: expect_version 0; a revision: the version it revises)."""
        actor = _supervisor(who, "review a reply")
        reply = self._reply(tweet_id)
        std, _, _ = self.standards()
        problems = []
        for key in scores:
            if std.criterion(key) is None:
                problems.append(f"{key}: not a criterion of the skill standards")
        for c in std.criteria:
            if c.key not in scores:
                problems.append(f"{c.key} ({c.name}): not scored")
            elif not c.low <= scores[c.key] <= c.high:
                problems.append(f"{c.key} ({c.name}): {scores[c.key]} is outside {c.low}-{c.high}")
        if problems:
            raise BadRequest("; ".join(problems), code="bad_scores", problems=problems)
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise BadRequest(f"the comment is over {MAX_COMMENT} characters", code="bad_comment")
        current = self.reviews.get(tweet_id)
        found = current.version if current else 0
        if expect_version != found:
            by = current.current.reviewer if current else "-"
            raise Conflict(f"the review is at version {found} (last saved by {by}); reload it and revise that "
                           "version", code="review_changed", version=found)
        now = self.clock()
        version = ReviewVersion(found + 1, actor, now, dict(scores), comment)
        history = (*current.history, current.current) if current else ()
        new = Review(tweet_id, reply.inquiry_id, reply.agent, reply.day, version, history,
                     current.acknowledged_version if current else 0, current.acknowledged_at if current else None)
        if not self.reviews.save(new, found):
            latest = self.reviews.get(tweet_id)
            raise Conflict("another supervisor saved this review first; reload it and revise that version",
                           code="review_changed", version=latest.version if latest else 0)
        return _view(new, self._texts([(reply.inquiry_id, tweet_id)]).get(tweet_id, ""))

    def get_review(self, who: Who, tweet_id: str) -> ReviewView:
        review = self.reviews.get(tweet_id) if _TWEET.match(tweet_id or "") else None
        if review is None or (review.agent != who.name and not supervises(who.roles)):
            raise NotFound(f"no review of reply {tweet_id[:20]}", code="unknown_review")
        return _view(review, self._texts([(review.inquiry_id, tweet_id)]).get(tweet_id, ""))

    # --- feedback (the agent) ------------------------------------------------------------------------------

    def feedback(self, who: Who) -> FeedbackList:
        """The caller's reviews, newest first; unread: reviews (or revisions) not acknowledged yet."""
        rows = self.reviews.by_agent(who.name)
        texts = self._texts([(r.inquiry_id, r.tweet_id) for r in rows])
        items = [_view(r, texts.get(r.tweet_id, "")) for r in rows]
        return FeedbackList(agent=who.name, unread=sum(1 for r in rows if r.unread), items=items)

    def acknowledge(self, who: Who, tweet_id: str, version: int) -> ReviewView:
        review = self.reviews.get(tweet_id) if _TWEET.match(tweet_id or "") else None
        if review is None or review.agent != who.name:
            raise NotFound(f"no review of your reply {tweet_id[:20]}", code="unknown_review")
        if version != review.version:
            raise Conflict(f"the review was revised (now version {review.version}); read it again",
                           code="review_changed", version=review.version)
        if review.acknowledged_version < version and not self.reviews.acknowledge(tweet_id, version, self.clock()):
            latest = self.reviews.get(tweet_id)
            raise Conflict("the review was revised meanwhile; read it again", code="review_changed",
                           version=latest.version if latest else version)
        return self.get_review(who, tweet_id)

    # --- the case library ----------------------------------------------------------------------------------

    def mark_case(self, who: Who, inquiry_id: str, kind: str, note: str) -> CaseView:
        """A supervisor puts a conversation in the library as a good or a bad example, masked now (usernames and
        personal data), so the library outlives the inquiry and holds no personal data."""
        actor = _supervisor(who, "add to the case library")
        if kind not in ("good", "bad"):
            raise BadRequest("kind must be good or bad", code="bad_kind")
        note = (note or "").strip()
        if not 1 <= len(note) <= MAX_COMMENT:
            raise BadRequest(f"a note of 1-{MAX_COMMENT} characters is needed", code="bad_note")
        thread = self.conversations.thread(inquiry_id) if self.conversations and _TWEET.match(inquiry_id) else None
        if thread is None or self.cases is None:
            raise NotFound(f"no inquiry {inquiry_id[:20]}", code="unknown_inquiry")
        posts = tuple(("お客様" if d == "in" else (agent or "サポート"),
                       mask(text, thread.author_username, self.keep_handles), f"{to_jst(at):%m/%d %H:%M}")
                      for d, text, at, agent in thread.posts)
        case = Case(inquiry_id, kind, mask(note, thread.author_username, self.keep_handles), thread.topic, actor,
                    self.clock(), posts)
        self.cases.put(case)
        return _case(case)

    def case_library(self, who: Who) -> CaseList:
        _supervisor(who, "see the case library")
        return CaseList(items=[_case(c) for c in self.cases.all()] if self.cases else [])

    def training_pack(self, who: Who, form: str) -> str:
        """The library as CSV or HTML (masked when marked)."""
        _supervisor(who, "export the case library")
        cases = self.cases.all() if self.cases else []
        return pack_csv(cases) if form == "csv" else pack_html(cases)

    # --- figures -----------------------------------------------------------------------------------------------

    def figures(self, day: str | None = None) -> QaFigures:
        """Per agent: the day's replies, sampled, reviewed, mean score per criterion and overall (0-1)."""
        day = self._day(day)
        std, _, _ = self.standards()
        rows = self.replies.day(day)
        reviews = self.reviews.get_many([r.tweet_id for r in rows]) if rows else {}
        agents: dict[str, AgentQa] = {}
        for agent in sorted({r.agent for r in rows}):
            mine = [r for r in rows if r.agent == agent]
            done = [reviews[r.tweet_id] for r in mine if r.tweet_id in reviews]
            averages: dict[str, float] = {}
            normalised = []
            for c in std.criteria:
                got = [v.current.scores[c.key] for v in done if c.key in v.current.scores]
                if got:
                    averages[c.key] = round(sum(got) / len(got), 2)
                    normalised.append((averages[c.key] - c.low) / (c.high - c.low))
            agents[agent] = AgentQa(
                replies=len(mine), sampled=sum(1 for r in mine if std.samples(r.tweet_id, agent, day,
                                                                               trainee=r.trainee)),
                reviewed=len(done), averages=averages,
                overall=round(sum(normalised) / len(normalised), 3) if normalised else None,
                first_responses=sum(1 for r in mine if r.first_response),
                sla_breaches=sum(1 for r in mine if r.first_response and r.sla_breached))
        reactions = self._reactions(rows)
        templates: dict[str, dict[str, int]] = {}
        for r in rows:
            seen = reactions.get(r.tweet_id)
            if seen is not None:
                counts = templates.setdefault(r.template, dict.fromkeys(REACTIONS, 0))
                counts[seen] += 1
        for agent, row in agents.items():
            counts = dict.fromkeys(REACTIONS, 0)
            for r in rows:
                if r.agent == agent and r.tweet_id in reactions:
                    counts[reactions[r.tweet_id]] += 1
            judged = counts["thanks"] + counts["unhappy"]
            agents[agent] = row.model_copy(update={
                "reactions": counts, "satisfaction": round(counts["thanks"] / judged, 3) if judged else None})
        firsts = [r for r in rows if r.first_response]
        topics = {t: TopicSla(first_responses=sum(1 for r in firsts if r.topic == t),
                              sla_breaches=sum(1 for r in firsts if r.topic == t and r.sla_breached))
                  for t in sorted({r.topic for r in firsts})}
        return QaFigures(day=day, agents=agents, topics=topics, templates=templates)

    def _reactions(self, rows: list[ReplyRecord]) -> dict[str, str]:
        """Each reply's customer reaction: their next post in the conversation after it (it arrives through
        listening), classified thanks / unhappy / none; no_reply while they have not posted again."""
        if self.conversations is None or not rows:
            return {}
        threads = self.conversations.get_many(sorted({r.inquiry_id for r in rows}))
        out = {}
        for r in rows:
            posts = threads.get(r.inquiry_id)
            if posts is None:
                continue
            after = sorted((p for p in posts if p.direction == "in" and int(p.tweet_id) > int(r.tweet_id)),
                           key=lambda p: int(p.tweet_id))
            out[r.tweet_id] = reaction(after[0].text) if after else "no_reply"
        return out

    # --- the weekly team report ------------------------------------------------------------------------------

    def weekly(self, who: Who, *, weeks: int = 4, day: str | None = None) -> WeeklyReport:
        """Per agent and week (Monday-Sunday JST, the last `weeks` up to `day`'s): scores by criterion, first
        response p50/p90, SLA breaches, the customers' reactions and the e-mail form rate."""
        _supervisor(who, "see the weekly QA report")
        if not 1 <= weeks <= 12:
            raise BadRequest("weeks must be 1-12", code="bad_weeks")
        last = date.fromisoformat(self._day(day))
        monday = last - timedelta(days=last.weekday())
        starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
        std, _, _ = self.standards()
        by_week: dict[str, list[ReplyRecord]] = {}
        for start in starts:
            rows: list[ReplyRecord] = []
            for n in range(7):
                d = start + timedelta(days=n)
                if d <= last:
                    rows += self.replies.day(d.isoformat())
            by_week[start.isoformat()] = rows
        agents = sorted({r.agent for rows in by_week.values() for r in rows})
        table: dict[str, list[WeekRow]] = {a: [] for a in agents}
        for rows in by_week.values():
            reviews = self.reviews.get_many([r.tweet_id for r in rows]) if rows else {}
            reactions = self._reactions(rows)
            for agent in agents:
                table[agent].append(_week_row([r for r in rows if r.agent == agent], reviews, reactions, std))
        return WeeklyReport(weeks=list(by_week), criteria={c.key: c.name for c in std.criteria}, agents=table)

    # --- helpers -------------------------------------------------------------------------------------------------

    def _day(self, day: str | None) -> str:
        day = day or jst_date(self.clock())
        if not _DAY.match(day):
            raise BadRequest("day must be YYYY-MM-DD", code="bad_day")
        return day

    def _reply(self, tweet_id: str) -> ReplyRecord:
        reply = self.replies.get(tweet_id) if _TWEET.match(tweet_id or "") else None
        if reply is None:
            raise NotFound(f"no reply {tweet_id[:20]} recorded by the desk", code="unknown_reply")
        return reply


def _supervisor(who: Who, what: str) -> str:
    if not supervises(who.roles):
        raise Forbidden(f"only a supervisor may {what}", code="supervisors_only")
    return who.name


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _week_row(mine: list[ReplyRecord], reviews: dict[str, Review], reactions: dict[str, str],
              std: Standards) -> WeekRow:
    done = [reviews[r.tweet_id] for r in mine if r.tweet_id in reviews]
    scores: dict[str, float] = {}
    normalised = []
    for c in std.criteria:
        got = [v.current.scores[c.key] for v in done if c.key in v.current.scores]
        if got:
            scores[c.key] = round(sum(got) / len(got), 2)
            normalised.append((scores[c.key] - c.low) / (c.high - c.low))
    waits = [r.first_response_s / 60 for r in mine if r.first_response and r.first_response_s is not None]
    seen = [reactions[r.tweet_id] for r in mine if r.tweet_id in reactions]
    judged = seen.count("thanks") + seen.count("unhappy")
    p50, p90 = _percentile(waits, 0.5), _percentile(waits, 0.9)
    return WeekRow(replies=len(mine), reviewed=len(done), scores=scores,
                   overall=round(sum(normalised) / len(normalised), 3) if normalised else None,
                   first_responses=sum(1 for r in mine if r.first_response),
                   first_response_p50_min=round(p50, 1) if p50 is not None else None,
                   first_response_p90_min=round(p90, 1) if p90 is not None else None,
                   sla_breaches=sum(1 for r in mine if r.first_response and r.sla_breached),
                   satisfaction=round(seen.count("thanks") / judged, 3) if judged else None,
                   email_form_rate=round(sum(1 for r in mine if r.template == "email_form") / len(mine), 3)
                   if mine else None)


def _case(c: Case) -> CaseView:
    return CaseView(inquiry_id=c.inquiry_id, kind=c.kind, note=c.note, topic=c.topic, marked_by=c.marked_by,
                    marked_at=c.marked_at, posts=list(c.posts))


def _version(v: ReviewVersion) -> VersionView:
    return VersionView(version=v.version, reviewer=v.reviewer, at=v.at, scores=v.scores, comment=v.comment)


def _view(r: Review, reply_text: str) -> ReviewView:
    c = r.current
    return ReviewView(tweet_id=r.tweet_id, inquiry_id=r.inquiry_id, agent=r.agent, day=r.day, version=c.version,
                      reviewer=c.reviewer, at=c.at, scores=c.scores, comment=c.comment, unread=r.unread,
                      acknowledged_version=r.acknowledged_version,
                      history=[_version(v) for v in reversed(r.history)], reply_text=reply_text)
