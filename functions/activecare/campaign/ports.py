"""What the campaign needs from X and from storage (small protocols; memory fakes in memory.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from activecare.campaign.models import Campaign, Entrant, Winner, WinnerStatus

EntryKind = str  # "e" a retweeter, "r" a phrase reply's author, "f" a candidate found to follow the account


@dataclass(frozen=True)
class RetweeterPage:
    entrants: list[Entrant]
    next_token: str | None


class RetweeterSource(Protocol):
    def retweeters(self, tweet_id: str, *, pagination_token: str | None = None) -> RetweeterPage:
        """One page (≤100) of GET /2/tweets/:id/retweeted_by as the campaign's account, with
        whether each user follows it. Unknown tweet -> TwitterRejected(404)."""
        ...


@dataclass(frozen=True)
class Reply:
    entrant: Entrant  # the reply's author (replied=True, retweeted=False)
    text: str


@dataclass(frozen=True)
class ReplyPage:
    replies: list[Reply]
    next_token: str | None
    posts: int  # posts read (billed)


@dataclass(frozen=True)
class IdPage:
    user_ids: list[str]
    next_token: str | None


@dataclass(frozen=True)
class DmEvent:
    id: str
    sender_id: str
    text: str
    participant_id: str = ""  # the other side of a one-to-one conversation, when known
    created_at: datetime | None = None


@dataclass(frozen=True)
class DmEventPage:
    events: list[DmEvent]  # newest first
    next_token: str | None


class EntryReads(Protocol):
    """The reads of reply-phrase entries and follow checks (as the campaign's account)."""

    def replies(self, tweet_id: str, *, pagination_token: str | None = None) -> ReplyPage:
        """GET /2/tweets/search/recent query=conversation_id:<tweet> is:reply, authors expanded."""
        ...

    def followers(self, *, pagination_token: str | None = None) -> IdPage:
        """GET /2/users/:account/followers, 1,000 a page (an owned read)."""
        ...

    def following_us(self, user_ids: Sequence[str]) -> set[str]:
        """GET /2/users?ids= (≤100) with connection_status: those who follow the account."""
        ...

    def followers_count(self) -> int:
        """The account's follower count (GET /2/users/me public_metrics)."""
        ...


class Announcer(Protocol):
    def post(self, text: str) -> str:
        """POST /2/tweets as the account; returns the tweet id."""
        ...

    def find_post(self, text: str) -> str | None:
        """The id of the account's recent post with exactly `text`, if any (a post whose answer was lost)."""
        ...


class DirectMessenger(Protocol):
    """The only DM-capable port in the system (implemented in campaign/x.py alone)."""

    def send_dm(self, participant_id: str, text: str) -> str:
        """POST /2/dm_conversations/with/:participant_id/messages; returns the dm_event_id."""
        ...

    def find_sent_dm(self, participant_id: str, text: str) -> str | None:
        """The id of a message with exactly `text` we already sent to the participant, if any."""
        ...

    def conversation(self, participant_id: str) -> list[DmEvent]:
        """GET /2/dm_conversations/with/:participant_id/dm_events: the one-to-one conversation, newest first."""
        ...

    def dm_events(self, *, pagination_token: str | None = None) -> DmEventPage:
        """GET /2/dm_events: every DM event of the account, newest first (claim mode polls it)."""
        ...


class CampaignStore(Protocol):
    def get(self, campaign_id: str) -> Campaign | None: ...

    def create(self, campaign: Campaign) -> bool:
        """Insert if absent; False when it exists already."""
        ...

    def save_page(self, campaign_id: str, entrants: Sequence[Entrant], *, expect_cursor: str | None,
                  next_cursor: str | None, done: bool, now: datetime, kind: EntryKind = "e",
                  reads: Mapping[str, int] | None = None, follow_check: str | None = None) -> bool:
        """Store the page's entrants (as `kind`), then advance the cursor if it is still `expect_cursor`, adding the
        page's X reads to the campaign's and, when given, recording the follow check chosen."""
        ...

    def set_resume_after(self, campaign_id: str, at: datetime | None) -> None: ...

    def entrants(self, campaign_id: str) -> list[Entrant]:
        """The entrants, merged per user over their kinds (retweeted, replied, follows)."""
        ...

    def mark_claimed(self, campaign_id: str, user_id: str, event_id: str, now: datetime) -> bool:
        """Record a winner's claim DM once; False when it was recorded already (or is no winner)."""
        ...

    def note(self, campaign_id: str, user_id: str, error: str | None) -> None:
        """A winner's last problem (hand mode: confirmed, but not in the DM events yet)."""
        ...

    def reserve_announcement(self, campaign_id: str, now: datetime, *, stale_before: datetime) -> bool:
        """Take the right to post the claim announcement: none posted, no post under way since `stale_before`."""
        ...

    def record_announcement(self, campaign_id: str, tweet_id: str) -> None: ...

    def set_dm_cursor(self, campaign_id: str, event_id: str) -> None: ...

    def save_draw(self, campaign: Campaign, winners: Sequence[Winner]) -> None:
        """Put each winner if absent (never resetting its DM state), then mark the campaign drawn."""
        ...

    def winners(self, campaign_id: str) -> list[Winner]: ...

    def reserve(self, campaign_id: str, user_id: str, expect_status: WinnerStatus, now: datetime) -> bool:
        """Move a winner from `expect_status` to sending; False if someone else moved it."""
        ...

    def record_sent(self, campaign_id: str, user_id: str, dm_event_id: str, now: datetime) -> None: ...

    def record_failure(self, campaign_id: str, user_id: str, error: str, *, final: bool, now: datetime,
                       keep_sending: bool = False) -> None:
        """sending -> failed (final) or pending, counting the attempt; `keep_sending`: the outcome is unknown (the
        DM may have gone out), so it stays sending and is reconciled once its lease ends."""
        ...

    def reset_failed(self, campaign_id: str) -> int:
        """Failed winners back to pending (ops, after e.g. a winner opened their DMs)."""
        ...

    def take_dm_slots(self, account: str, now: datetime, wanted: int, *, per_window: int, per_day: int) -> int:
        """Count up to `wanted` DMs against the account's 15-minute and 24-hour budgets; returns how many."""
        ...

    def dm_budget(self, account: str, now: datetime) -> tuple[int, int]:
        """DMs counted in the current (15-minute window, 24-hour day)."""
        ...

    def open_campaigns(self) -> list[str]: ...

    def close(self, campaign_id: str) -> None: ...


class CampaignReads(RetweeterSource, EntryReads, Protocol):
    """Everything the campaign reads from X (one adapter: campaign/x.py)."""


class Notifier(DirectMessenger, Announcer, Protocol):
    """Everything the campaign writes to X: the claim announcement and the winners' DMs."""
