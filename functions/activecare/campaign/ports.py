"""What the campaign needs from X and from storage (small protocols; memory fakes in memory.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from activecare.campaign.models import Campaign, Entrant, Winner, WinnerStatus


@dataclass(frozen=True)
class RetweeterPage:
    entrants: list[Entrant]
    next_token: str | None


class RetweeterSource(Protocol):
    def retweeters(self, tweet_id: str, *, pagination_token: str | None = None) -> RetweeterPage:
        """One page (≤100) of GET /2/tweets/:id/retweeted_by as the campaign's account, with
        whether each user follows it. Unknown tweet -> TwitterRejected(404)."""
        ...


class DirectMessenger(Protocol):
    """The only DM-capable port in the system (implemented in campaign/x.py alone)."""

    def send_dm(self, participant_id: str, text: str) -> str:
        """POST /2/dm_conversations/with/:participant_id/messages; returns the dm_event_id."""
        ...

    def find_sent_dm(self, participant_id: str, text: str) -> str | None:
        """The id of a message with exactly `text` we already sent to the participant, if any."""
        ...


class CampaignStore(Protocol):
    def get(self, campaign_id: str) -> Campaign | None: ...

    def create(self, campaign: Campaign) -> bool:
        """Insert if absent; False when it exists already."""
        ...

    def save_page(self, campaign_id: str, entrants: Sequence[Entrant], *, expect_cursor: str | None,
                  next_cursor: str | None, done: bool, now: datetime) -> bool:
        """Store the page's entrants, then advance the cursor if it is still `expect_cursor`."""
        ...

    def set_resume_after(self, campaign_id: str, at: datetime | None) -> None: ...

    def entrants(self, campaign_id: str) -> list[Entrant]: ...

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
