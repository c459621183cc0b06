"""Runtime settings, read once from the environment (the SAM template sets them)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from activecare.accounts import ACCOUNT_KEYS, DEFAULT_ACCOUNTS, SupportAccount
from activecare.hours import DEFAULT_HOURS, ServiceHours

AccessLevel = Literal["basic", "pro", "pay_per_use", "enterprise"]

# Per-tier facts from the X developer docs (see shared/reference/README.md).
QUERY_LENGTH = {"basic": 512, "pro": 512, "pay_per_use": 512, "enterprise": 4096}
SEARCHES_PER_15_MIN = {"basic": 60, "pro": 450, "pay_per_use": 450, "enterprise": 15_000}
ACTIVITY_WEBHOOKS = frozenset({"pay_per_use", "enterprise"})  # the access levels with account activity webhooks
# The access levels whose apps have X's batch compliance jobs (the others check by lookup, billed per read).
COMPLIANCE_JOB_LEVELS = frozenset({"pro", "enterprise"})
_USER_ID = re.compile(r"[1-9][0-9]{0,19}")
_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")
CODE_ROOT = Path(__file__).resolve().parents[1]  # the deployed code's root: /var/task on Lambda


class Settings(BaseModel):
    region: str = "ap-northeast-1"
    inquiry_table: str = "activecare-inquiries"
    state_table: str = "activecare-state"
    keyword_table: str = "activecare-keywords"
    campaign_table: str = "activecare-campaigns"
    # The e-mail form (mailform/): its table, its customer-managed key (field-level encryption), the bucket SES
    # receiving writes to, the support address answers come from, the form's public URL (the link is
    # <mailform_url>/<token>; empty: the saved replies' form_url), how long a link and what a customer sent live.
    mailform_table: str = "activecare-mailform"
    mailform_key_id: str = ""
    mailform_bucket: str = ""
    support_sender: str = "support@activecare.example.jp"
    mailform_url: str = ""
    mailform_link_days: int = Field(default=7, ge=1, le=30)
    mailform_retention_days: int = Field(default=90, ge=7, le=3650)
    # The campaign's own secret: DM-capable user tokens per account ({"accounts": {key: {...}}}).
    # Only the campaign function may read it (template.yaml); every other function lacks DM credentials.
    campaign_secret_id: str = "activecare/twitter-dm"
    campaign_function_name: str = ""  # the desk's campaign page invokes it; empty: in this process (local)
    queue_url: str = ""
    # X credentials, split by what they allow: the app-only bearer token (read-only: the poller, the worker, the
    # desk's and the publisher's reads) and the support accounts' user tokens (posting: the desk and the
    # publisher only; template.yaml grants nobody else).
    bearer_secret_id: str = "activecare/twitter-bearer"
    posting_secret_id: str = "activecare/twitter-posting"
    # The X app's consumer secret ({"consumer_secret": ...}), the key of the account activity webhook's CRC and
    # signatures: only the webhook function reads it.
    webhook_secret_id: str = "activecare/twitter-webhook"
    # Only for the local stack: where the fake X API listens. Empty on AWS.
    twitter_base_url: str = ""
    access_level: AccessLevel = "pro"
    accounts: tuple[SupportAccount, ...] = DEFAULT_ACCOUNTS
    # A query with no checkpoint yet starts this far back instead of 7 days.
    first_poll_lookback_s: int = Field(default=300, ge=10, le=6 * 86400)
    keyword_cache_s: int = Field(default=300, ge=0)
    # Voice-of-the-customer reports (reporting/): JST report times, each covering the time since the previous one.
    report_times: str = "14:00,20:00"
    report_sender: str = "voc-report@activecare.example.jp"
    qa_report_to: str = ""  # the supervisors' address the weekly QA report goes to (activecare qa weekly --send)
    # Empty: the packaged data/report_routing.json. A relative path is relative to the code root (the directory
    # holding the activecare package: /var/task on Lambda), so the stack's ReportRoutingFile means the same file
    # to the reporter and to the CLI.
    report_routing_file: str = ""
    report_retry_windows: int = Field(default=4, ge=1, le=14)  # failed reports of this many windows are retried
    # The desk replies, the publisher posts and the poller's health metric counts only in these JST hours.
    service_hours: ServiceHours = DEFAULT_HOURS
    # The web desk's sign-in: the hosted UI's base URL (Cognito's domain on AWS, the local stand-in locally), the
    # web app client, and the desk's own public URL (the sign-in callback is <desk_url>/desk/callback).
    auth_base_url: str = ""
    desk_api_url: str = ""  # the CLI's: the desk API (with --stack, the stack's DeskApiUrl output)
    # X's page for a post sent by hand (the intent-link flow); the local stack points it at its stand-in.
    intent_base_url: str = "https://x.com/intent/post"
    web_client_id: str = ""
    desk_url: str = ""
    # Staff sign-in (the CLI's side; with --stack they come from the stack's outputs UserPoolId / CliClientId).
    user_pool_id: str = ""
    cli_client_id: str = ""
    # Only for the local stack: where moto's cognito-idp listens. Empty on AWS.
    cognito_endpoint: str = ""
    # Retention (days; DynamoDB's TTL deletes an item some time after its `expires_at`). Inquiries count from their
    # last activity (created, a customer's follow-up, our reply); the reports compare with a week before: >= 8.
    inquiry_retention_days: int = Field(default=180, ge=8, le=3650)
    # Reply reservations: the desk's idempotency over X's 24 h duplicate-content window and the intent-link
    # confirm step (both within a day); a week leaves room to look into a complaint.
    reservation_retention_days: int = Field(default=7, ge=2, le=365)
    # Day records: scheduled posts and their caps (reconciled on their own day; `posts plan` looks back), the
    # desk's day tallies (`desk figures --day`).
    record_retention_days: int = Field(default=35, ge=2, le=3650)
    # The report ledger: a failed report is retried for up to 14 windows (a week); `report status` looks back.
    report_retention_days: int = Field(default=60, ge=8, le=3650)
    # Campaign records (the campaign, its entrants and winners) after the campaign's last activity (collection,
    # draw, a DM).
    campaign_retention_days: int = Field(default=180, ge=30, le=3650)
    # The daily compliance sweep (compliance/): "jobs" (X's batch compliance), "lookup" (GET /2/tweets, /2/users by
    # id, within compliance_budget_usd a sweep) or "auto": jobs where the access level has them (COMPLIANCE_JOB_LEVELS).
    compliance_mode: Literal["auto", "jobs", "lookup"] = "auto"
    compliance_budget_usd: float = Field(default=25.0, ge=0, le=100_000)
    # The outage radar's ops alerts (an SNS topic; empty: alerts are only logged and shown on the desk).
    outage_topic_arn: str = ""
    # The X bill (activecare/twitter/pricing.py): which ambiguous keywords X is asked for only together with their
    # context terms (keywords/grouped.py): "noisy" (the catalogue's `noisy` rows: at 512 characters a query the
    # default catalogue takes 25 queries, widened to Pro's 29 query slots with room for exclusions), "all" (every
    # ambiguous keyword: 104 queries, which Pro can only rotate, a query every few minutes) or "off"; and the
    # month's budget in USD (0: none) the poller forecasts against.
    x_group_ambiguous: Literal["off", "noisy", "all"] = "noisy"
    x_monthly_budget_usd: float = Field(default=0.0, ge=0, le=1_000_000)

    @field_validator("x_group_ambiguous", mode="before")
    @classmethod
    def _grouping(cls, value: object) -> object:
        """The setting was a flag before "noisy": true/false still read as "all"/"off"."""
        flags = {"true": "all", "1": "all", "false": "off", "0": "off", "": "noisy"}
        if isinstance(value, bool):
            return "all" if value else "off"
        return flags.get(str(value).strip().lower(), str(value).strip().lower())

    @field_validator("accounts", mode="before")
    @classmethod
    def _accounts(cls, value: object) -> object:
        """SUPPORT_ACCOUNTS (the stack's SupportAccounts): a JSON list of {key, username, user_id}."""
        if not isinstance(value, str):
            return value
        try:
            items = json.loads(value)
        except ValueError:
            raise ValueError("SUPPORT_ACCOUNTS is not JSON: a list of {key, username, user_id}") from None
        if not isinstance(items, list) or not all(isinstance(a, dict) for a in items):
            raise ValueError("SUPPORT_ACCOUNTS must be a JSON list of {key, username, user_id} objects")
        accounts = []
        for n, a in enumerate(items, 1):
            if set(a) != {"key", "username", "user_id"}:
                raise ValueError(f"SUPPORT_ACCOUNTS entry {n}: needs exactly key, username and user_id "
                                 f"(got {', '.join(sorted(map(str, a))) or 'nothing'})")
            accounts.append(SupportAccount(str(a["key"]), str(a["username"]), str(a["user_id"])))
        return tuple(accounts)

    @field_validator("accounts")
    @classmethod
    def _account_keys(cls, value: tuple[SupportAccount, ...]) -> tuple[SupportAccount, ...]:
        """Refused at cold start, not on every inquiry of a broken account."""
        keys = sorted(a.key for a in value)
        if keys != sorted(ACCOUNT_KEYS):
            raise ValueError(f"support accounts must be exactly one each of {', '.join(sorted(ACCOUNT_KEYS))}; "
                             f"got {', '.join(keys) or 'none'}")
        for a in value:
            if not _USER_ID.fullmatch(a.user_id):
                raise ValueError(f"support account {a.key}: user_id must be X's numeric id, got {a.user_id!r}")
            if not _USERNAME.fullmatch(a.username):
                raise ValueError(f"support account {a.key}: username must be 1-15 letters, digits or _ "
                                 f"(without @), got {a.username!r}")
        for field, seen in (("user_id", [a.user_id for a in value]), ("username", [a.username.lower() for a in value])):
            if len(set(seen)) != len(seen):
                raise ValueError(f"support accounts must have distinct {field}s")
        return value

    @field_validator("service_hours", mode="before")
    @classmethod
    def _service_hours(cls, value: object) -> object:
        return ServiceHours.parse(value) if isinstance(value, str) else value

    @field_validator("report_routing_file")
    @classmethod
    def _routing_file(cls, value: str) -> str:
        if value and not Path(value).is_absolute():
            return str(CODE_ROOT / value)
        return value

    @property
    def query_length(self) -> int:
        return QUERY_LENGTH[self.access_level]

    @property
    def sweep_mode(self) -> Literal["jobs", "lookup"]:
        """How the compliance sweep asks X: the setting, or for "auto" what the access level offers."""
        if self.compliance_mode != "auto":
            return self.compliance_mode
        return "jobs" if self.access_level in COMPLIANCE_JOB_LEVELS else "lookup"

    @property
    def searches_per_run(self) -> int:
        """Search requests one minute's run may spend: the 15-minute budget spread evenly."""
        return max(1, SEARCHES_PER_15_MIN[self.access_level] // 15)

    @property
    def query_slots(self) -> int:
        """Packed queries one run may hold (keywords/grouped.py pack_for fills them with exclusions): every search
        of the run but one, kept for a second page of a busy query, so each query still runs every minute."""
        return max(1, self.searches_per_run - 1)

    @property
    def offers_activity_webhooks(self) -> bool:
        """X delivers account activity (mentions, DMs, blocks, deletions) by webhook on this access level."""
        return self.access_level in ACTIVITY_WEBHOOKS

    def account(self, key: str) -> SupportAccount:
        for acc in self.accounts:
            if acc.key == key:
                return acc
        raise KeyError(f"unknown support account {key!r}")

    @property
    def account_ids(self) -> frozenset[str]:
        return frozenset(a.user_id for a in self.accounts)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mapping = {
            "region": "AWS_REGION",
            "inquiry_table": "INQUIRY_TABLE",
            "state_table": "STATE_TABLE",
            "keyword_table": "KEYWORD_TABLE",
            "campaign_table": "CAMPAIGN_TABLE",
            "mailform_table": "MAILFORM_TABLE",
            "mailform_key_id": "MAILFORM_KEY_ID",
            "mailform_bucket": "MAILFORM_BUCKET",
            "support_sender": "SUPPORT_SENDER",
            "mailform_url": "MAILFORM_URL",
            "mailform_link_days": "MAILFORM_LINK_DAYS",
            "mailform_retention_days": "MAILFORM_RETENTION_DAYS",
            "campaign_secret_id": "CAMPAIGN_SECRET_ID",
            "campaign_function_name": "CAMPAIGN_FUNCTION_NAME",
            "queue_url": "LISTEN_QUEUE_URL",
            "bearer_secret_id": "BEARER_SECRET_ID",
            "posting_secret_id": "POSTING_SECRET_ID",
            "webhook_secret_id": "WEBHOOK_SECRET_ID",
            "twitter_base_url": "TWITTER_BASE_URL",
            "access_level": "X_ACCESS_LEVEL",
            "accounts": "SUPPORT_ACCOUNTS",
            "first_poll_lookback_s": "FIRST_POLL_LOOKBACK_S",
            "keyword_cache_s": "KEYWORD_CACHE_S",
            "report_times": "REPORT_TIMES",
            "report_sender": "REPORT_SENDER",
            "qa_report_to": "QA_REPORT_TO",
            "report_routing_file": "REPORT_ROUTING_FILE",
            "report_retry_windows": "REPORT_RETRY_WINDOWS",
            "service_hours": "SERVICE_HOURS",
            "auth_base_url": "DESK_AUTH_URL",
            "desk_api_url": "DESK_API_URL",
            "intent_base_url": "X_INTENT_URL",
            "web_client_id": "DESK_WEB_CLIENT_ID",
            "desk_url": "DESK_URL",
            "user_pool_id": "USER_POOL_ID",
            "cli_client_id": "CLI_CLIENT_ID",
            "cognito_endpoint": "ACTIVECARE_COGNITO_ENDPOINT",
            "inquiry_retention_days": "INQUIRY_RETENTION_DAYS",
            "reservation_retention_days": "RESERVATION_RETENTION_DAYS",
            "record_retention_days": "RECORD_RETENTION_DAYS",
            "report_retention_days": "REPORT_RETENTION_DAYS",
            "campaign_retention_days": "CAMPAIGN_RETENTION_DAYS",
            "compliance_mode": "COMPLIANCE_MODE",
            "compliance_budget_usd": "COMPLIANCE_BUDGET_USD",
            "outage_topic_arn": "OUTAGE_TOPIC_ARN",
            "x_group_ambiguous": "X_GROUP_AMBIGUOUS",
            "x_monthly_budget_usd": "X_MONTHLY_BUDGET_USD",
        }
        values = {field: env[var] for field, var in mapping.items() if env.get(var)}
        return cls(**values)


@cache
def get_settings() -> Settings:
    return Settings.from_env()


# ---- the operator's side (the `activecare` CLI): which stack, which AWS profile ----


def ops_stack_name(explicit: str | None = None) -> str:
    """The stack the CLI operates: --stack, else $ACTIVECARE_STACK; empty means settings from the environment."""
    return explicit or os.environ.get("ACTIVECARE_STACK", "")


def cache_home(environ: dict[str, str] | None = None) -> Path:
    """Where the CLI keeps its sign-in sessions: $XDG_CACHE_HOME, else ~/.cache (XDG base directories)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    return (Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache") / "activecare"


@contextmanager
def aws_environment(profile: str | None, region: str | None) -> Iterator[None]:
    """AWS_PROFILE / AWS_REGION set for the duration of a CLI command, so every client (boto3, pynamodb's
    botocore session, Powertools) uses the operator's profile and region; restored afterwards."""
    wanted = {"AWS_PROFILE": profile, "AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    saved = {k: os.environ.get(k) for k, v in wanted.items() if v}
    try:
        for key in saved:
            os.environ[key] = str(wanted[key])
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
