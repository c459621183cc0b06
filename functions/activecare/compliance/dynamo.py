"""The compliance ports over DynamoDB: what the tables hold of X (the inquiries' tweet ids through the by_status
index, never a Scan, and the campaign records' user ids), its erasure (activecare.storage.erasure: the code
`activecare erase` runs), and the sweep's progress record, one state-table item "compliance#sweep" written with a
version condition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from activecare.compliance.models import SweepRun
from activecare.storage import erasure
from activecare.storage.conditions import save_if
from activecare.storage.models import CampaignRecord, register_shared

RUN_KEY = "compliance#sweep"


class SweepItem(Model):
    """The sweep's progress (SweepRun as JSON): never expires, rewritten after every step."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    run = UnicodeAttribute()
    version = NumberAttribute()


register_shared("state_table", SweepItem)


class DynamoHoldings:
    def tweets(self) -> dict[str, str]:
        """Tweet id -> author for every inquiry's own tweet, its surrounding tweets and the customer's messages
        (our replies are ours: not checked)."""
        held: dict[str, str] = {}
        for i in erasure.all_inquiries(["inquiry_id", "author_id", "context_before", "context_after", "messages"]):
            held[i.inquiry_id] = i.author_id
            for c in [*(i.context_before or []), *(i.context_after or [])]:
                held[c.id] = i.author_id
            for m in i.messages or []:
                if m.direction == "in":
                    held[m.tweet_id] = i.author_id
        return held

    def users(self) -> set[str]:
        """Inquiry authors, campaign entrants and winners."""
        users = {i.author_id for i in erasure.all_inquiries(["inquiry_id", "author_id"])}
        users |= {r.user_id for r in CampaignRecord.scan(attributes_to_get=["pk", "sk", "user_id"])
                  if r.user_id and r.sk[:2] in ("e#", "w#")}
        return {u for u in users if u and u.isdigit()}

    def erase_tweets(self, refs: Mapping[str, str | None]) -> dict[str, int]:
        return _nonzero(erasure.erase_tweets(dict(refs), reservations=False).counts)

    def erase_users(self, user_ids: Iterable[str]) -> dict[str, int]:
        return _nonzero(erasure.erase_users(user_ids, reservations=False).counts)


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: n for k, n in counts.items() if n}


class DynamoRuns:
    def load(self) -> SweepRun | None:
        try:
            item = SweepItem.get(RUN_KEY, consistent_read=True)
        except SweepItem.DoesNotExist:
            return None
        return SweepRun.model_validate_json(item.run).model_copy(update={"version": int(item.version)})

    def save(self, run: SweepRun) -> bool:
        item = SweepItem(RUN_KEY, run=run.model_dump_json(exclude={"version"}), version=run.version + 1)
        condition = SweepItem.pk.does_not_exist() if run.version == 0 else SweepItem.version == run.version
        return save_if(item, condition)
