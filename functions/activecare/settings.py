"""Runtime settings, read once from the environment (the SAM template sets them)."""

from __future__ import annotations

import json
import os
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
CODE_ROOT = Path(__file__).resolve().parents[1]  # the deployed code's root: /var/task on Lambda


class Settings(BaseModel):
    region: str = "ap-northeast-1"
    inquiry_table: str = "activecare-inquiries"
    state_table: str = "activecare-state"
    keyword_table: str = "activecare-keywords"
    campaign_table: str = "activecare-campaigns"
    # The campaign's own secret: DM-capable user tokens per account ({"accounts": {key: {...}}}).
    # Only the campaign function may read it (template.yaml); every other function lacks DM credentials.
    campaign_secret_id: str = "activecare/twitter-dm"
    queue_url: str = ""
    # X credentials, split by what they allow: the app-only bearer token (read-only: the poller, the worker, the
    # desk's and the publisher's reads) and the support accounts' user tokens (posting: the desk and the
    # publisher only; template.yaml grants nobody else).
    bearer_secret_id: str = "activecare/twitter-bearer"
    posting_secret_id: str = "activecare/twitter-posting"
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

    @field_validator("accounts", mode="before")
    @classmethod
    def _accounts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(SupportAccount(**a) for a in json.loads(value))
        return value

    @field_validator("accounts")
    @classmethod
    def _account_keys(cls, value: tuple[SupportAccount, ...]) -> tuple[SupportAccount, ...]:
        keys = sorted(a.key for a in value)
        if keys != sorted(ACCOUNT_KEYS):
            raise ValueError(f"support accounts must be exactly one each of {', '.join(sorted(ACCOUNT_KEYS))}; "
                             f"got {', '.join(keys) or 'none'}")
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
    def searches_per_run(self) -> int:
        """Search requests one minute's run may spend: the 15-minute budget spread evenly."""
        return max(1, SEARCHES_PER_15_MIN[self.access_level] // 15)

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
            "campaign_secret_id": "CAMPAIGN_SECRET_ID",
            "queue_url": "LISTEN_QUEUE_URL",
            "bearer_secret_id": "BEARER_SECRET_ID",
            "posting_secret_id": "POSTING_SECRET_ID",
            "twitter_base_url": "TWITTER_BASE_URL",
            "access_level": "X_ACCESS_LEVEL",
            "accounts": "SUPPORT_ACCOUNTS",
            "first_poll_lookback_s": "FIRST_POLL_LOOKBACK_S",
            "keyword_cache_s": "KEYWORD_CACHE_S",
            "report_times": "REPORT_TIMES",
            "report_sender": "REPORT_SENDER",
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
