"""The campaign's data: the request ops make, entrants as collected, winners and their DM state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from activecare.campaign.errors import BadInput

DEFAULT_WINNERS = 100
DEFAULT_MESSAGE = (
    "@{username} さん\nこの度は「{campaign}」キャンペーンにご応募いただき、誠にありがとうございます。"
    "厳正なる抽選の結果、ご当選されました🎉\n賞品のお受け取り方法は、このメッセージへのご返信にてご案内いたします。"
)
WINNER_STATUSES = ("pending", "sending", "sent", "failed")


class Rules(BaseModel):
    """Eligibility rules ops set per campaign (one entry per user always holds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cutoff: datetime | None = None  # entries close here; the draw refuses to run before it
    require_follow: bool = True
    min_followers: int = Field(default=0, ge=0)
    min_account_age_days: int = Field(default=0, ge=0)
    exclude_user_ids: tuple[str, ...] = ()  # staff, known bots ...
    exclude_usernames: tuple[str, ...] = ()
    exclude_winners_of: tuple[str, ...] = ()  # earlier campaigns whose winners may not win again

    @field_validator("exclude_user_ids")
    @classmethod
    def _ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for v in value:
            if not str(v).isdigit():
                raise ValueError(f"user id {v!r} is not numeric")
        return tuple(sorted(set(value), key=int))

    @field_validator("exclude_usernames")
    @classmethod
    def _names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({v.lstrip("@").lower() for v in value}))

    @field_validator("cutoff")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("cutoff needs a time zone (e.g. 2026-11-30T23:59:59+09:00)")
        return value

    def canonical(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


class DrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    campaign_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    tweet_id: str = Field(pattern=r"^[0-9]{1,19}$")
    account: str = "general"
    winners: int = DEFAULT_WINNERS
    rules: Rules = Rules()
    message: str = Field(default=DEFAULT_MESSAGE, min_length=1, max_length=2000)
    salt: str = Field(default="", max_length=200)
    dry_run: bool = False

    @field_validator("winners")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"the number of winners must be at least 1 (got {value})")
        return value

    @classmethod
    def parse(cls, data: Any) -> DrawRequest:
        """Validate; every problem becomes one BadInput naming the fields."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            parts = [f"{'.'.join(str(x) for x in e['loc']) or 'request'}: {e['msg']}" for e in exc.errors()]
            raise BadInput("; ".join(parts)) from None


@dataclass(frozen=True)
class Entrant:
    """A retweeter as collected (facts only; eligibility is decided at draw time)."""

    user_id: str
    username: str
    follows: bool
    followers_count: int = 0
    created_at: datetime | None = None


@dataclass
class Campaign:
    campaign_id: str
    tweet_id: str
    account: str
    winners_wanted: int
    rules: Rules
    message: str
    salt: str
    created_at: datetime
    status: str = "collecting"  # collecting | drawn | closed
    cursor: str | None = None  # the next retweeted_by page (None: from the start)
    pages: int = 0
    collected: int = 0
    collect_done: bool = False
    collected_at: datetime | None = None
    drawn_at: datetime | None = None
    entrants_count: int = 0
    entrants_sha256: str = ""
    seed: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    resume_after: datetime | None = None

    def same_request(self, req: DrawRequest) -> bool:
        return (self.tweet_id, self.account, self.winners_wanted, self.rules.canonical(), self.salt) == (
            req.tweet_id, req.account, req.winners, req.rules.canonical(), req.salt)


@dataclass
class Winner:
    campaign_id: str
    user_id: str
    username: str
    rank: int
    status: str = "pending"
    attempts: int = 0
    reserved_at: datetime | None = None
    sent_at: datetime | None = None
    dm_event_id: str | None = None
    error: str | None = None
