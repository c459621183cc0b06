"""The composition root: real adapters built from settings, once per Lambda
container. Tests and the simulation call `reset_runtime` to inject a clock or
settings; nothing else in the domain reads the environment."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from activecare.clock import Clock, system_clock
from activecare.settings import Settings
from activecare.storage.models import bind_tables

# Everything a single function needs is imported where it is built: every handler loads this module, and
# the reporter should not pay for the matcher, the poller or X (tweepy) at cold start (tests/bench).
if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from activecare.campaign.service import CampaignService
    from activecare.campaign.x import TweepyCampaignX
    from activecare.compliance.service import ComplianceService
    from activecare.desk.context import AuthorContext
    from activecare.desk.models import PostedReply, SlaBreach
    from activecare.desk.service import DeskService
    from activecare.keywords.catalogue import Catalogue
    from activecare.listening.events import DirectMessageHandler, EventIngestor
    from activecare.listening.ingest import Ingestor
    from activecare.listening.poll import Poller
    from activecare.mailform.service import MailformService
    from activecare.outage.dynamo import DynamoSignals
    from activecare.outage.service import CrisisDesk, Detector
    from activecare.publishing.service import Publisher
    from activecare.qa.service import QaService
    from activecare.reporting.models import IncidentLine
    from activecare.reporting.ports import Mailer
    from activecare.reporting.service import Reporter
    from activecare.twitter.gateway import TweepyGateway
    from activecare.twitter.port import TwitterPort
    from activecare.twitter.post_window import PostCounter
    from activecare.webhook.service import WebhookService


class KeywordTableEmpty(RuntimeError):
    pass


class Runtime:
    def __init__(self, settings: Settings, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.clock = clock
        bind_tables(settings)
        self._catalogue: tuple[float, int, Catalogue] | None = None
        self._listening: tuple[Catalogue, Any, list[Any]] | None = None
        self._posters: dict[str, TwitterPort] = {}
        self._webhook: WebhookService | None = None
        # The campaign's claim mode sets this: the worker hands it every DM a customer sent us (webhook).
        self.direct_messages: DirectMessageHandler | None = None
        self._mailform: MailformService | None = None
        self._mailform_bucket = ""

    @cached_property
    def sqs(self) -> SQSClient:
        import boto3

        return boto3.client("sqs", region_name=self.settings.region)

    def _bearer(self) -> str:
        """The app-only bearer token from the read-only bearer secret (never the posting tokens)."""
        from aws_lambda_powertools.utilities import parameters

        secret_id = self.settings.bearer_secret_id
        secret = parameters.get_secret(secret_id, transform="json", max_age=300)
        if not isinstance(secret, dict) or not secret.get("bearer_token"):
            raise RuntimeError(f"secret {secret_id} has no bearer_token")
        return str(secret["bearer_token"])

    @cached_property
    def twitter(self) -> TwitterPort:
        """X app-only (search, lookups): read-only, from the bearer secret."""
        from activecare.twitter.gateway import make_gateway  # tweepy only where X is called

        return make_gateway(self._bearer(), base_url=self.settings.twitter_base_url or None)

    def poster(self, account_key: str) -> TwitterPort:
        """X as one support account, with its user-context credentials from the posting secret's "accounts"
        (the only secret it reads: a function without the posting secret cannot post)."""
        from aws_lambda_powertools.utilities import parameters

        if account_key not in self._posters:
            self.settings.account(account_key)  # unknown keys fail here
            secret_id = self.settings.posting_secret_id
            secret = parameters.get_secret(secret_id, transform="json", max_age=300)
            gateway = user_gateway(secret, secret_id, account_key, base_url=self.settings.twitter_base_url or None)
            gateway.post_counter = self.post_counter(account_key)
            self._posters[account_key] = gateway
        return self._posters[account_key]

    def post_counter(self, account_key: str) -> PostCounter:
        """The account's 15-minute post window in the state table, counted around every post we make."""
        from activecare.storage.post_window import DynamoPostWindow
        from activecare.twitter.post_window import PostCounter

        return PostCounter(DynamoPostWindow(), account_key, self.clock)

    def desk(self, *, on_sla_breach: Callable[[SlaBreach], None] | None = None) -> DeskService:
        """The agent desk over DynamoDB and X (reads app-only, posts as the owning account); `on_sla_breach`: told
        once per inquiry whose response-time target was missed (the desk handler emits a metric)."""
        from activecare.desk.dynamo import (
            DynamoDeskInquiries,
            DynamoDoNotContact,
            DynamoGoneTweets,
            DynamoReservations,
            DynamoTally,
        )
        from activecare.desk.service import DeskService
        from activecare.listening.dynamo import DynamoUsage

        return DeskService(settings=self.settings, inquiries=DynamoDeskInquiries(),
                           reservations=DynamoReservations(), tally=DynamoTally(), reader=self.twitter,
                           poster_for=self.poster, clock=self.clock, do_not_contact=DynamoDoNotContact(),
                           form_links=self.mailform() if self.settings.mailform_key_id else None,
                           gone=DynamoGoneTweets(), on_reply=self._qa_hook(), on_sla_breach=on_sla_breach,
                           context=self.author_context, verdicts=DynamoUsage())

    def mailform(self, bucket: str | None = None) -> MailformService:
        """The e-mail form (issue #19): its table, the customer-managed key (field-level), SES, the inbound bucket
        (`bucket`: the one an S3 event names; else the setting), and the desk's inquiries (a submission or an
        e-mail joins its inquiry as a desk event)."""
        import boto3

        from activecare.mailform.aws import KmsCipher, S3Bucket
        from activecare.mailform.dynamo import DynamoMailStore
        from activecare.mailform.service import MailformService
        from activecare.ses import SesMailer, ses_client

        s = self.settings
        name = bucket or s.mailform_bucket
        if self._mailform is None or self._mailform_bucket != name:
            self._mailform_bucket = name
            kms = boto3.client("kms", region_name=s.region)
            store = S3Bucket(boto3.client("s3", region_name=s.region), name, s.mailform_key_id)
            self._mailform = MailformService(
                store=DynamoMailStore(), cipher=KmsCipher(kms, s.mailform_key_id), clock=self.clock,
                form_url=s.mailform_url or _form_url(), sender=s.support_sender,
                mailer=SesMailer(ses_client(s.region), envelope=True), bucket=store, inquiries=DeskCases(self.clock),
                link_days=s.mailform_link_days, retention_days=s.mailform_retention_days)
        return self._mailform

    def qa(self) -> QaService:
        """Skill standards, sampled replies, reviews and feedback (issue 17), in the state table."""
        from activecare.qa.dynamo import (
            DynamoCases,
            DynamoConversations,
            DynamoReplyLog,
            DynamoReviews,
            DynamoStandards,
        )
        from activecare.qa.service import QaService

        return QaService(standards=DynamoStandards(), replies=DynamoReplyLog(), reviews=DynamoReviews(),
                         clock=self.clock, conversations=DynamoConversations(), cases=DynamoCases(),
                         keep_handles=tuple(a.username for a in self.settings.accounts))

    def _qa_hook(self) -> Callable[[PostedReply], None]:
        """The desk tells the QA feature of each reply it records (no feature imports another: composed here)."""
        qa = self.qa()

        def on_reply(r: PostedReply) -> None:
            qa.record_reply(tweet_id=r.tweet_id, inquiry_id=r.inquiry_id, agent=r.agent, text=r.text,
                            posted_at=r.posted_at, trainee=r.trainee, topic=r.topic, first_response=r.first_response,
                            first_response_s=r.first_response_s,
                            sla_kind=r.sla_kind, sla_breached=r.sla_breached, department=r.department,
                            template=r.template or "")

        return on_reply

    @cached_property
    def author_context(self) -> AuthorContext:
        """The authors' tweets around an inquiry, read on its first open; kept for the warm function's life."""
        from activecare.desk.context import AuthorContext

        return AuthorContext(self.twitter, self.clock)

    def publisher(self) -> Publisher:
        """Scheduled posts: the calendar and post records in the state table, posting as each account."""
        from activecare.publishing.dynamo import DynamoPublishStore
        from activecare.publishing.service import Publisher

        return Publisher(accounts=self.settings.accounts, store=DynamoPublishStore(), poster_for=self.poster,
                         reader=self.twitter, clock=self.clock, hours=self.settings.service_hours)

    def reporter(self, mailer: Mailer | None = None) -> Reporter:
        """The voice-of-the-customer reporter over the inquiry table (by_status), the state table's ledger and SES."""
        from activecare.reporting.dynamo import DynamoReportInquiries, DynamoReportLedger
        from activecare.reporting.routing import load_routing
        from activecare.reporting.service import Reporter
        from activecare.reporting.ses import SesMailer, ses_client
        from activecare.reporting.windows import Schedule

        s = self.settings
        return Reporter(inquiries=DynamoReportInquiries(), ledger=DynamoReportLedger(),
                        mailer=mailer or SesMailer(ses_client(s.region)), routing=load_routing(s.report_routing_file),
                        schedule=Schedule.from_spec(s.report_times), sender=s.report_sender, clock=self.clock,
                        keep_handles=tuple(a.username for a in s.accounts), retry_windows=s.report_retry_windows,
                        incidents=OutageIncidents())

    def campaign(self, *, x_factory: Callable[[TweepyGateway, str], TweepyCampaignX] | None = None
                 ) -> CampaignService:
        """The campaign lottery over its table and X as the campaign's account, with the DM-capable
        credentials of the campaign's own secret (only the campaign function may read it).
        `x_factory(gateway, account_id)` replaces the tweepy adapter (tests inject a crash there)."""
        from aws_lambda_powertools.utilities import parameters

        from activecare.campaign.dynamo import DynamoCampaignStore
        from activecare.campaign.service import CampaignService
        from activecare.campaign.x import TweepyCampaignX

        settings, factory = self.settings, x_factory or TweepyCampaignX
        adapters: dict[str, TweepyCampaignX] = {}

        def x_for(account_key: str) -> TweepyCampaignX:
            if account_key not in adapters:
                secret = parameters.get_secret(settings.campaign_secret_id, transform="json", max_age=300)
                gateway = user_gateway(secret, settings.campaign_secret_id, account_key,
                                       base_url=settings.twitter_base_url or None, what="DM credentials")
                gateway.post_counter = self.post_counter(account_key)
                adapters[account_key] = factory(gateway, settings.account(account_key).user_id)
            return adapters[account_key]

        return CampaignService(store=DynamoCampaignStore(), source_for=x_for, messenger_for=x_for, clock=self.clock,
                               known_accounts=frozenset(a.key for a in settings.accounts))

    def compliance(self, *, time_left: Callable[[], float] | None = None,
                   sleep: Callable[[float], None] | None = None) -> ComplianceService:
        """The compliance sweep over the tables and X app-only (lookups or batch jobs, per `sweep_mode`); also
        the erasure of tweets and users X reports gone (`erase_tweets`, `erase_users`)."""
        from activecare.compliance.dynamo import DynamoHoldings, DynamoRuns
        from activecare.compliance.service import ComplianceService
        from activecare.compliance.x import TweepyComplianceX
        from activecare.twitter.gateway import TweepyGateway

        s = self.settings
        x = TweepyComplianceX(self.twitter) if isinstance(self.twitter, TweepyGateway) else None
        return ComplianceService(holdings=DynamoHoldings(), runs=DynamoRuns(), clock=self.clock, mode=s.sweep_mode,
                                 lookup=x, jobs=x, budget_usd=s.compliance_budget_usd, time_left=time_left,
                                 sleep=sleep or time.sleep)

    def catalogue(self) -> Catalogue:
        """Keywords from the keyword table, cached for keyword_cache_s (ops edits land within it)."""
        from activecare.keywords.catalogue import Catalogue
        from activecare.keywords.dynamo import load_catalogue_rows

        now = time.monotonic()
        if self._catalogue and now - self._catalogue[0] < self.settings.keyword_cache_s:
            return self._catalogue[2]
        items = load_catalogue_rows()
        if not items:
            raise KeywordTableEmpty(
                f"keyword table {self.settings.keyword_table} is empty: run `activecare keywords import`")
        fingerprint = hash(tuple(tuple(sorted(i.items())) for i in items))
        if self._catalogue and self._catalogue[1] == fingerprint:  # unchanged: keep the compiled matcher
            catalogue = self._catalogue[2]
        else:
            catalogue = Catalogue.from_items(items)
        self._catalogue = (now, fingerprint, catalogue)
        return catalogue

    def listening(self) -> tuple[Catalogue, Any, list[Any]]:
        """The catalogue, its compiled matcher and packed queries, rebuilt only when keywords change."""
        from activecare.keywords.grouped import pack_for
        from activecare.keywords.matcher import Matcher

        catalogue = self.catalogue()
        if self._listening is None or self._listening[0] is not catalogue:
            matcher = Matcher(catalogue, support_usernames=[a.username for a in self.settings.accounts])
            self._listening = (catalogue, matcher, pack_for(
                catalogue, self.settings.query_length, group_ambiguous=self.settings.x_group_ambiguous,
                max_queries=self.settings.query_slots))
        return self._listening

    def poller(self) -> Poller:
        from activecare.listening.dynamo import DynamoCheckpoints, DynamoUsage
        from activecare.listening.ingest import mention_topics
        from activecare.listening.poll import Poller
        from activecare.listening.sqs import SqsQueue

        catalogue, matcher, queries = self.listening()
        return Poller(
            twitter=self.twitter,
            queue=SqsQueue(self.sqs, self.settings.queue_url),
            checkpoints=DynamoCheckpoints(),
            matcher=matcher,
            queries=queries,
            accounts=self.settings.accounts,
            clock=self.clock,
            search_budget=self.settings.searches_per_run,
            mention_topics=mention_topics(catalogue, self.settings.accounts),
            first_lookback=timedelta(seconds=self.settings.first_poll_lookback_s),
            usage=DynamoUsage(),
            budget_usd=self.settings.x_monthly_budget_usd,
        )

    def ingestor(self) -> Ingestor:
        from activecare.listening.dynamo import DynamoInquiryStore
        from activecare.listening.ingest import Ingestor

        return Ingestor(store=DynamoInquiryStore(), accounts=self.settings.accounts,
                        clock=self.clock)

    # --- X's account activity webhook (functions/webhook) and its events in the worker ---
    def _consumer_secret(self) -> str:
        """The X app's consumer secret, from the webhook's own secret (no other function reads it)."""
        from aws_lambda_powertools.utilities import parameters

        secret_id = self.settings.webhook_secret_id
        secret = parameters.get_secret(secret_id, transform="json", max_age=300)
        if not isinstance(secret, dict) or not secret.get("consumer_secret"):
            raise RuntimeError(f"secret {secret_id} has no consumer_secret")
        return str(secret["consumer_secret"])

    def webhook(self) -> WebhookService:
        """Kept for the container's life: it remembers the events it queued (X's retries are not queued again)."""
        from activecare.listening.inbound import ListenQueueSink
        from activecare.listening.ingest import mention_topics
        from activecare.listening.sqs import SqsQueue
        from activecare.webhook.service import WebhookService

        catalogue, matcher, _ = self.listening()
        sink = ListenQueueSink(queue=SqsQueue(self.sqs, self.settings.queue_url), matcher=matcher,
                               mention_topics=mention_topics(catalogue, self.settings.accounts),
                               accounts=self.settings.accounts)
        if self._webhook is None:
            self._webhook = WebhookService(secret=self._consumer_secret, sink=sink)
        self._webhook.sink = sink  # the matcher of the current keywords
        return self._webhook

    def events(self) -> EventIngestor:
        from activecare.listening.dynamo import DynamoInquiryStore, DynamoTweetEraser
        from activecare.listening.events import EventIngestor

        return EventIngestor(do_not_contact=DynamoInquiryStore(), eraser=DynamoTweetEraser(),
                             accounts=self.settings.accounts, direct_messages=self.direct_messages)

    # --- outage radar ---
    def outage_signals(self) -> DynamoSignals:
        """The worker's side of the radar: complaint signals into the minute buckets."""
        from activecare.outage.dynamo import DynamoSignals

        return DynamoSignals()

    def outage_detector(self) -> Detector:
        """The radar's minute run over the state table, alerting to the stack's outage topic."""
        import boto3

        from activecare.outage.dynamo import DynamoRadar, DynamoSignals, LoggedAlerts, SnsAlerts
        from activecare.outage.ports import AlertSink
        from activecare.outage.service import Detector

        arn = self.settings.outage_topic_arn
        alerts: AlertSink = (SnsAlerts(boto3.client("sns", region_name=self.settings.region), arn) if arn
                             else LoggedAlerts())
        return Detector(signals=DynamoSignals(), radar=DynamoRadar(), alerts=alerts, clock=self.clock)

    def crisis(self) -> CrisisDesk:
        """Crisis mode: incidents confirmed by supervisors, status posts as the owning account."""
        from activecare.outage.dynamo import DynamoRadar, XStatusPoster
        from activecare.outage.service import CrisisDesk
        from activecare.storage.post_window import DynamoPostWindow

        return CrisisDesk(radar=DynamoRadar(), poster=XStatusPoster(self.poster), clock=self.clock,
                          posts=DynamoPostWindow())


def _form_url() -> str:
    from activecare.desk.templates import default_templates

    return default_templates().form_url


class DeskCases:
    """The mail form's view of the desk's inquiries: an inquiry's department, and a desk event on it that brings
    it back to the queue (a form or an e-mail came in). Idempotent on the event's kind and detail."""

    def __init__(self, clock: Clock) -> None:
        from activecare.desk.dynamo import DynamoDeskInquiries

        self.repo = DynamoDeskInquiries()
        self.clock = clock

    def department(self, inquiry_id: str) -> str | None:
        if not inquiry_id.isascii() or not inquiry_id.isdigit():
            return None
        inq = self.repo.get(inquiry_id)
        return None if inq is None else inq.department

    def note(self, inquiry_id: str, kind: str, at: datetime, detail: str, agent: str = "customer") -> None:
        from activecare.desk.models import Event

        inq = self.repo.get(inquiry_id)
        if inq is None:
            return
        if not any(e.kind == kind and e.detail == detail for e in inq.events):
            self.repo.add_event(inquiry_id, Event(kind, agent, at, detail))
        if kind in ("mail_form", "mail_in") and inq.status != "new":  # the customer wrote: back to the queue
            self.repo.set_status(inquiry_id, "new", Event("reopen", agent, at, kind), expect=("resolved", "replied"))


class OutageIncidents:
    """The reporter's IncidentSource over the outage radar's incidents (the composition root joins the two
    features: neither imports the other)."""

    def between(self, start: datetime, end: datetime) -> list[IncidentLine]:
        from activecare.outage.dynamo import DynamoRadar
        from activecare.outage.report import incidents_between
        from activecare.reporting.models import IncidentLine

        return [IncidentLine(**t.as_dict()) for t in incidents_between(DynamoRadar(), start, end)]  # type: ignore[arg-type]


def user_gateway(secret: object, secret_id: str, account_key: str, *, base_url: str | None,
                 bearer: str | None = None, what: str = "credentials") -> TweepyGateway:
    """X as a support account from a secret's "accounts" entry: {"access_token": ...} is an OAuth 2.0 user
    token; consumer_key/consumer_secret/access_token/access_token_secret are OAuth 1.0a keys (signed requests;
    the app-only bearer, or the entry's own, rides along for app-only endpoints)."""
    from activecare.twitter.gateway import make_gateway  # tweepy only where X is called

    accounts = (secret.get("accounts") or {}) if isinstance(secret, dict) else {}
    creds = accounts.get(account_key) if isinstance(accounts, dict) else None
    if not isinstance(creds, dict) or not creds.get("access_token"):
        raise RuntimeError(f"secret {secret_id} has no {what} for account {account_key!r}")
    if creds.get("access_token_secret"):
        keys = {k: str(creds[k]) for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")}
        return make_gateway(bearer or str(creds.get("bearer_token") or "unused"), base_url=base_url, user_auth=keys)
    return make_gateway(str(creds["access_token"]), base_url=base_url)


_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime(Settings.from_env())
    return _runtime


def reset_runtime(settings: Settings | None = None, clock: Clock | None = None) -> Runtime:
    global _runtime
    _runtime = Runtime(settings or Settings.from_env(), clock or system_clock)
    return _runtime
