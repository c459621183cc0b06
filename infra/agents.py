"""Simulated desk agents working the queue on the local stack, minute by minute.

Each free agent (during 09:00-20:00 JST) claims the most urgent inquiry, reads it (history
first), picks the saved reply for its topic - now and then typing personal data by mistake,
which the desk refuses and answers with the e-mail form reply - and replies. Where the access
level forbids an API reply, the agent "sends it by hand" (the fake X app, with the account's
token) and confirms it. Then the inquiry is resolved and the agent is busy for a few minutes.

    team = DeskAgents(stack, agents=10, seed=7)
    for each simulated minute: team.work_minute()
    team.summary()  # replies, median first response, refusals by reason, API cost
"""

from __future__ import annotations

import random
import statistics
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from activecare.desk.errors import Conflict, DeskError, NotFound, Refused
from activecare.desk.service import DeskService
from activecare.hours import in_service_hours, jst_date
from infra.local_stack import LocalStack

NAMES = ("sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto", "nakamura", "kobayashi", "kato",
         "yoshida", "yamada")
MISTAKES = ("お手数ですが、090-1234-5678までお電話いただけますか。",
            "詳細は support.desk@example.co.jp までお送りください。")
EDITS = ("引き続きよろしくお願いいたします。", "何卒よろしくお願いいたします。", "お手数をおかけいたします。")


@dataclass
class TeamStats:
    handled: int = 0
    replies: int = 0
    manual_sent: int = 0
    no_reply_needed: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


class DeskAgents:
    def __init__(self, stack: LocalStack, *, agents: int = 10, seed: int = 7, mistake_rate: float = 0.05,
                 minutes_per_inquiry: tuple[int, int] = (2, 6)) -> None:
        if not 1 <= agents <= len(NAMES):
            raise ValueError(f"agents must be 1-{len(NAMES)}")
        self.stack = stack
        self.clock = stack.clock
        self.names = NAMES[:agents]
        self.rng = random.Random(seed)
        self.mistake_rate = mistake_rate
        self.minutes = minutes_per_inquiry
        self.busy_until: dict[str, datetime] = {}
        self.stats = TeamStats()
        self.days: set[str] = set()

    @property
    def desk(self) -> DeskService:
        return self.stack.runtime.desk()

    def work_minute(self) -> None:
        """Every free agent takes one inquiry (nothing happens outside service hours)."""
        now = self.clock()
        if not in_service_hours(now):
            return
        self.days.add(jst_date(now))
        desk = self.desk
        for agent in self.names:
            if self.busy_until.get(agent, now) > now:
                continue
            try:
                claimed = desk.claim_next(agent)
            except NotFound:
                return  # the queue is empty
            self._handle(desk, agent, claimed["inquiry_id"])
            self.busy_until[agent] = now + timedelta(minutes=self.rng.randint(*self.minutes))

    def _handle(self, desk: DeskService, agent: str, inquiry_id: str) -> None:
        self.stats.handled += 1
        shown = desk.show(inquiry_id)  # history first: a returning customer gets the context
        inq = shown["inquiry"]
        if inq["sentiment"] == "neutral" and not inq["direct"] and self.rng.random() < 0.1:
            desk.resolve(inquiry_id, agent, "no_reply_needed")
            self.stats.no_reply_needed += 1
            return
        key = "thanks" if inq["sentiment"] == "praise" else shown["suggested_templates"][0]["key"]
        template = desk.templates.get(key)
        text = template.render(inq["author_username"])
        if self.rng.random() < self.mistake_rate:
            text = text.split("。")[0] + "。" + self.rng.choice(MISTAKES)  # personal data typed by mistake
        outcome = template.outcome
        for attempt in range(4):
            try:
                result = desk.reply(inquiry_id, agent, text, uuid.uuid4().hex)
            except Refused as exc:
                self.stats.refusals[exc.code] += 1
                if exc.code != "personal_data":
                    desk.release(inquiry_id, agent)
                    return
                text, outcome = exc.extra["offer"]["text"], "email_form"
                continue
            except Conflict as exc:
                if exc.code != "duplicate_content":
                    self.stats.errors[exc.code] += 1
                    return
                text = text + EDITS[attempt % len(EDITS)]  # the agent edits the saved reply
                continue
            except DeskError as exc:
                self.stats.errors[exc.code] += 1
                return
            if result["status"] == "prepared":
                if not self._send_by_hand(result, text):  # X refused the text as duplicate content
                    text = text + EDITS[attempt % len(EDITS)]
                    continue
                result = desk.confirm(inquiry_id, agent, result["client_token"])
                self.stats.manual_sent += 1
            self.stats.replies += 1
            desk.resolve(inquiry_id, agent, outcome)
            return
        self.stats.errors["gave_up"] += 1
        desk.release(inquiry_id, agent)

    def _send_by_hand(self, prepared: dict[str, Any], text: str) -> bool:
        """What the agent does with the intent link: send it from the X app as the support account.
        False when X refuses it as duplicate content."""
        key = next(a.key for a in self.stack.settings.accounts if a.username == prepared["account"])
        resp = requests.post(f"{self.stack.twitter_url}/_fake/by_hand", timeout=10, json={
            "token": self.stack.account_tokens[key], "text": text, "in_reply_to": prepared["in_reply_to"]})
        if resp.status_code == 400 and "duplicate content" in resp.text:
            return False
        if resp.status_code != 200:
            raise RuntimeError(f"sending by hand failed: {resp.status_code} {resp.text}")
        return True

    def summary(self) -> dict[str, Any]:
        """The desk's own figures for the simulated day(s), plus what the team saw."""
        figures = [self.desk.figures(day) for day in sorted(self.days)]
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
            "median_first_response_min": round(statistics.median(medians) / 60, 1) if medians else None,
            "refusals": {k: v for k, v in refusals.items() if v},
            "errors": dict(self.stats.errors),
            "api_cost_usd": round(sum(f["api_cost"]["usd"] for f in figures), 4),
            "api_posts_with_url": sum(f["api_cost"]["posts_with_url"] for f in figures),
            "by_agent": {a: x for f in figures for a, x in f["agents"].items()},
        }


def work_queue(team: DeskAgents) -> None:
    """One simulated minute of desk work (call after the poller and worker ran for the minute)."""
    team.work_minute()
