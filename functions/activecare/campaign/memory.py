"""In-memory store and fake X for unit tests (same contracts as the DynamoDB and tweepy adapters)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from activecare.campaign.models import Campaign, Entrant, Winner, WinnerStatus, status_after_failure
from activecare.campaign.ports import RetweeterPage
from activecare.twitter.port import RateLimited, TwitterRejected

WINDOW = timedelta(minutes=15)
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class _Budget:
    """An account's DM budget, as the adapter's budget item."""

    window_start: datetime | None = None
    used: int = 0
    day_start: datetime | None = None
    day_used: int = 0


class MemoryCampaignStore:
    def __init__(self) -> None:
        self.campaigns: dict[str, Campaign] = {}
        self.entrant_items: dict[str, dict[str, Entrant]] = {}
        self.winner_items: dict[str, dict[str, Winner]] = {}
        self.budgets: dict[str, _Budget] = {}

    def get(self, campaign_id: str) -> Campaign | None:
        c = self.campaigns.get(campaign_id)
        return copy.deepcopy(c) if c else None

    def create(self, campaign: Campaign) -> bool:
        if campaign.campaign_id in self.campaigns:
            return False
        self.campaigns[campaign.campaign_id] = copy.deepcopy(campaign)
        return True

    def save_page(self, campaign_id: str, entrants: Sequence[Entrant], *, expect_cursor: str | None,
                  next_cursor: str | None, done: bool, now: datetime) -> bool:
        """As the adapter: the entrants first, then the cursor if it is still `expect_cursor`; `collected` adds
        the page's distinct retweeters."""
        page = {e.user_id: e for e in entrants}
        self.entrant_items.setdefault(campaign_id, {}).update(page)
        c = self.campaigns.get(campaign_id)
        if c is None or c.cursor != expect_cursor or c.collect_done:
            return False
        c.cursor, c.collect_done, c.pages = next_cursor, done, c.pages + 1
        c.collected += len(page)
        if done:
            c.collected_at = now
        return True

    def set_resume_after(self, campaign_id: str, at: datetime | None) -> None:
        self.campaigns[campaign_id].resume_after = at

    def entrants(self, campaign_id: str) -> list[Entrant]:
        return list(self.entrant_items.get(campaign_id, {}).values())

    def save_draw(self, campaign: Campaign, winners: Sequence[Winner]) -> None:
        items = self.winner_items.setdefault(campaign.campaign_id, {})
        for w in winners:
            items.setdefault(w.user_id, replace(w))
        c = self.campaigns[campaign.campaign_id]
        if c.status == "collecting":
            for name in ("entrants_count", "entrants_sha256", "seed", "counts", "drawn_at"):
                setattr(c, name, getattr(campaign, name))
            c.status = "drawn"

    def winners(self, campaign_id: str) -> list[Winner]:
        return [replace(w) for w in self.winner_items.get(campaign_id, {}).values()]

    def _winner(self, campaign_id: str, user_id: str) -> Winner | None:
        return self.winner_items.get(campaign_id, {}).get(user_id)

    def reserve(self, campaign_id: str, user_id: str, expect_status: WinnerStatus, now: datetime) -> bool:
        w = self._winner(campaign_id, user_id)
        if w is None or w.status != expect_status or w.status == "sent":
            return False
        w.status, w.reserved_at = "sending", now
        return True

    def record_sent(self, campaign_id: str, user_id: str, dm_event_id: str, now: datetime) -> None:
        w = self._winner(campaign_id, user_id)
        if w is None or w.status != "sending":
            return
        w.status, w.dm_event_id, w.sent_at, w.error = "sent", dm_event_id, now, None

    def record_failure(self, campaign_id: str, user_id: str, error: str, *, final: bool, now: datetime,
                       keep_sending: bool = False) -> None:
        w = self._winner(campaign_id, user_id)
        if w is None or w.status != "sending":
            return
        status = status_after_failure(final=final, keep_sending=keep_sending)
        w.status, w.error, w.attempts = status, error, w.attempts + 1

    def reset_failed(self, campaign_id: str) -> int:
        n = 0
        for w in self.winner_items.get(campaign_id, {}).values():
            if w.status == "failed":  # requeued as a stale `sending`: checked against DM events before a resend
                w.status, w.attempts, w.reserved_at, n = "sending", 0, None, n + 1
        return n

    def take_dm_slots(self, account: str, now: datetime, wanted: int, *, per_window: int, per_day: int) -> int:
        """As the adapter: a window (or day) starts with the first DM counted in it; a take that grants
        nothing writes nothing."""
        b = self.budgets.get(account, _Budget())
        new_window = b.window_start is None or now >= b.window_start + WINDOW
        new_day = b.day_start is None or now >= b.day_start + DAY
        used = 0 if new_window else b.used
        day_used = 0 if new_day else b.day_used
        granted = max(0, min(wanted, per_window - used, per_day - day_used))
        if granted == 0:
            return 0
        self.budgets[account] = _Budget(now if new_window else b.window_start, used + granted,
                                        now if new_day else b.day_start, day_used + granted)
        return granted

    def dm_budget(self, account: str, now: datetime) -> tuple[int, int]:
        b = self.budgets.get(account, _Budget())
        window = 0 if b.window_start is None or now >= b.window_start + WINDOW else b.used
        day = 0 if b.day_start is None or now >= b.day_start + DAY else b.day_used
        return window, day

    def open_campaigns(self) -> list[str]:
        return sorted(cid for cid, c in self.campaigns.items() if c.status != "closed")

    def close(self, campaign_id: str) -> None:
        self.campaigns[campaign_id].status = "closed"


class MemoryX:
    """Retweeters (newest first), DM refusals, one-shot 429s, and the DMs sent."""

    def __init__(self, retweeters: dict[str, list[Entrant]] | None = None, page_size: int = 100) -> None:
        self.retweeter_lists = retweeters or {}
        self.page_size = page_size
        self.rate_limit_at: set[int] = set()  # page offsets that answer 429 once
        self.closed: set[str] = set()
        self.sent: list[tuple[str, str, str]] = []  # (event id, participant, text)
        self.calls = 0

    def retweeters(self, tweet_id: str, *, pagination_token: str | None = None) -> RetweeterPage:
        self.calls += 1
        if tweet_id not in self.retweeter_lists:
            raise TwitterRejected(404, f"Could not find tweet with id: [{tweet_id}].")
        offset = int(pagination_token or 0)
        if offset in self.rate_limit_at:
            self.rate_limit_at.discard(offset)
            raise RateLimited("retweeted_by", None)
        users = self.retweeter_lists[tweet_id]
        end = offset + self.page_size
        return RetweeterPage(users[offset:end], str(end) if end < len(users) else None)

    def send_dm(self, participant_id: str, text: str) -> str:
        if participant_id in self.closed:
            raise TwitterRejected(403, "You cannot send messages to this user.")
        event_id = str(9_000_000 + len(self.sent))
        self.sent.append((event_id, participant_id, text))
        return event_id

    def find_sent_dm(self, participant_id: str, text: str) -> str | None:
        return next((e for e, p, t in reversed(self.sent) if p == participant_id and t == text), None)
