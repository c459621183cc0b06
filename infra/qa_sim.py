"""The simulated day's quality work (issue 17): the supervisor approves the trainees' held replies every minute
(editing some), reviews the sampled replies every half hour with scores that follow each agent's skill level
(infra/agents.py), revises a review now and then, and the agents acknowledge their feedback. The QA figures per
agent land in the day's summary.

    qa = QaDay(stack, team)          # after DeskAgents: imports the packaged skill standards
    each simulated minute: qa.minute()
    qa.rows()                        # [(label, value), ...] for the summary table
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from activecare.desk.errors import DeskError
from activecare.desk.models import Actor
from activecare.errors import AppError
from activecare.hours import in_service_hours, jst_date
from activecare.qa.standards import default_standards
from infra.agents import SUPERVISOR, DeskAgents
from infra.local_stack import LocalStack

REVIEW_EVERY_MIN = 30
COMMENTS = {
    "high": ("丁寧で分かりやすい返信です。この調子でお願いします。",
             "お詫びと次の手順が明確で、お手本になる返信です。"),
    "mid": ("要点は伝わっています。冒頭のお詫びにもう一言、共感を添えましょう。",
            "案内は正確です。次にお客様がすることを先に書くと、より簡潔になります。"),
    "low": ("テンプレートのままで、お客様の状況に触れていません。一言添えてから案内しましょう。",
            "個人情報に触れる案内は公開の返信では避け、メールフォームへご案内してください。"),
}
APPROVAL_EDIT = "ご不便をおかけして申し訳ございません。"


class QaDay:
    def __init__(self, stack: LocalStack, team: DeskAgents, *, seed: int = 7) -> None:
        self.stack = stack
        self.team = team
        self.clock = stack.clock
        self.rng = random.Random(seed * 17 + 3)
        self.supervisor = Actor(SUPERVISOR, frozenset({"supervisors"}))
        self.standards = default_standards()
        with stack.aws_meter.channel("setup"):
            stack.runtime.qa().import_standards(self.standards)  # as `activecare qa import` does
        self.days: set[str] = set()
        self.counts: Counter[str] = Counter()
        self._last_review = -REVIEW_EVERY_MIN
        self._unfinished: dict[str, tuple[str, str | None]] = {}  # token -> (inquiry, edit): approvals to retry

    def minute(self) -> None:
        now = self.clock()
        if not in_service_hours(now, self.stack.settings.service_hours):
            return
        self.days.add(jst_date(now))
        with self.stack.aws_meter.channel("qa"):
            if self.team.trainees:
                self._approve()
            minute = now.hour * 60 + now.minute
            if minute - self._last_review >= REVIEW_EVERY_MIN:
                self._last_review = minute
                self._review(jst_date(now))
                self._acknowledge()

    def _approve(self) -> None:
        desk = self.stack.runtime.desk()
        for token, (iid, text) in list(self._unfinished.items()):  # an approval whose answer failed: retry it
            try:                                                    # (same token: posted once, or recorded)
                result = desk.approve(iid, self.supervisor, token, text)
                del self._unfinished[token]
                if result.status == "posted":
                    self.counts["approved"] += 1
                    self.counts["approved_edited"] += text is not None
                    form = desk.templates.form_url in (text or "")
                    desk.resolve(iid, self.supervisor, "email_form" if form else "answered")
            except (DeskError, AppError) as exc:
                self.counts[f"approval_retry_{exc.code}"] += 1
                if exc.status < 500:
                    self._unfinished.pop(token, None)
        for held in desk.held_replies(self.supervisor).items:
            text = None
            if self.rng.random() < 0.3 and APPROVAL_EDIT not in held.text:  # the supervisor adds an apology
                head, sep, tail = held.text.partition("様、")
                text = f"{head}{sep}{APPROVAL_EDIT}{tail}" if sep else None
            try:
                if self.rng.random() < 0.05:
                    desk.reject(held.inquiry_id, self.supervisor, held.client_token,
                                "案内の前に、お客様の状況を確認する一言を入れてください。")
                    self.counts["rejected"] += 1
                    desk.release(held.inquiry_id, held.agent)  # back to the queue for another try
                    self.team.maybe_new = True
                    continue
                result = desk.approve(held.inquiry_id, self.supervisor, held.client_token, text)
                if result.status == "prepared" and result.intent_url:
                    if not self.team._send_by_hand(result, text or held.text):
                        self.counts["approval_errors"] += 1
                        continue
                    desk.confirm(held.inquiry_id, self.supervisor, held.client_token)
                self.counts["approved"] += 1
                self.counts["approved_edited"] += text is not None
                form = desk.templates.form_url in (text or held.text)
                desk.resolve(held.inquiry_id, self.supervisor, "email_form" if form else "answered")
            except (DeskError, AppError) as exc:
                self.counts[f"approval_{exc.code}"] += 1
                if exc.status >= 500:  # the desk died or X did not answer: the supervisor presses it again
                    self._unfinished[held.client_token] = (held.inquiry_id, text)

    def _score(self, agent: str) -> tuple[dict[str, int], str]:
        skill = self.team.skill.get(agent, 0.75)
        scores = {}
        for c in self.standards.criteria:
            raw = c.low + skill * (c.high - c.low) + self.rng.gauss(0, 0.6)
            scores[c.key] = max(c.low, min(c.high, round(raw)))
        band = "high" if skill >= 0.8 else "mid" if skill >= 0.65 else "low"
        return scores, self.rng.choice(COMMENTS[band])

    def _review(self, day: str) -> None:
        qa = self.stack.runtime.qa()
        queue = qa.queue(self.supervisor, day, only_open=True)
        for item in queue.items:
            scores, comment = self._score(item.agent)
            review = qa.review(self.supervisor, item.tweet_id, scores, comment)
            self.counts["reviews"] += 1
            if self.rng.random() < 0.1:  # a second look: the supervisor revises it (the first version is kept)
                scores = {k: min(v + 1, self.standards.criteria[0].high) for k, v in scores.items()}
                qa.review(self.supervisor, item.tweet_id, scores, comment + "（見直して加点しました）",
                          review.version)
                self.counts["revisions"] += 1

    def _acknowledge(self) -> None:
        qa = self.stack.runtime.qa()
        for agent in self.team.names:
            who = self.team.actor(agent)
            for r in qa.feedback(who).items:
                if r.unread and self.rng.random() < 0.8:  # most read their feedback between inquiries
                    qa.acknowledge(who, r.tweet_id, r.version)
                    self.counts["acknowledged"] += 1

    def figures(self) -> dict[str, Any]:
        qa = self.stack.runtime.qa()
        return {day: qa.figures(day).model_dump(mode="json") for day in sorted(self.days)}

    def rows(self) -> list[tuple[str, object]]:
        """The summary table's QA rows: the work, then per agent skill, reviews, score and SLA breaches."""
        days = self.figures()
        agents: dict[str, dict[str, Any]] = {}  # the first day's rows (a run is one day)
        topics: Counter[str] = Counter()
        for f in days.values():
            for name, row in f["agents"].items():
                agents.setdefault(name, row)
            for topic, t in f["topics"].items():
                topics[topic] += t["sla_breaches"]
        first = sum(a["first_responses"] for a in agents.values())
        late = sum(a["sla_breaches"] for a in agents.values())
        rows: list[tuple[str, object]] = [
            ("QA: sampled replies reviewed by the supervisor (revisions; acknowledged by agents)",
             f'{self.counts["reviews"]} ({self.counts["revisions"]}; {self.counts["acknowledged"]})'),
            ("  trainees' replies held / approved (edited) / rejected",
             f'{self.team.stats.held} / {self.counts["approved"]} ({self.counts["approved_edited"]}) / '
             f'{self.counts["rejected"]}'),
            ("  first responses over their SLA (direct 15 / search 60 service min)", f"{late} of {first}"),
            ("  SLA breaches by topic", ", ".join(f"{t} {n}" for t, n in topics.most_common() if n) or "0"),
        ]
        rows.append(("  per agent (skill): replies / sampled / reviewed · QA score 0-1 · SLA breaches · "
                     "customers' thanks / still unhappy", ""))
        for name in sorted(agents, key=lambda n: -(agents[n]["overall"] or 0)):
            a = agents[name]
            overall = "-" if a["overall"] is None else f'{a["overall"]:.2f}'
            role = ", trainee" if name in self.team.trainees else ""
            rows.append((f"    {name} ({self.team.skill.get(name, 0):.2f}{role})",
                         f'{a["replies"]} / {a["sampled"]} / {a["reviewed"]} · {overall} · {a["sla_breaches"]} · '
                         f'{a["reactions"].get("thanks", 0)} / {a["reactions"].get("unhappy", 0)}'))
        errors = {k: v for k, v in self.counts.items() if k.startswith("approval_")}
        if errors:
            rows.append(("  approval errors", ", ".join(f"{k} {v}" for k, v in errors.items())))
        return rows
