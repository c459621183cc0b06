"""Simulated desk agents working the queue on the local stack, minute by minute.

Each free agent (during 09:00-20:00 JST) claims the most urgent inquiry, reads it (history
first), picks the saved reply for its topic - now and then typing personal data by mistake,
which the desk refuses and answers with the e-mail form reply - and replies. Where the access
level forbids an API reply, the agent "sends it by hand" (the fake X app, with the account's
token) and confirms it. Then the inquiry is resolved and the agent is busy for a few minutes.

    team = DeskAgents(stack, agents=10, seed=7)
    for each simulated minute: team.work_minute()
    team.summary()  # replies, median first response, refusals by reason, API cost

The team are members of the stack's staff user pool - each agent in `agents`, their supervisor in
`supervisors` - with known passwords (`team.passwords`), so a person can sign in as any of them.

Each agent has a skill level (`team.skill`, 0.5-0.95, fixed by the seed): the less skilled type personal data
by mistake more often and take longer; the simulated supervisor's reviews (infra/qa_sim.py) score by it. With
`trainees`, the last agents are also in `trainees`: their replies wait for the supervisor's approval (qa_sim).
"""

from __future__ import annotations

import random
import statistics
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from activecare.clock import to_jst
from activecare.desk.errors import Conflict, DeskError, NotFound, Refused
from activecare.desk.models import Actor, ReplyResult
from activecare.desk.service import DeskService
from activecare.hours import in_service_hours, jst_date
from infra.local_stack import LocalStack

NAMES = ("sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto", "nakamura", "kobayashi", "kato",
         "yoshida", "yamada")
MISTAKES = ("お手数ですが、090-1234-5678までお電話いただけますか。",
            "詳細は support.desk@example.co.jp までお送りください。")
SUPERVISOR = "kimura"
IDLE_LOOK = timedelta(minutes=5)
EDITS = ("引き続きよろしくお願いいたします。", "何卒よろしくお願いいたします。", "お手数をおかけいたします。")


@dataclass
class TeamStats:
    handled: int = 0
    replies: int = 0
    manual_sent: int = 0
    no_reply_needed: int = 0
    duplicate_edits: int = 0  # replies X refused as duplicate content, edited and sent again
    not_customers: int = 0  # resolved without reply: the tweet was news, a bot or off-topic
    held: int = 0  # trainees' replies held for the supervisor's approval
    refusals: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


class DeskAgents:
    def __init__(self, stack: LocalStack, *, agents: int = 10, seed: int = 7, mistake_rate: float = 0.05,
                 minutes_per_inquiry: tuple[int, int] = (2, 6),
                 not_a_customer: Callable[[str], bool] | None = None, exclude: frozenset[str] = frozenset(),
                 trainees: int = 0) -> None:
        """`not_a_customer(tweet_id)`: what an agent sees on reading the tweet - a news headline, a bot, a
        keyword used about something else (the seed's ground truth) - and resolves without a reply.
        `exclude`: names already taken (the people signed in to a live desk)."""
        names = tuple(n for n in NAMES if n not in exclude)
        if not 1 <= agents <= len(names):
            raise ValueError(f"agents must be 1-{len(names)}")
        self.stack = stack
        self.clock = stack.clock
        self.names = names[:agents]
        self.trainees = frozenset(self.names[len(self.names) - trainees:]) if trainees else frozenset()
        pool = stack.staff_pool()
        with stack.aws_meter.channel("setup"):
            self.passwords = pool.create_staff({**{name: ("agents", "trainees") if name in self.trainees
                                                   else ("agents",) for name in self.names},
                                                SUPERVISOR: ("supervisors",)})
        levels = random.Random(seed * 31 + 1)  # apart from `rng`: the skills do not shift the day's other draws
        self.skill = {name: round(levels.uniform(0.5, 0.95), 2) for name in self.names}
        for name in self.trainees:
            self.skill[name] = round(min(self.skill[name], 0.6), 2)
        self.rng = random.Random(seed)
        self.mistake_rate = mistake_rate
        self.minutes = minutes_per_inquiry
        self.busy_until: dict[str, datetime] = {}
        self.not_a_customer = not_a_customer or (lambda tweet_id: False)
        self.stats = TeamStats()
        self.days: set[str] = set()
        # What a desk UI shows without asking: whether something arrived since the list was last
        # found empty. Idle agents look at the list again when it has, and every IDLE_LOOK anyway
        # (an expired claim or a reopened inquiry shows up there without a new arrival).
        self.maybe_new = True
        self.last_look: datetime | None = None

    @property
    def desk(self) -> DeskService:
        return self.stack.runtime.desk()

    def notice(self, arrived: int) -> None:
        """The listening spine delivered `arrived` tweets to the worker this minute (new inquiries,
        customers' replies joining one): the desk's list may have changed."""
        if arrived:
            self.maybe_new = True

    def due(self) -> bool:
        """An agent is free and the list may hold something for them (see `maybe_new`)."""
        now = self.clock()
        if not in_service_hours(now) or all(self.busy_until.get(a, now) > now for a in self.names):
            return False
        return self.maybe_new or self.last_look is None or now - self.last_look >= IDLE_LOOK

    def work_minute(self) -> None:
        """Every free agent takes one inquiry (nothing happens outside service hours)."""
        now = self.clock()
        if not in_service_hours(now):
            return
        self.days.add(jst_date(now))
        self.last_look = now
        desk = self.desk
        for agent in self.names:
            if self.busy_until.get(agent, now) > now:
                continue
            try:
                claimed = desk.claim_next(agent)
            except NotFound:
                self.maybe_new = False
                return  # the queue is empty
            self._handle(desk, agent, claimed.inquiry_id)
            slower = 1.0 + (0.95 - self.skill[agent])  # the least skilled take up to half as long again
            self.busy_until[agent] = now + timedelta(minutes=round(self.rng.randint(*self.minutes) * slower))

    def _handle(self, desk: DeskService, agent: str, inquiry_id: str) -> None:
        self.stats.handled += 1
        shown = desk.show(inquiry_id).model_dump(mode="json")  # history first: a returning customer gets the context
        inq = shown["inquiry"]
        if not inq["direct"] and self.not_a_customer(inq["tweet"]["id"]):
            desk.resolve(inquiry_id, agent, "no_reply_needed")
            self.stats.no_reply_needed += 1
            self.stats.not_customers += 1
            return
        if inq["sentiment"] == "neutral" and not inq["direct"] and self.rng.random() < 0.1:
            desk.resolve(inquiry_id, agent, "no_reply_needed")
            self.stats.no_reply_needed += 1
            return
        key = "thanks" if inq["sentiment"] == "praise" else shown["suggested_templates"][0]["key"]
        template = desk.templates.get(key)
        text = template.render(inq["author_username"])
        if template.link and inq["sentiment"] == "neutral":
            text += f" {template.link}"  # a question gets the page with the details; a complaint the steps only
        if self.rng.random() < self.mistake_rate * (1.45 - self.skill[agent]) / 0.725:  # the skill's mean: the rate
            text = text.split("。")[0] + "。" + self.rng.choice(MISTAKES)  # personal data typed by mistake
        outcome = template.outcome
        base, edits = text, 0
        for _ in range(4):
            try:
                result = desk.reply(inquiry_id, self.actor(agent), text, uuid.uuid4().hex)
            except Refused as exc:
                self.stats.refusals[exc.code] += 1
                if exc.code != "personal_data":
                    desk.release(inquiry_id, agent)
                    self.maybe_new = True  # back on the list
                    return
                text, outcome = exc.extra["offer"]["text"], "email_form"
                base = text
                continue
            except Conflict as exc:
                if exc.code != "duplicate_content":
                    self.stats.errors[exc.code] += 1
                    return
                edits += 1
                text = edited(base, edits, inq["created_at"])  # the agent edits the saved reply
                continue
            except DeskError as exc:
                self.stats.errors[exc.code] += 1
                return
            if result.status == "held":  # a trainee's: the supervisor approves it (qa_sim) and resolves
                self.stats.held += 1
                return
            if result.status == "prepared":
                if not self._send_by_hand(result, text):  # X refused the text as duplicate content
                    edits += 1
                    text = edited(base, edits, inq["created_at"])
                    continue
                result = desk.confirm(inquiry_id, agent, result.client_token)
                self.stats.manual_sent += 1
            self.stats.replies += 1
            self.stats.duplicate_edits += edits
            desk.resolve(inquiry_id, agent, outcome)
            return
        self.stats.duplicate_edits += edits
        self.stats.errors["gave_up"] += 1
        desk.release(inquiry_id, agent)
        self.maybe_new = True

    def actor(self, agent: str) -> Actor:
        return Actor(agent, frozenset({"agents", "trainees"} if agent in self.trainees else {"agents"}))

    def _send_by_hand(self, prepared: ReplyResult, text: str) -> bool:
        """What the agent does with the intent link: send it from the X app as the support account.
        False when X refuses it as duplicate content."""
        key = next(a.key for a in self.stack.settings.accounts if a.username == prepared.account)
        if prepared.intent_url:  # what the intent link carries (an e-mail-form reply's single-use link included)
            text = dict(parse_qsl(urlsplit(prepared.intent_url).query)).get("text", text)
        resp = requests.post(f"{self.stack.twitter_url}/_fake/by_hand", timeout=10, json={
            "token": self.stack.account_tokens[key], "text": text, "in_reply_to": prepared.in_reply_to})
        if resp.status_code == 400 and "duplicate content" in resp.text:
            return False
        if resp.status_code != 200:
            raise RuntimeError(f"sending by hand failed: {resp.status_code} {resp.text}")
        return True

    def summary(self) -> dict[str, Any]:
        """The desk's own figures for the simulated day(s), plus what the team saw."""
        figures = [self.desk.figures(day).model_dump(mode="json") for day in sorted(self.days)]
        desk_rows = [f["desk"] for f in figures]
        medians = [row["median_first_response_s"] for row in desk_rows if row["median_first_response_s"] is not None]
        refusals: Counter[str] = Counter()
        for row in desk_rows:
            refusals.update(row["refusals"])
        return {
            "handled": self.stats.handled,
            "replies": sum(r["replies"] for r in desk_rows),
            "api_posts": sum(r["api_posts"] for r in desk_rows),
            "manual_posts": sum(r["manual_posts"] for r in desk_rows),
            "email_form_guidance": sum(r["email_form_guidance"] for r in desk_rows),
            "no_reply_needed": self.stats.no_reply_needed,
            "duplicate_edits": self.stats.duplicate_edits,
            "not_customers": self.stats.not_customers,
            "median_first_response_min": round(statistics.median(medians) / 60, 1) if medians else None,
            "refusals": {k: v for k, v in refusals.items() if v},
            "errors": dict(self.stats.errors),
            "api_cost_usd": round(sum(f["api_cost"]["usd"] for f in figures), 4),
            "api_posts_with_url": sum(f["api_cost"]["posts_with_url"] for f in figures),
            "by_agent": {a: x for f in figures for a, x in f["agents"].items()},
        }


def edited(base: str, edits: int, created_at: str) -> str:
    """The saved reply as an agent rewrites it after X refused it as duplicate content (the account sent this
    text to this customer in the last 24 hours): another closing, then a reference to the customer's post by
    its time, which no other reply carries. Each edit starts again from the saved reply, so it stays short."""
    text = base
    if edits >= 2:
        at = to_jst(datetime.fromisoformat(created_at))
        ref = f"{at:%H:%M}のご投稿について、"
        head, sep, tail = text.partition("様、")
        text = f"{head}{sep}{ref}{tail}" if sep else ref + text
    return text + EDITS[(edits - 1) % len(EDITS)]


def work_queue(team: DeskAgents) -> None:
    """One simulated minute of desk work (call after the poller and worker ran for the minute). Every free
    agent looks at the list; a caller that reports arrivals (`notice`) can skip idle minutes with `due()`."""
    team.work_minute()
