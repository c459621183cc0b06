"""In-memory store and fake X for unit tests (same contracts as the DynamoDB and tweepy adapters)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from activecare.campaign.models import Campaign, Entrant, Winner, WinnerStatus, merge_entrants, status_after_failure
from activecare.campaign.ports import DmEvent, DmEventPage, IdPage, Reply, ReplyPage, RetweeterPage
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
        self.entrant_items: dict[str, dict[str, Entrant]] = {}  # campaign -> "<kind>#<user>" -> entrant
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
                  next_cursor: str | None, done: bool, now: datetime, kind: str = "e",
                  reads: Mapping[str, int] | None = None, follow_check: str | None = None) -> bool:
        """As the adapter: the entrants first, then the cursor if it is still `expect_cursor`; `collected` adds
        the page's distinct retweeters."""
        page = {e.user_id: e for e in entrants}
        self.entrant_items.setdefault(campaign_id, {}).update({f"{kind}#{u}": e for u, e in page.items()})
        c = self.campaigns.get(campaign_id)
        if c is None or c.cursor != expect_cursor or c.collect_done:
            return False
        c.cursor, c.collect_done, c.pages = next_cursor, done, c.pages + 1
        if kind == "e":
            c.collected += len(page)
        for name, n in (reads or {}).items():
            c.reads[name] = c.reads.get(name, 0) + n
        if follow_check is not None:
            c.follow_check = follow_check
        if done:
            c.collected_at = now
        return True

    def set_resume_after(self, campaign_id: str, at: datetime | None) -> None:
        self.campaigns[campaign_id].resume_after = at

    def entrants(self, campaign_id: str) -> list[Entrant]:
        return merge_entrants(self.entrant_items.get(campaign_id, {}).items())

    def mark_claimed(self, campaign_id: str, user_id: str, event_id: str, now: datetime) -> bool:
        w = self._winner(campaign_id, user_id)
        if w is None or w.claimed_at is not None:
            return False
        w.claimed_at, w.claim_event_id = now, event_id
        return True

    def note(self, campaign_id: str, user_id: str, error: str | None) -> None:
        w = self._winner(campaign_id, user_id)
        if w is not None:
            w.error = error

    def reserve_announcement(self, campaign_id: str, now: datetime, *, stale_before: datetime) -> bool:
        c = self.campaigns[campaign_id]
        if c.announce_tweet_id is not None or (c.announce_reserved_at is not None
                                               and c.announce_reserved_at > stale_before):
            return False
        c.announce_reserved_at = now
        return True

    def record_announcement(self, campaign_id: str, tweet_id: str) -> None:
        c = self.campaigns[campaign_id]
        if c.announce_tweet_id is None:
            c.announce_tweet_id = tweet_id

    def set_dm_cursor(self, campaign_id: str, event_id: str) -> None:
        c = self.campaigns[campaign_id]
        if c.dm_cursor is None or int(event_id) > int(c.dm_cursor):
            c.dm_cursor = event_id

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
        self.received: list[DmEvent] = []  # DMs users sent the account, oldest first
        self.replies_to: dict[str, list[Reply]] = {}
        self.follower_ids: list[str] = []
        self.posts: list[tuple[str, str]] = []
        self.account_id = "100"
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

    def conversation(self, participant_id: str) -> list[DmEvent]:
        ours = [DmEvent(e, self.account_id, t, p) for e, p, t in self.sent if p == participant_id]
        theirs = [d for d in self.received if d.sender_id == participant_id]
        return sorted(ours + theirs, key=lambda d: int(d.id), reverse=True)

    def dm_events(self, *, pagination_token: str | None = None) -> DmEventPage:
        every = sorted([DmEvent(e, self.account_id, t, p) for e, p, t in self.sent] + self.received,
                       key=lambda d: int(d.id), reverse=True)
        return DmEventPage(every, None)

    def user_dm(self, sender_id: str, text: str) -> DmEvent:
        event = DmEvent(str(9_000_000 + len(self.sent) + len(self.received)), sender_id, text, self.account_id)
        self.received.append(event)
        return event

    def replies(self, tweet_id: str, *, pagination_token: str | None = None) -> ReplyPage:
        found = self.replies_to.get(tweet_id, [])
        return ReplyPage(found, None, len(found))

    def followers(self, *, pagination_token: str | None = None) -> IdPage:
        return IdPage(list(self.follower_ids), None)

    def following_us(self, user_ids: Sequence[str]) -> set[str]:
        return set(user_ids) & set(self.follower_ids)

    def followers_count(self) -> int:
        return len(self.follower_ids)

    def post(self, text: str) -> str:
        tweet_id = str(8_000_000 + len(self.posts))
        self.posts.append((tweet_id, text))
        return tweet_id

    def find_post(self, text: str) -> str | None:
        return next((i for i, t in self.posts if t == text), None)
