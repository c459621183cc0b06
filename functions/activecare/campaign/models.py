"""The campaign's data: the request ops make, entrants as collected, winners and their DM state, and what
each operation answers (the JSON of the campaign function and of `activecare campaign --json`)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from activecare.campaign.errors import BadInput

DEFAULT_WINNERS = 100
MAX_WINNERS = 1000
SALT_RE = re.compile(r"[0-9a-f]{32,128}")
DEFAULT_MESSAGE = (
    "@{username} さん\nこの度は「{campaign}」キャンペーンにご応募いただき、誠にありがとうございます。"
    "厳正なる抽選の結果、ご当選されました🎉\n賞品のお受け取り方法は、このメッセージへのご返信にてご案内いたします。"
)

CampaignState = Literal["collecting", "drawn", "closed"]
CAMPAIGN_STATES: tuple[CampaignState, ...] = get_args(CampaignState)
WinnerStatus = Literal["pending", "sending", "sent", "failed"]  # pending -> sending (reserved) -> sent | failed
WINNER_STATUSES: tuple[WinnerStatus, ...] = get_args(WinnerStatus)
# The operations, as the campaign function's events name them.
Action = Literal["draw", "status", "certificate", "retry_failed", "close", "tick"]
ACTIONS: tuple[Action, ...] = get_args(Action)


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
    # Commit and reveal: `activecare campaign salt` makes a random salt; its sha256 is published in the campaign's
    # announcement before entries close, the salt itself only with the draw (the certificate). Without a secret
    # salt the seed would be computable from public data (the retweeters) before the draw.
    salt: str = Field(default="", max_length=128)
    salt_sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")
    dry_run: bool = False

    @field_validator("winners")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"the number of winners must be at least 1 (got {value})")
        if value > MAX_WINNERS:
            raise ValueError(f"at most {MAX_WINNERS} winners a campaign (got {value}): X allows the account "
                             f"{MAX_WINNERS} DMs a day at most")
        return value

    @model_validator(mode="after")
    def _committed_salt(self) -> DrawRequest:
        if self.dry_run:
            return self
        if not SALT_RE.fullmatch(self.salt):
            raise ValueError("salt: a real draw needs the campaign's secret salt (32-128 hex characters, from "
                             "`activecare campaign salt`)")
        if hashlib.sha256(self.salt.encode("ascii")).hexdigest() != self.salt_sha256:
            raise ValueError("salt_sha256: must be the sha256 published in the announcement, and match the salt")
        return self

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
    status: CampaignState = "collecting"
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
    status: WinnerStatus = "pending"
    attempts: int = 0
    reserved_at: datetime | None = None
    sent_at: datetime | None = None
    dm_event_id: str | None = None
    error: str | None = None


def status_after_failure(*, final: bool, keep_sending: bool) -> WinnerStatus:
    """A failed send: failed when final; held sending when its outcome is unknown; else pending again."""
    return "failed" if final else "sending" if keep_sending else "pending"


# --- what the operations answer ---------------------------------------------------------------------
# Times are ISO 8601 UTC strings as X writes them (`clock.iso_z`): the JSON the function has always returned.


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Fields left out of the JSON while they are None (they appear only once the campaign has them).
    _absent_when_none: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _leave_out_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self._absent_when_none:
            if data.get(name) is None:
                data.pop(name, None)
        return data


class Collection(_Result):
    pages: int
    retweeters: int
    done: bool
    resume_after: str | None  # a 429 stopped it: collection continues after this time


class DmBudget(_Result):
    window_used: int
    window_limit: int
    day_used: int
    day_limit: int


class DrawRecord(_Result):
    entrants: int
    entrants_sha256: str
    seed: str
    counts: dict[str, int]
    drawn_at: str | None


class Failure(_Result):
    rank: int
    user_id: str
    error: str | None


class CampaignProgress(_Result):
    """`status` (and what draw, advance and close answer): collection, the draw's record and the DM queue.
    No personal data: user ids of failed DMs only."""

    _absent_when_none = ("draw", "failures")

    campaign_id: str
    tweet_id: str
    account: str
    status: CampaignState
    collection: Collection
    winners_wanted: int
    winners: int
    dms: dict[WinnerStatus, int]
    dm_budget: DmBudget
    dm_cost_usd: float
    draw: DrawRecord | None = None  # once drawn
    failures: list[Failure] | None = None  # once drawn


class DryRun(_Result):
    """A dry-run draw: every retweeter collected and counted; nothing stored, drawn or sent."""

    campaign_id: str
    dry_run: Literal[True] = True
    counts: dict[str, int]
    entrants: int
    entrants_sha256: str
    would_win: int
    api_calls: dict[str, int]


class Certificate(_Result):
    """Everything a third party needs to re-run the draw (user ids only: no names); `draw.verify` re-runs it."""

    campaign_id: str
    tweet_id: str
    account: str
    winners_wanted: int
    rules: Rules
    counts: dict[str, int]
    collected_at: str
    drawn_at: str
    algorithm: str
    salt: str
    salt_sha256: str = ""  # published before entries closed; verify checks the salt against it
    entrants_count: int
    entrants_sha256: str
    seed: str
    winners: list[str]
    entrants: list[str]


class Requeued(_Result):
    campaign_id: str
    requeued: int  # failed DMs put back in the queue


class TickFailure(_Result):
    campaign_id: str
    error: str  # the X error's kind (TwitterUnavailable, TwitterRejected): the next run tries again


class Tick(_Result):
    campaigns: list[CampaignProgress | TickFailure]


DrawOutcome = CampaignProgress | DryRun
CampaignResult = CampaignProgress | DryRun | Certificate | Requeued | Tick
