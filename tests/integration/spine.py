"""Helpers shared by the listening-spine integration tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from activecare.clock import ManualClock, iso_z
from activecare.storage.models import Inquiry
from activecare.twitter.snowflake import snowflake
from infra.lambda_runtime import DrainReport, context_for, drain_queue
from infra.local_stack import LocalStack
from poller import app as poller_app
from worker import app as worker_app

_seq = iter(range(1, 1_000_000))


def customer(user_id: str, username: str) -> dict[str, Any]:
    return {"id": user_id, "username": username, "name": username, "created_at": "2020-01-01T00:00:00.000Z",
            "public_metrics": {"followers_count": 12, "following_count": 40, "tweet_count": 300,
                               "listed_count": 0}}


def tweet(at: datetime, text: str, author: str, **extra: Any) -> dict[str, Any]:
    tid = snowflake(at, next(_seq))
    body = {"id": tid, "text": text, "author_id": author, "created_at": iso_z(at), "conversation_id": tid,
            "lang": "ja", **extra}
    return body


def poll(stack: LocalStack) -> dict[str, Any]:
    return poller_app.handler({"scheduled_time": iso_z(stack.clock())}, context_for("poller"))


def drain(stack: LocalStack) -> DrainReport:
    return drain_queue(stack.sqs, stack.settings.queue_url, worker_app.handler)


def minute(stack: LocalStack, clock: ManualClock) -> tuple[dict[str, Any], DrainReport]:
    clock.advance(timedelta(minutes=1))
    return poll(stack), drain(stack)


def inquiries() -> dict[str, Inquiry]:
    return {i.inquiry_id: i for i in Inquiry.scan()}


def all_tweet_ids() -> list[str]:
    return [t for i in Inquiry.scan() for t in i.tweet_ids]
