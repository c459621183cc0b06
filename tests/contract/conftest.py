"""Contract tests: each port's scenarios run against its in-memory fake (`memory.py`, what the unit tests use)
and its DynamoDB adapter (`dynamo.py`, what production runs) on moto, so a fake cannot silently drift.

The implementations are the fixtures below, each parametrised over IMPLEMENTATIONS; the scenarios in
test_contract_*.py are written once, against the port. Where a port has no write that makes the state a
scenario starts from (the desk reads inquiries the worker stored), the fixture gives a small `seed` that
stores it the implementation's own way.

The moto side is one server for the whole session: infra.local_stack.LocalStack with moto in its own process,
which serves one request at a time, so conditional writes are atomic as in DynamoDB and the race scenarios
exercise DynamoDB's semantics, not moto's threaded server. Its tables are created once and shared by every
test, so each test uses fresh keys (`fresh`) and its own stretch of time (`era`) instead of new tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from activecare.campaign.dynamo import DynamoCampaignStore
from activecare.campaign.memory import MemoryCampaignStore
from activecare.campaign.ports import CampaignStore
from activecare.clock import ManualClock
from activecare.desk.dynamo import DynamoDeskInquiries, DynamoDoNotContact, DynamoReservations, DynamoTally
from activecare.desk.memory import MemoryDoNotContact, MemoryInquiries, MemoryReservations, MemoryTally
from activecare.desk.models import DeskInquiry
from activecare.desk.ports import DoNotContactStore, ReservationStore, Tally
from activecare.listening.dynamo import DynamoCheckpoints, DynamoInquiryStore
from activecare.listening.memory import MemoryCheckpoints, MemoryInquiryStore
from activecare.listening.ports import CheckpointStore, UsageStore
from activecare.publishing.dynamo import CALENDAR_KEY, CalendarItem, DynamoPublishStore
from activecare.publishing.memory import InMemoryPublishStore
from activecare.publishing.ports import PublishStore
from activecare.reporting.dynamo import DynamoReportInquiries, DynamoReportLedger
from activecare.reporting.memory import MemoryInquiries as MemoryReportInquiries
from activecare.reporting.memory import MemoryLedger
from activecare.reporting.models import Row
from activecare.reporting.ports import Ledger
from activecare.storage import models as storage
from activecare.storage.models import ContextTweet, DeskEvent, Inquiry, Message, PastInteraction, bind_tables
from infra.local_stack import LocalStack
from tests.contract.support import (
    ORIGIN,
    DeskInquiries,
    Era,
    Fresh,
    ListeningInquiries,
    ReportInquiries,
    next_era,
)

IMPLEMENTATIONS = ("memory", "dynamo")


# ---- fresh keys and time ----


@pytest.fixture
def fresh() -> Fresh:
    return Fresh()


@pytest.fixture
def era() -> Era:
    return next_era()


# ---- the moto side ----


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalStack]:
    """One local stack for the session (started by the first test on moto), tables created once."""
    with LocalStack(ManualClock(ORIGIN), moto="process") as stack:
        yield stack


@pytest.fixture
def aws(local_aws: LocalStack) -> LocalStack:
    """The session's stack, with the models bound to it. An integration test's own LocalStack, run in
    between in this process, binds them to its server (now stopped); binding again drops the clients
    pynamodb made for that one. Only then: a new client per model costs tens of milliseconds."""
    if storage._bound is not local_aws.settings:
        bind_tables(local_aws.settings)
    return local_aws


def _on_moto(request: pytest.FixtureRequest) -> bool:
    """True for the dynamo implementation (starting the session's stack on first use)."""
    if request.param == "dynamo":
        request.getfixturevalue("aws")
        return True
    return False


# ---- listening ----


@pytest.fixture(params=IMPLEMENTATIONS)
def checkpoints(request: pytest.FixtureRequest) -> CheckpointStore:
    return DynamoCheckpoints() if _on_moto(request) else MemoryCheckpoints()


@pytest.fixture(params=IMPLEMENTATIONS)
def usage(request: pytest.FixtureRequest) -> UsageStore:
    from activecare.listening.dynamo import DynamoUsage
    from activecare.listening.memory import MemoryUsage

    return DynamoUsage() if _on_moto(request) else MemoryUsage()


@pytest.fixture(params=IMPLEMENTATIONS)
def listening(request: pytest.FixtureRequest) -> ListeningInquiries:
    if _on_moto(request):
        return ListeningInquiries(DynamoInquiryStore(), _set_status_on_moto, _personal_data_on_moto)
    memory = MemoryInquiryStore()

    def set_status(inquiry_id: str, status: str) -> None:
        memory.items[inquiry_id]["status"] = status

    def personal_data(inquiry_id: str) -> tuple[tuple[str, ...], bool]:
        item = memory.items[inquiry_id]
        return tuple(item["pii_kinds"]), item["has_pii"]

    return ListeningInquiries(memory, set_status, personal_data)


def _set_status_on_moto(inquiry_id: str, status: str) -> None:
    Inquiry(inquiry_id).update(actions=[Inquiry.status.set(status)])


def _personal_data_on_moto(inquiry_id: str) -> tuple[tuple[str, ...], bool]:
    item = Inquiry.get(inquiry_id, consistent_read=True)
    return tuple(str(k) for k in item.pii_kinds or []), bool(item.has_pii)


# ---- desk ----


@pytest.fixture(params=IMPLEMENTATIONS)
def desk(request: pytest.FixtureRequest) -> DeskInquiries:
    if _on_moto(request):
        return DeskInquiries(DynamoDeskInquiries(), _save_desk_inquiry)
    memory = MemoryInquiries()
    return DeskInquiries(memory, memory.put)


@pytest.fixture(params=IMPLEMENTATIONS)
def do_not_contact(request: pytest.FixtureRequest) -> DoNotContactStore:
    return DynamoDoNotContact() if _on_moto(request) else MemoryDoNotContact()


@pytest.fixture(params=IMPLEMENTATIONS)
def reservations(request: pytest.FixtureRequest) -> ReservationStore:
    return DynamoReservations() if _on_moto(request) else MemoryReservations()


@pytest.fixture(params=IMPLEMENTATIONS)
def tally(request: pytest.FixtureRequest) -> Tally:
    return DynamoTally() if _on_moto(request) else MemoryTally()


def _save_desk_inquiry(i: DeskInquiry) -> None:
    """The inquiry item the desk adapter reads (activecare.desk.dynamo.to_desk), from the desk's view of it."""
    Inquiry(
        i.inquiry_id, tweet_id=i.tweet_id, author_id=i.author_id, author_username=i.author_username, text=i.text,
        created_at=i.created_at, received_at=i.created_at, updated_at=i.created_at,
        conversation_id=i.conversation_id or i.inquiry_id, source=i.source, direct=i.direct, account=i.account,
        topic=i.topic, department=i.department, sentiment=i.sentiment, keywords=list(i.keywords),
        pii_kinds=list(i.pii_kinds), has_pii=bool(i.pii_kinds), status=i.status, outcome=i.outcome,
        history=[PastInteraction(inquiry_id=f"past-{n}", created_at=i.created_at - timedelta(days=n + 1),
                                 topic=i.topic, status="resolved") for n in range(i.past_inquiries)],
        context_before=[ContextTweet(id=c.id, text=c.text, created_at=c.created_at) for c in i.context_before],
        context_after=[ContextTweet(id=c.id, text=c.text, created_at=c.created_at) for c in i.context_after],
        context_status=i.context_status,
        messages=[Message(tweet_id=m.tweet_id, author_id=m.author_id, text=m.text, created_at=m.created_at,
                          direction=m.direction, agent=m.agent, account=m.account, in_reply_to=m.in_reply_to,
                          mode=m.mode) for m in i.messages],
        tweet_ids={i.tweet_id, *(m.tweet_id for m in i.messages)},
        claimed_by=i.claimed_by, claim_expires_at=i.claim_expires_at, first_response_at=i.first_response_at,
        first_response_by=i.first_response_by, last_reply_at=i.last_reply_at, replied_by=i.replied_by,
        resolved_at=i.resolved_at, resolved_by=i.resolved_by,
        desk_events=[DeskEvent(kind=e.kind, agent=e.agent, at=e.at, detail=e.detail, tweet_id=e.tweet_id)
                     for e in i.events] or None,
    ).save()


# ---- publishing ----


@pytest.fixture(params=IMPLEMENTATIONS)
def publish_store(request: pytest.FixtureRequest) -> PublishStore:
    if _on_moto(request):
        CalendarItem(CALENDAR_KEY).delete()  # the one fixed key of these tables: each test starts without one
        return DynamoPublishStore()
    return InMemoryPublishStore()


# ---- campaign ----


@pytest.fixture(params=IMPLEMENTATIONS)
def campaign_store(request: pytest.FixtureRequest) -> CampaignStore:
    return DynamoCampaignStore() if _on_moto(request) else MemoryCampaignStore()


# ---- reporting ----


@pytest.fixture(params=IMPLEMENTATIONS)
def report_inquiries(request: pytest.FixtureRequest) -> ReportInquiries:
    if _on_moto(request):
        return ReportInquiries(DynamoReportInquiries(), _save_row)
    memory = MemoryReportInquiries()
    return ReportInquiries(memory, memory.rows.append)


@pytest.fixture(params=IMPLEMENTATIONS)
def ledger(request: pytest.FixtureRequest) -> Ledger:
    return DynamoReportLedger() if _on_moto(request) else MemoryLedger()


def _save_row(row: Row) -> None:
    Inquiry(
        row.inquiry_id, tweet_id=row.inquiry_id, author_id=Fresh().id(), text=row.text, created_at=row.created_at,
        received_at=row.created_at, updated_at=row.created_at, conversation_id=row.inquiry_id, source="search",
        account="general", topic=row.topic, department=row.department, sentiment=row.sentiment,
        keywords=list(row.keywords), status=row.status, outcome=row.outcome, first_response_at=row.first_response_at,
    ).save()
