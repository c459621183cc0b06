"""The campaign's data: the request ops make, entrants as collected, winners and their DM state, and what
each operation answers (the JSON of the campaign function and of `activecare campaign --json`)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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

# How winners hear of their prize. X's rule: automated DMs only after the user DMs you first.
#   hand  (default): the desk prepares a DM link per winner; an agent sends it by hand and confirms it, and the
#         confirmation counts once the account's DM events show it.
#   claim: a public announcement (no mentions) asks winners to DM a claim phrase; a winner who does gets the prize
#         message through the API (the user wrote first).
#   api:   the API DMs every winner unasked (only when the operator sets it explicitly).
NotifyMode = Literal["hand", "claim", "api"]
NOTIFY_MODES: tuple[NotifyMode, ...] = get_args(NotifyMode)
DM_RULE = "automated DMs only after the user DMs you first"  # X developer guidelines (2026), quoted
DEFAULT_CLAIM_PHRASE = "当選受け取り"
DEFAULT_ANNOUNCEMENT = (
    "「{campaign}」キャンペーンの抽選を行いました。ご応募ありがとうございました！\n当選された方は、このアカウントへ"
    "「{phrase}」とDMでお送りください。当選の方には賞品のご案内をDMでお返しします。")
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])[@＠][A-Za-z0-9_]")

CampaignState = Literal["collecting", "drawn", "closed"]
CAMPAIGN_STATES: tuple[CampaignState, ...] = get_args(CampaignState)
WinnerStatus = Literal["pending", "sending", "sent", "failed"]  # pending -> sending (reserved) -> sent | failed
WINNER_STATUSES: tuple[WinnerStatus, ...] = get_args(WinnerStatus)
# The operations, as the campaign function's events name them.
Action = Literal["draw", "status", "certificate", "retry_failed", "close", "tick", "hand_list", "hand_confirm"]
ACTIONS: tuple[Action, ...] = get_args(Action)


class Rules(BaseModel):
    """Eligibility rules ops set per campaign (one entry per user always holds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cutoff: datetime | None = None  # entries close here; the draw refuses to run before it
    require_follow: bool = True
    require_retweet: bool = True  # entrants retweeted the campaign post
    # Entrants replied to the campaign post with this phrase (normalised Japanese matching); "" = no reply entry.
    reply_phrase: str = Field(default="", max_length=50)
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

    @model_validator(mode="after")
    def _an_entry(self) -> Rules:
        if not self.require_retweet and not self.reply_phrase.strip():
            raise ValueError("a campaign needs an entry: a retweet (require_retweet) or a reply_phrase, or both")
        return self

    def canonical(self) -> str:
        data = self.model_dump(mode="json")
        for name, default in (("require_retweet", True), ("reply_phrase", "")):  # as recorded before these existed
            if data[name] == default:
                data.pop(name)
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


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
    notify: NotifyMode = "hand"
    claim_phrase: str = Field(default=DEFAULT_CLAIM_PHRASE, min_length=1, max_length=50)
    announcement: str = Field(default=DEFAULT_ANNOUNCEMENT, min_length=1, max_length=280)
    announce_at: datetime | None = None  # claim mode: not before this time (e.g. after the morning greeting)

    @field_validator("announce_at")
    @classmethod
    def _aware_at(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("announce_at needs a time zone (e.g. 2026-12-02T10:00:00+09:00)")
        return value

    @field_validator("announcement")
    @classmethod
    def _no_mentions(cls, value: str) -> str:
        if MENTION_RE.search(value) or "{username}" in value:
            raise ValueError("the claim announcement is public: no @mentions and no usernames")
        return value

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
    retweeted: bool = True
    replied: bool = False  # replied to the campaign post with the phrase


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
    notify: NotifyMode = "api"  # campaigns recorded before the modes existed were API-notified
    claim_phrase: str = ""
    announcement: str = ""
    announce_at: datetime | None = None  # the claim announcement goes out at or after this time
    announce_tweet_id: str | None = None  # the claim announcement, once posted
    announce_reserved_at: datetime | None = None  # a post under way (or left by a crash: reconciled first)
    dm_cursor: str | None = None  # claim mode: the newest DM event already read
    follow_check: str = ""  # how follows are read: connection_status | followers (chosen by cost)
    reads: dict[str, int] = field(default_factory=dict)  # X resources read: posts, users, owned

    def same_request(self, req: DrawRequest) -> bool:
        return (self.tweet_id, self.account, self.winners_wanted, self.rules.canonical(), self.salt, self.notify,
                self.claim_phrase if self.notify == "claim" else "") == (
            req.tweet_id, req.account, req.winners, req.rules.canonical(), req.salt, req.notify,
            req.claim_phrase if req.notify == "claim" else "")


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
    claimed_at: datetime | None = None  # claim mode: the winner DMed the claim phrase (the DM event's id below)
    claim_event_id: str | None = None


def merge_entrants(items: Iterable[tuple[str, Entrant]]) -> list[Entrant]:
    """Entrant records by "<kind>#<user>" (e retweeted, r replied, f follows) merged into one per user."""
    merged: dict[str, Entrant] = {}
    for key, e in items:
        kind = key.split("#", 1)[0]
        had = merged.get(e.user_id)
        base = had or replace(e, retweeted=False, replied=False, follows=False)
        if kind in ("e", "r") and (had is None or not had.username):
            base = replace(e, retweeted=base.retweeted, replied=base.replied, follows=base.follows)
        merged[e.user_id] = replace(base, retweeted=base.retweeted or kind == "e",
                                    replied=base.replied or kind == "r",
                                    follows=base.follows or (e.follows and kind in ("e", "f")))
    return list(merged.values())


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

    _absent_when_none = ("draw", "failures", "announcement_tweet_id")

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
    notify: NotifyMode = "api"
    announcement_tweet_id: str | None = None  # claim mode, once posted
    follow_check: str = ""
    x_reads: dict[str, int] = Field(default_factory=dict)  # X resources read for this campaign: posts, users, owned
    x_read_cost_usd: float = 0.0


class DryRun(_Result):
    """A dry-run draw: every retweeter collected and counted; nothing stored, drawn or sent."""

    campaign_id: str
    dry_run: Literal[True] = True
    counts: dict[str, int]
    entrants: int
    entrants_sha256: str
    would_win: int
    api_calls: dict[str, int]
    follow_check: str = ""
    x_reads: dict[str, int] = Field(default_factory=dict)  # what this dry run read (a real draw reads it again)
    x_read_cost_usd: float = 0.0


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


HandState = Literal["pending", "confirmed", "not_found"]


class HandWinner(_Result):
    """A winner an agent notifies by hand: the DM link to open, and whether the account's DM events show it."""

    rank: int
    user_id: str
    username: str
    state: HandState  # pending; confirmed; not_found: an agent confirmed but the DM events do not show it yet
    dm_link: str
    text: str
    confirmed_at: str | None = None


class HandList(_Result):
    campaign_id: str
    account: str
    notify: NotifyMode
    winners: list[HandWinner]


class ClaimResult(_Result):
    """A received DM, as claim mode read it: whose campaign it claimed (if any) and whether the prize went out."""

    event_id: str
    campaign_id: str | None = None
    claimed: bool = False
    sent: bool = False


DrawOutcome = CampaignProgress | DryRun
CampaignResult = CampaignProgress | DryRun | Certificate | Requeued | Tick | HandList | HandWinner
