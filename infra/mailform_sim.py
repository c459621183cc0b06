"""The e-mail form in the simulated day (issue #19): customers guided to the form fill it in, the desk's e-mail
team answers by e-mail, some customers answer back by e-mail, and a stray e-mail lands in triage.

Everything goes through the real parts: the link comes from the desk's e-mail-form reply on the fake X, the
form is posted to the form function's handler as API Gateway would, the answer goes out through SES (moto)
with MailformService, and the customer's e-mail comes back as SES receiving delivers it (a raw MIME message in
the bucket, the S3 event to the inbound function). Times are the simulated clock's; a seeded RNG decides who
fills the form (70%) and who answers back (50%).

    mail = MailformDay(stack, seed=7)
    mail.minute()                  # each simulated minute, after the desk's agents
    mail.summary_rows()            # the day's counts (MailformService.figures): no content
"""

from __future__ import annotations

import heapq
import random
import re
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from activecare.hours import jst_date
from infra.lambda_runtime import context_for
from infra.local_mailform import deliver

if TYPE_CHECKING:
    from infra.local_stack import LocalStack

AGENT = "mail_team"  # the e-mail team's desk user in the simulation (the desk's agents leave these to it)
STAFF = frozenset({"agents"})
FILL_RATE = 0.7
ANSWER_BACK_RATE = 0.5
NAMES = ("佐藤 美咲", "鈴木 健太", "高橋 陽菜", "田中 翔", "伊藤 さくら", "渡辺 大輝", "山本 結衣", "中村 蓮")
MESSAGES = ("先月の請求額がいつもより高いので、内訳を教えてください。",
            "契約プランを変更したいのですが、違約金がかかるか確認したいです。",
            "機種変更後に通信ができません。契約内容を確認してもらえますか。",
            "支払い方法をクレジットカードに変更したいです。")

ANSWER = ("お問い合わせありがとうございます。ご契約内容を確認のうえ、ご案内いたします。"
          "ご不明な点はこのメールにご返信ください。")


def _dash(value: object) -> str:
    return "-" if value is None else str(value)


class MailformDay:
    def __init__(self, stack: LocalStack, *, seed: int = 7) -> None:
        self.stack = stack
        self.rng = random.Random(seed * 1009 + 19)
        self.seen = {"api": 0, "by_hand": 0}  # posts read so far, per list
        self.queue: list[tuple[datetime, int, str, dict[str, Any]]] = []
        self.seq = 0
        self.stats: Counter[str] = Counter()
        self.days: set[str] = set()
        self.stray_sent = False
        self.pattern = re.compile(re.escape(stack.runtime.mailform().base_url) + r"/[A-Za-z0-9_-]{32,64}")

    def _later(self, minutes: tuple[int, int], kind: str, **payload: Any) -> None:
        self.seq += 1
        at = self.stack.clock() + timedelta(minutes=self.rng.randint(*minutes))
        heapq.heappush(self.queue, (at, self.seq, kind, payload))

    def due(self) -> bool:
        """New posts on X to look at, or an event due (no AWS call otherwise)."""
        x = self.stack.twitter
        new = len(x.posted) > self.seen["api"] or len(x.posted_by_hand) > self.seen["by_hand"]
        return new or bool(self.queue and self.queue[0][0] <= self.stack.clock())

    def minute(self) -> None:
        """New e-mail-form replies on X become customers who may fill the form; due events happen."""
        for kind, posts in (("api", self.stack.twitter.posted), ("by_hand", self.stack.twitter.posted_by_hand)):
            for post in posts[self.seen[kind]:]:
                for link in self.pattern.findall(post.get("text", "")):
                    self.stats["handoffs"] += 1
                    if self.rng.random() < FILL_RATE:
                        self._later((3, 40), "fill", link=link)
            self.seen[kind] = len(posts)
        if not self.stray_sent and self.stats["handoffs"]:
            self.stray_sent = True
            self._later((20, 90), "stray")
        now = self.stack.clock()
        while self.queue and self.queue[0][0] <= now:
            _, _, kind, payload = heapq.heappop(self.queue)
            getattr(self, f"_{kind}")(**payload)

    def _fill(self, link: str) -> None:
        from form.app import handler

        n = self.rng.randrange(len(NAMES))
        fields = {"name": NAMES[n], "email": f"customer{self.seq}@example.jp", "message": self.rng.choice(MESSAGES),
                  "consent": "yes"}
        if self.rng.random() < 0.5:
            fields["phone"] = f"090{self.rng.randrange(10**8):08d}"
        token = link.rsplit("/", 1)[1]
        event = {"version": "2.0", "routeKey": "POST /form/{token}", "rawPath": f"/form/{token}",
                 "requestContext": {"http": {"method": "POST", "path": f"/form/{token}"}},
                 "pathParameters": {"token": token}, "headers": {"content-type": "application/x-www-form-urlencoded"},
                 "body": urlencode(fields), "isBase64Encoded": False}
        answer = handler(event, context_for("form"))
        self.stats[f"form_{answer['statusCode']}"] += 1
        if answer["statusCode"] != 200:
            return
        self.days.add(jst_date(self.stack.clock()))
        iid = self._inquiry_of(token)
        if iid is None:
            return
        self._hold(iid)  # the e-mail team takes it from the queue at once
        self._later((5, 12), "answer", inquiry_id=iid)

    def _inquiry_of(self, token: str) -> str | None:
        from activecare.mailform.service import token_hash

        link = self.stack.runtime.mailform().store.get_link(token_hash(token))
        return link.inquiry_id if link else None

    def _hold(self, inquiry_id: str) -> bool:
        from activecare.errors import AppError

        try:
            self.stack.runtime.desk().claim(inquiry_id, AGENT)
        except AppError:
            return False
        return True

    def _answer(self, inquiry_id: str) -> None:
        from activecare.errors import AppError

        mail = self.stack.runtime.mailform()
        try:
            mail.answer(inquiry_id, AGENT, STAFF, ANSWER, f"sim-answer-{inquiry_id}")
            self._hold(inquiry_id)
            self.stack.runtime.desk().resolve(inquiry_id, AGENT, "answered")
            mail.resolved_by_email(inquiry_id)
        except AppError as exc:
            self.stats[f"error_{exc.code}"] += 1
            return
        if self.rng.random() < ANSWER_BACK_RATE:
            self._later((10, 60), "answer_back", inquiry_id=inquiry_id)

    def _answer_back(self, inquiry_id: str) -> None:
        case = self.stack.runtime.mailform().store.get_case(inquiry_id)
        if case is None:
            return
        msg = EmailMessage()
        msg["From"] = f"customer{self.seq}@example.jp"
        msg["To"] = self.stack.settings.support_sender
        msg["Subject"] = f"Re: 【お問い合わせ番号 {case.reference}】お問い合わせへのご回答"
        msg.set_content("ご回答ありがとうございました。よく分かりました。")
        deliver(self.stack.settings, msg.as_bytes())
        if self._hold(inquiry_id):  # the thanks needs no answer: the e-mail team closes it again
            from activecare.errors import AppError

            try:
                self.stack.runtime.desk().resolve(inquiry_id, AGENT, "answered")
            except AppError as exc:
                self.stats[f"error_{exc.code}"] += 1

    def _stray(self) -> None:
        msg = EmailMessage()
        msg["From"] = "someone@example.jp"
        msg["To"] = self.stack.settings.support_sender
        msg["Subject"] = "以前の問い合わせの件"
        msg.set_content("番号を忘れてしまいました。")
        deliver(self.stack.settings, msg.as_bytes())

    def summary(self) -> dict[str, Any]:
        totals: Counter[str] = Counter()
        first_s = 0.0
        for day in sorted(self.days or {jst_date(self.stack.clock())}):
            f = self.stack.runtime.mailform().figures(day)
            for key in ("forms_received", "email_answers", "first_answers", "resolved_by_email", "inbound_emails",
                        "triaged"):
                totals[key] += getattr(f, key)
            first_s += (f.first_answer_mean_s or 0) * f.first_answers
        mean = round(first_s / totals["first_answers"] / 60, 1) if totals["first_answers"] else None
        return {"handoffs": self.stats["handoffs"], **totals, "first_answer_mean_min": mean,
                "errors": {k: v for k, v in self.stats.items() if k.startswith("error_")}}

    def summary_rows(self) -> list[tuple[str, object]]:
        s = self.summary()
        return [
            ("e-mail form: handoffs (single-use links posted) / forms received",
             f'{s["handoffs"]} / {s["forms_received"]}'),
            ("  answered by e-mail (first answers; mean minutes to the first)",
             f'{s["email_answers"]} ({s["first_answers"]}; {_dash(s["first_answer_mean_min"])})'),
            ("  resolved by e-mail / customers' e-mails back / to triage",
             f'{s["resolved_by_email"]} / {s["inbound_emails"]} / {s["triaged"]}'),
        ]
