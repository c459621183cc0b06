"""DynamoDB adapters of the QA ports (pynamodb), in the state table: the imported standards (``qa#standards``),
our replies (``qa#reply#<tweet id>``, listed per JST day by ``qa#day#<day>``), the reviews (``qa#review#<tweet
id>``, listed per agent by ``qa#agent#<agent>``). Records expire (TTL) after the record retention."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from activecare.clock import parse_iso
from activecare.qa.models import Case, ConversationPost, ReplyRecord, Review, ReviewVersion, StoredStandards, Thread
from activecare.storage.conditions import save_if, update_if
from activecare.storage.models import Inquiry, expires_at, register_shared, retention


class QaItem(Model):
    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    data = UnicodeAttribute(null=True)  # the record as JSON
    version = NumberAttribute(null=True)  # reviews: the current version (the revisions' condition)
    tweet_ids = UnicodeSetAttribute(null=True)  # the day's / the agent's index items
    expires_at = NumberAttribute(null=True)


register_shared("state_table", QaItem)

STANDARDS_KEY = "qa#standards"


def _expiry(at: datetime) -> int:
    return expires_at(at, retention().record_retention_days)


class DynamoStandards:
    def load(self) -> StoredStandards | None:
        try:
            item = QaItem.get(STANDARDS_KEY, consistent_read=True)
        except QaItem.DoesNotExist:
            return None
        body = json.loads(item.data or "{}")
        return StoredStandards(body["rows"], parse_iso(body["imported_at"]))

    def save(self, rows: list[dict[str, str]], at: datetime) -> None:
        QaItem(STANDARDS_KEY, data=json.dumps({"rows": rows, "imported_at": at.isoformat()},
                                              ensure_ascii=False)).save()


def _reply(data: str) -> ReplyRecord:
    d = json.loads(data)
    return ReplyRecord(d["tweet_id"], d["inquiry_id"], d["agent"], d["text"], parse_iso(d["posted_at"]), d["day"],
                       bool(d.get("trainee")), d.get("topic", ""), bool(d.get("first_response")),
                       d.get("sla_kind", ""), bool(d.get("sla_breached")), d.get("department", ""),
                       d.get("template", ""), d.get("first_response_s"))


class DynamoReplyLog:
    def add(self, record: ReplyRecord) -> None:
        body = {**record.__dict__, "posted_at": record.posted_at.isoformat()}
        save_if(QaItem(f"qa#reply#{record.tweet_id}", data=json.dumps(body, ensure_ascii=False),
                       expires_at=_expiry(record.posted_at)), QaItem.pk.does_not_exist())
        QaItem(f"qa#day#{record.day}").update(actions=[QaItem.tweet_ids.add({record.tweet_id}),
                                                       QaItem.expires_at.set(_expiry(record.posted_at))])

    def get(self, tweet_id: str) -> ReplyRecord | None:
        try:
            item = QaItem.get(f"qa#reply#{tweet_id}")
        except QaItem.DoesNotExist:
            return None
        return _reply(item.data or "{}")

    def day(self, day: str) -> list[ReplyRecord]:
        try:
            ids = sorted(QaItem.get(f"qa#day#{day}", consistent_read=True).tweet_ids or [])
        except QaItem.DoesNotExist:
            return []
        rows = [_reply(i.data or "{}") for i in QaItem.batch_get([f"qa#reply#{t}" for t in ids])]
        return sorted(rows, key=lambda r: (r.posted_at, r.tweet_id))


def _v(d: dict[str, Any]) -> ReviewVersion:
    return ReviewVersion(int(d["version"]), d["reviewer"], parse_iso(d["at"]), {k: int(v) for k, v in
                                                                                d["scores"].items()}, d["comment"])


def _vd(v: ReviewVersion) -> dict[str, Any]:
    return {"version": v.version, "reviewer": v.reviewer, "at": v.at.isoformat(), "scores": v.scores,
            "comment": v.comment}


def _review(data: str) -> Review:
    d = json.loads(data)
    ack = d.get("acknowledged_at")
    return Review(d["tweet_id"], d["inquiry_id"], d["agent"], d["day"], _v(d["current"]),
                  tuple(_v(h) for h in d.get("history", [])), int(d.get("acknowledged_version", 0)),
                  parse_iso(ack) if ack else None)


def _dump(r: Review) -> str:
    return json.dumps({"tweet_id": r.tweet_id, "inquiry_id": r.inquiry_id, "agent": r.agent, "day": r.day,
                       "current": _vd(r.current), "history": [_vd(h) for h in r.history],
                       "acknowledged_version": r.acknowledged_version,
                       "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at else None},
                      ensure_ascii=False)


class DynamoReviews:
    def get(self, tweet_id: str) -> Review | None:
        try:
            item = QaItem.get(f"qa#review#{tweet_id}", consistent_read=True)
        except QaItem.DoesNotExist:
            return None
        return _review(item.data or "{}")

    def get_many(self, tweet_ids: list[str]) -> dict[str, Review]:
        keys = [f"qa#review#{t}" for t in dict.fromkeys(tweet_ids)]
        found = [_review(i.data or "{}") for i in QaItem.batch_get(keys)] if keys else []
        return {r.tweet_id: r for r in found}

    def save(self, review: Review, expect_version: int) -> bool:
        item = QaItem(f"qa#review#{review.tweet_id}")
        condition = QaItem.pk.does_not_exist() if expect_version == 0 else QaItem.version == expect_version
        saved = update_if(item, [QaItem.data.set(_dump(review)), QaItem.version.set(review.version),
                                 QaItem.expires_at.set(_expiry(review.current.at))], condition)
        if saved:
            QaItem(f"qa#agent#{review.agent}").update(actions=[QaItem.tweet_ids.add({review.tweet_id})])
        return saved

    def by_agent(self, agent: str) -> list[Review]:
        try:
            ids = sorted(QaItem.get(f"qa#agent#{agent}", consistent_read=True).tweet_ids or [])
        except QaItem.DoesNotExist:
            return []
        found = self.get_many(ids)
        return sorted(found.values(), key=lambda r: r.current.at, reverse=True)

    def acknowledge(self, tweet_id: str, version: int, at: datetime) -> bool:
        current = self.get(tweet_id)
        if current is None or current.version != version:
            return False
        acked = replace(current, acknowledged_version=version, acknowledged_at=at)
        return update_if(QaItem(f"qa#review#{tweet_id}"), [QaItem.data.set(_dump(acked))], QaItem.version == version)


class DynamoConversations:
    """The inquiries' conversations, read from the inquiry table (the listening spine writes them)."""

    def get_many(self, inquiry_ids: list[str]) -> dict[str, list[ConversationPost]]:
        out: dict[str, list[ConversationPost]] = {}
        keys = list(dict.fromkeys(inquiry_ids))
        for item in Inquiry.batch_get(keys, attributes_to_get=["inquiry_id", "messages"]) if keys else []:
            out[item.inquiry_id] = [ConversationPost(m.tweet_id, m.direction, m.text) for m in item.messages or []]
        return out

    def thread(self, inquiry_id: str) -> Thread | None:
        try:
            i = Inquiry.get(inquiry_id)
        except Inquiry.DoesNotExist:
            return None
        posts = sorted(i.messages or [], key=lambda m: int(m.tweet_id))
        return Thread(i.inquiry_id, i.topic, i.author_username or "",
                      tuple((m.direction, m.text, m.created_at, m.agent or "") for m in posts))


CASES_KEY = "qa#cases"
CASE_DAYS = 365  # masked: the library is kept for a year of training


class DynamoCases:
    def put(self, case: Case) -> None:
        body = {**case.__dict__, "marked_at": case.marked_at.isoformat(), "posts": [list(p) for p in case.posts]}
        QaItem(f"qa#case#{case.inquiry_id}", data=json.dumps(body, ensure_ascii=False),
               expires_at=expires_at(case.marked_at, CASE_DAYS)).save()
        QaItem(CASES_KEY).update(actions=[QaItem.tweet_ids.add({case.inquiry_id})])

    def all(self) -> list[Case]:
        try:
            ids = sorted(QaItem.get(CASES_KEY, consistent_read=True).tweet_ids or [])
        except QaItem.DoesNotExist:
            return []
        cases = []
        for item in QaItem.batch_get([f"qa#case#{i}" for i in ids]):
            d = json.loads(item.data or "{}")
            cases.append(Case(d["inquiry_id"], d["kind"], d["note"], d["topic"], d["marked_by"],
                              parse_iso(d["marked_at"]), tuple((p[0], p[1], p[2]) for p in d["posts"])))
        return sorted(cases, key=lambda c: c.marked_at, reverse=True)
