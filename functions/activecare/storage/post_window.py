"""The DynamoDB side of X's per-account post window (activecare/twitter/post_window.py), in the state table:

    xpost#<account>#<minute>   the keys of the posts the account made in that minute (a string set: ADD and DELETE
                               are idempotent), expiring after a day

A post is one UpdateItem; the count is one BatchGetItem of the window's 16 minutes (no Scan, no Query).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from activecare.storage.models import expires_at, register_shared
from activecare.twitter.post_window import bucket, window_buckets


class PostWindowItem(Model):
    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    posts = UnicodeSetAttribute(null=True)
    expires_at = NumberAttribute(null=True)


register_shared("state_table", PostWindowItem)


def _key(account: str, minute: str) -> str:
    return f"xpost#{account}#{minute}"


class DynamoPostWindow:
    def add(self, account: str, key: str, at: datetime) -> None:
        PostWindowItem(_key(account, bucket(at))).update(actions=[
            PostWindowItem.posts.add({key}), PostWindowItem.expires_at.set(expires_at(at, 1))])

    def remove(self, account: str, key: str, at: datetime) -> None:
        PostWindowItem(_key(account, bucket(at))).update(actions=[
            PostWindowItem.posts.delete({key}), PostWindowItem.expires_at.set(expires_at(at, 1))])

    def count(self, account: str, now: datetime) -> int:
        keys = [_key(account, b) for b in window_buckets(now)]
        return len(set().union(*(item.posts or set() for item in PostWindowItem.batch_get(keys))))
