"""The composition root: real adapters built from settings, once per Lambda
container. Tests and the simulation call `reset_runtime` to inject a clock or
settings; nothing else in the domain reads the environment."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
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
    from activecare.desk.context import AuthorContext
    from activecare.desk.service import DeskService
    from activecare.keywords.catalogue import Catalogue
    from activecare.listening.ingest import Ingestor
    from activecare.listening.poll import Poller
    from activecare.publishing.service import Publisher
    from activecare.reporting.ports import Mailer
    from activecare.reporting.service import Reporter
    from activecare.twitter.gateway import TweepyGateway
    from activecare.twitter.port import TwitterPort


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
            self._posters[account_key] = user_gateway(secret, secret_id, account_key,
                                                      base_url=self.settings.twitter_base_url or None)
        return self._posters[account_key]

    def desk(self) -> DeskService:
        """The agent desk over DynamoDB and X (reads app-only, posts as the owning account)."""
        from activecare.desk.dynamo import DynamoDeskInquiries, DynamoDoNotContact, DynamoReservations, DynamoTally
        from activecare.desk.service import DeskService

        return DeskService(settings=self.settings, inquiries=DynamoDeskInquiries(),
                           reservations=DynamoReservations(), tally=DynamoTally(), reader=self.twitter,
                           poster_for=self.poster, clock=self.clock, do_not_contact=DynamoDoNotContact(),
                           context=self.author_context)

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
                        keep_handles=tuple(a.username for a in s.accounts), retry_windows=s.report_retry_windows)

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
                adapters[account_key] = factory(gateway, settings.account(account_key).user_id)
            return adapters[account_key]

        return CampaignService(store=DynamoCampaignStore(), source_for=x_for, messenger_for=x_for, clock=self.clock,
                               known_accounts=frozenset(a.key for a in settings.accounts))

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
                catalogue, self.settings.query_length, group_ambiguous=self.settings.x_group_ambiguous))
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
