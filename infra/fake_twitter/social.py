"""The fake's social graph and direct messages: retweets, follows, DM conversations.

Retweeters are listed newest first (as GET /2/tweets/:id/retweeted_by does); a follower list is
newest first too. DMs obey the per-sender day cap (1,440 / 24 h; the 15 / 15 min window is the
rate limiter's) and refuse users who do not accept DMs or are suspended.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from activecare.clock import iso_z
from activecare.twitter.snowflake import snowflake
from infra.fake_twitter.problems import about_blank, too_many_requests

if TYPE_CHECKING:
    from infra.fake_twitter.state import FakeTwitterState

JSON = dict[str, Any]
DM_DAY_CAP = 1440
DM_CLOSED = "You cannot send messages to this user."
DM_SUSPENDED = "You cannot send messages to users who have been suspended."
DM_TEXT_MAX = 10_000


class Social:
    """Retweets, follows, DM settings and sent DMs of the fake (guarded by the state's lock)."""

    def __init__(self, state: FakeTwitterState) -> None:
        self._state = state
        self.retweets: dict[str, list[str]] = {}  # tweet id -> retweeter ids, oldest first
        self.followers: dict[str, list[str]] = {}  # user id -> follower ids, oldest first
        self._follower_sets: dict[str, set[str]] = {}
        self.dm_closed: set[str] = set()
        self.suspended: set[str] = set()
        self.dms: list[JSON] = []
        self._dm_seq = 0

    def clear(self) -> None:
        for store in (self.retweets, self.followers, self._follower_sets):
            store.clear()
        self.dm_closed.clear()
        self.suspended.clear()
        self.dms.clear()

    # --- graph ------------------------------------------------------------------------------

    def add_retweets(self, tweet_id: str, user_ids: Iterable[str]) -> None:
        """Users retweet `tweet_id` (in this order); a repeated retweet by one user counts once."""
        with self._state.lock:
            seq = self.retweets.setdefault(tweet_id, [])
            seen = set(seq)
            for uid in user_ids:
                if uid not in seen:
                    seq.append(uid)
                    seen.add(uid)

    def add_follows(self, user_id: str, follower_ids: Iterable[str]) -> None:
        """`follower_ids` follow `user_id`."""
        with self._state.lock:
            seq = self.followers.setdefault(user_id, [])
            known = self._follower_sets.setdefault(user_id, set())
            for fid in follower_ids:
                if fid not in known:
                    seq.append(fid)
                    known.add(fid)

    def follows(self, follower_id: str, user_id: str) -> bool:
        return follower_id in self._follower_sets.get(user_id, ())

    def retweeters(self, tweet_id: str) -> list[str]:
        """Visible retweeters, newest first (suspended users vanish, as on X)."""
        with self._state.lock:
            return [u for u in reversed(self.retweets.get(tweet_id, [])) if u not in self.suspended]

    def follower_ids(self, user_id: str) -> list[str]:
        with self._state.lock:
            return [u for u in reversed(self.followers.get(user_id, [])) if u not in self.suspended]

    def connection_status(self, viewer: str, user_id: str) -> list[str]:
        out = []
        if self.follows(user_id, viewer):
            out.append("followed_by")
        if self.follows(viewer, user_id):
            out.append("following")
        return out

    # --- direct messages ----------------------------------------------------------------------

    def wrote_first(self, user_id: str, to: str) -> bool:
        """`user_id` has DMed `to` (so `to` may answer them, by automation too)."""
        with self._state.lock:
            return any(d["sender_id"] == user_id and d["participant_id"] == to for d in self.dms)

    def send_dm(self, sender: str, participant: str, text: str, now: datetime, *, by_api: bool = True) -> JSON:
        """POST /2/dm_conversations/with/:participant_id/messages (`by_api`), or a DM a person sends in X's own
        app (a user to the account, or an agent by hand); raises ApiError like X. An API DM to a user who never
        DMed the sender first is counted as unsolicited (X's 2026 rules forbid it). A user who wrote first can
        be answered even with DMs from strangers closed."""
        with self._state.lock:
            if self._state.user(participant) is None:
                raise about_blank(400, f"Could not find user with id: [{participant}].")
            if participant in self.suspended:
                raise about_blank(403, DM_SUSPENDED)
            asked = self.wrote_first(participant, sender)
            if participant in self.dm_closed and not asked:
                raise about_blank(403, DM_CLOSED)
            day = [d for d in self.dms if d["sender_id"] == sender and d["_at"] > now - timedelta(hours=24)]
            if len(day) >= DM_DAY_CAP:
                raise too_many_requests()
            self._dm_seq = (self._dm_seq + 1) % 4096
            low, high = sorted((sender, participant), key=int)
            event = {"id": snowflake(now, sequence=self._dm_seq, worker=9), "event_type": "MessageCreate",
                     "text": text, "sender_id": sender, "participant_id": participant,
                     "dm_conversation_id": f"{low}-{high}", "created_at": iso_z(now), "_at": now,
                     "_by_api": by_api}
            self.dms.append(event)
            self._state.notify("dm", event)
            if by_api and not asked:
                self._state.stats.count_unsolicited(event["id"])
            return event

    def user_dm(self, sender: str, participant: str, text: str) -> JSON:
        """A DM a user sends (e.g. a winner's claim phrase to the account), in X's app: no API, no limits."""
        return self.send_dm(sender, participant, text, self._state.now(), by_api=False)

    def all_dm_events(self, viewer: str) -> list[JSON]:
        """Every DM event `viewer` is part of, newest first (GET /2/dm_events)."""
        with self._state.lock:
            return list(reversed([d for d in self.dms if viewer in (d["sender_id"], d["participant_id"])]))

    def dm_events(self, viewer: str, participant: str) -> list[JSON]:
        """The one-to-one conversation's events, newest first."""
        with self._state.lock:
            pair = {viewer, participant}
            found = [d for d in self.dms if {d["sender_id"], d["participant_id"]} == pair]
            return list(reversed(found))

    def follower_count(self, user_id: str) -> int | None:
        with self._state.lock:
            return len(self.followers[user_id]) if user_id in self.followers else None

    def sent_by(self, sender: str) -> list[JSON]:
        with self._state.lock:
            return [{k: v for k, v in d.items() if not k.startswith("_")} for d in self.dms
                    if d["sender_id"] == sender]
