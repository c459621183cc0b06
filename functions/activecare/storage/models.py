"""pynamodb models for the three tables.

Table names come from settings at bind time (`bind_tables`), not at import, so the
same code serves AWS, the local stack and tests (pynamodb fixes Meta on first use).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from activecare.settings import Settings
from activecare.storage.sessions import share_loader_with_pynamodb

share_loader_with_pynamodb()  # the tables' connections parse botocore's data files once per process


class ByAuthor(GlobalSecondaryIndex["Inquiry"]):
    """Past interactions of one author, oldest first."""

    class Meta:
        index_name = "by_author"
        projection = AllProjection()

    author_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex["Inquiry"]):
    """The desk's queue: inquiries in one status, oldest first."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByConversation(GlobalSecondaryIndex["Inquiry"]):
    """Finds the inquiry a reply in the same thread belongs to."""

    class Meta:
        index_name = "by_conversation"
        projection = KeysOnlyProjection()

    conversation_id = UnicodeAttribute(hash_key=True)
    author_id = UnicodeAttribute(range_key=True)


class ContextTweet(MapAttribute):
    id = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class Message(MapAttribute):
    """One tweet in the inquiry's conversation: the customer's or ours."""

    tweet_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    direction = UnicodeAttribute()  # "in" (customer) | "out" (our reply)
    agent = UnicodeAttribute(null=True)  # out: the agent who sent it
    account = UnicodeAttribute(null=True)  # out: the support account it was posted from
    in_reply_to = UnicodeAttribute(null=True)  # out: the customer's tweet it answers
    mode = UnicodeAttribute(null=True)  # out: "api" | "manual" (sent by hand through an intent link)


class PastInteraction(MapAttribute):
    inquiry_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    topic = UnicodeAttribute()
    status = UnicodeAttribute()
    outcome = UnicodeAttribute(null=True)
    replies = NumberAttribute(default=0)


class DeskEvent(MapAttribute):
    """One desk action on an inquiry, for audit and quality review (never holds refused text)."""

    kind = UnicodeAttribute()  # claim | reply | prepared | refused | resolve | reopen
    agent = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    detail = UnicodeAttribute(default="")
    tweet_id = UnicodeAttribute(null=True)


class Inquiry(Model):
    class Meta:
        table_name = "activecare-inquiries"
        region = "ap-northeast-1"

    inquiry_id = UnicodeAttribute(hash_key=True)  # id of the tweet that opened it
    tweet_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_username = UnicodeAttribute(default="")
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    received_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    conversation_id = UnicodeAttribute()
    source = UnicodeAttribute()  # "search" | "mention"
    source_key = UnicodeAttribute(null=True)  # the packed query's key (search) or the account's (mention)
    direct = BooleanAttribute(default=False)  # the customer addressed one of our accounts
    account = UnicodeAttribute()  # owning support account key
    topic = UnicodeAttribute()
    department = UnicodeAttribute()
    sentiment = UnicodeAttribute()
    keywords = ListAttribute(of=UnicodeAttribute, default=list)
    pii_kinds = ListAttribute(of=UnicodeAttribute, default=list)
    has_pii = BooleanAttribute(default=False)
    status = UnicodeAttribute(default="new")
    outcome = UnicodeAttribute(null=True)
    history = ListAttribute(of=PastInteraction, default=list)
    context_before = ListAttribute(of=ContextTweet, default=list)
    context_after = ListAttribute(of=ContextTweet, default=list)
    context_status = UnicodeAttribute(default="ok")  # "ok" | "unavailable" | "pending" (read when opened)
    messages = ListAttribute(of=Message, default=list)
    tweet_ids = UnicodeSetAttribute(default=set)
    # The agent desk (all optional: the worker never writes them).
    claimed_by = UnicodeAttribute(null=True)
    claim_expires_at = UTCDateTimeAttribute(null=True)
    first_response_at = UTCDateTimeAttribute(null=True)
    first_response_by = UnicodeAttribute(null=True)
    last_reply_at = UTCDateTimeAttribute(null=True)
    replied_by = UnicodeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    desk_events = ListAttribute(of=DeskEvent, null=True)
    sla_breached_at = UTCDateTimeAttribute(null=True)  # when its response-time target was first seen missed (once)
    # Epoch seconds: DynamoDB's TTL deletes the inquiry (its context and conversation) after this; moved on by
    # every activity (a follow-up, a reply), so retention counts from the last one.
    expires_at = NumberAttribute(null=True)
    # X said the tweet that opened it is deleted or unreadable when the desk replied: its text is blanked at once
    # (storage/erasure.py), the item itself goes with the next compliance sweep.
    erased_at = UTCDateTimeAttribute(null=True)

    by_author = ByAuthor()
    by_status = ByStatus()
    by_conversation = ByConversation()


class State(Model):
    """Small operational records: poll checkpoints, rate-limit resets."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    since_id = NumberAttribute(null=True)
    query_text = UnicodeAttribute(null=True, attr_name="query")  # not `query`: that is Model.query
    polled_at = UTCDateTimeAttribute(null=True)
    matched_last = NumberAttribute(null=True)
    backlog_until = NumberAttribute(null=True)  # a burst read part-way: the oldest id read so far
    backlog_newest = NumberAttribute(null=True)  # ... and its first page's newest id
    reset_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


class DoNotContact(Model):
    """An author who asked not to be contacted (an opt-out reply) or blocked us: one state-table item per
    author, ``dnc#<author_id>``. Written by the worker (opt-outs) and the desk (blocks, lifts); a lifted
    record keeps its history (`lifted_at`, `lifted_by`, `lift_reason`) until the author opts out again."""

    class Meta:
        table_name = "activecare-state"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)  # "dnc#<author_id>"
    author_id = UnicodeAttribute()
    since = UTCDateTimeAttribute()
    reason = UnicodeAttribute()  # "opt_out" | "blocked"
    tweet_id = UnicodeAttribute(default="")  # the opt-out reply (blocked: the customer tweet we answered)
    lifted_at = UTCDateTimeAttribute(null=True)
    lifted_by = UnicodeAttribute(null=True)
    lift_reason = UnicodeAttribute(null=True)


def dnc_key(author_id: str) -> str:
    """The state item of an author's do-not-contact record."""
    return f"dnc#{author_id}"


def record_do_not_contact(author_id: str, tweet_id: str, at: datetime, reason: str) -> bool:
    """Record `author_id` do-not-contact: idempotent (False when already recorded, and active, or when this
    very tweet was recorded before and lifted since: a redelivered opt-out does not undo a lift)."""
    from activecare.storage.conditions import update_if

    return update_if(
        DoNotContact(dnc_key(author_id)),
        [DoNotContact.author_id.set(author_id), DoNotContact.since.set(at), DoNotContact.reason.set(reason),
         DoNotContact.tweet_id.set(tweet_id), DoNotContact.lifted_at.remove(), DoNotContact.lifted_by.remove(),
         DoNotContact.lift_reason.remove()],
        DoNotContact.pk.does_not_exist() | (DoNotContact.lifted_at.exists() & (DoNotContact.tweet_id != tweet_id)),
    )


class CatalogueTerm(MapAttribute):
    kind = UnicodeAttribute()  # keyword | ambiguous | context | exclude | optout
    term = UnicodeAttribute()
    note = UnicodeAttribute(default="")


class KeywordItem(Model):
    """One topic of the keyword catalogue (topic `*`: the global terms), so ops can change
    keywords without a deploy. A topic an item keeps the import to a few writes and the
    poller's read to one scan page (a topic holds at most a few hundred short terms)."""

    class Meta:
        table_name = "activecare-keywords"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)  # "TOPIC#<name>"
    topic = UnicodeAttribute()
    department = UnicodeAttribute(default="")
    account = UnicodeAttribute(default="")
    position = NumberAttribute(default=0)  # the topic's place in the catalogue
    terms = ListAttribute(of=CatalogueTerm, default=list)


def expires_at(at: datetime, days: int) -> int:
    """The TTL attribute's value: `days` after `at`, in epoch seconds (the attribute every table's TTL names)."""
    return int(at.timestamp()) + days * 86400


def retention() -> Settings:
    """The settings the tables were bound with (the retention periods), or the defaults."""
    return _bound or Settings()


class CampaignRecord(Model):
    """The campaign table's keys (pk = campaign id, sk = meta | e#<user> | w#<user>); the campaign
    package's models (activecare.campaign.dynamo) live in it."""

    class Meta:
        table_name = "activecare-campaigns"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    user_id = UnicodeAttribute(null=True)  # entrants and winners
    username = UnicodeAttribute(null=True)


def campaign_user_sk(prefix: str, user_id: str) -> str:
    """The sort key of a user's record in a campaign: "e#<id>" (an entrant) or "w#<id>" (a winner), zero-padded."""
    return f"{prefix}#{int(user_id):020d}"


class MailRecord(Model):
    """The mail form's table's keys (pk, sk); its records live in activecare.mailform.dynamo."""

    class Meta:
        table_name = "activecare-mailform"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = NumberAttribute(null=True)


TTL_ATTRIBUTE = "expires_at"

TABLES: dict[str, type[Model]] = {
    "inquiry_table": Inquiry,
    "state_table": State,
    "keyword_table": KeywordItem,
    "campaign_table": CampaignRecord,
    "mailform_table": MailRecord,
}
# Further models that live in a table above (bound with it, never created on their own).
SHARED: dict[str, tuple[type[Model], ...]] = {}  # filled by the features (register_shared)


_bound: Settings | None = None


def bind_tables(settings: Settings) -> None:
    """Point every model at the configured table names and region."""
    global _bound
    _bound = settings
    for field, model in TABLES.items():
        for each in (model, *SHARED.get(field, ())):
            _bind(each, field, settings)


def register_shared(field: str, *models: type[Model]) -> None:
    """A feature module's models that live in one of the tables above (single-table design).

    Bound now if the tables are bound already, and on every later `bind_tables`."""
    SHARED[field] = (*SHARED.get(field, ()), *(m for m in models if m not in SHARED.get(field, ())))
    if _bound is not None:
        for model in models:
            _bind(model, field, _bound)


def _bind(model: type[Model], field: str, settings: Settings) -> None:
    model.Meta.table_name = getattr(settings, field)
    model.Meta.region = settings.region
    model._connection = None


def create_tables() -> None:
    """Create the tables (local stack and tests; on AWS the template does it), TTL on `expires_at` as there."""
    clients: dict[tuple[str | None, str | None], Any] = {}  # one client per region and endpoint, not one per table
    for model in TABLES.values():
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            import boto3  # only here: the functions never create tables

            where = (model.Meta.region, getattr(model.Meta, "host", None))
            if where not in clients:
                clients[where] = boto3.client("dynamodb", region_name=where[0], endpoint_url=where[1])
            clients[where].update_time_to_live(
                TableName=model.Meta.table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE})


register_shared("state_table", DoNotContact)  # listening records opt-outs, the desk reads, records blocks, lifts
