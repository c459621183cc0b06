"""CampaignStore over the campaign table (pk = campaign id, sk = meta | e#<id> | w#<id>; plus the DM
budget "dm#<account>"/"budget" and the open-campaign list "open"/<campaign id>). Every write that a
retry can repeat is conditional, so a re-run never moves a cursor twice or resets a DM's state."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from activecare.campaign.models import (
    CAMPAIGN_STATES,
    NOTIFY_MODES,
    WINNER_STATUSES,
    Campaign,
    Entrant,
    Rules,
    Winner,
    WinnerStatus,
    merge_entrants,
    status_after_failure,
)
from activecare.literals import parse_literal
from activecare.storage.conditions import condition_failed
from activecare.storage.models import campaign_user_sk, expires_at, register_shared, retention

WINDOW = timedelta(minutes=15)
DAY = timedelta(hours=24)
META = "meta"


def _sk(prefix: str, user_id: str) -> str:
    return campaign_user_sk(prefix, user_id)


class _Base(Model):
    class Meta:
        table_name = "activecare-campaigns"
        region = "ap-northeast-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    # TTL of the campaign's records (meta, entrants, winners): CAMPAIGN_RETENTION_DAYS after the record's last
    # activity (creation, collection, the draw, a DM). The DM budget and the open list never expire.
    expires_at = NumberAttribute(null=True)


class CampaignItem(_Base):
    tweet_id = UnicodeAttribute()
    account = UnicodeAttribute()
    winners_wanted = NumberAttribute()
    rules = UnicodeAttribute()  # canonical JSON
    message = UnicodeAttribute()
    salt = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="collecting")
    cursor = UnicodeAttribute(null=True)
    pages = NumberAttribute(default=0)
    collected = NumberAttribute(default=0)
    collect_done = BooleanAttribute(default=False)
    collected_at = UTCDateTimeAttribute(null=True)
    drawn_at = UTCDateTimeAttribute(null=True)
    entrants_count = NumberAttribute(null=True)
    entrants_sha256 = UnicodeAttribute(null=True)
    seed = UnicodeAttribute(null=True)
    counts = UnicodeAttribute(null=True)  # JSON
    resume_after = UTCDateTimeAttribute(null=True)
    notify = UnicodeAttribute(default="api")  # before the modes existed every campaign was API-notified
    claim_phrase = UnicodeAttribute(default="")
    announcement = UnicodeAttribute(default="")
    announce_at = UTCDateTimeAttribute(null=True)
    announce_tweet_id = UnicodeAttribute(null=True)
    announce_reserved_at = UTCDateTimeAttribute(null=True)
    dm_cursor = UnicodeAttribute(null=True)
    follow_check = UnicodeAttribute(default="")
    read_posts = NumberAttribute(default=0)
    read_users = NumberAttribute(default=0)
    read_owned = NumberAttribute(default=0)


READ_ATTRS = {"posts": CampaignItem.read_posts, "users": CampaignItem.read_users, "owned": CampaignItem.read_owned}


class EntrantItem(_Base):
    user_id = UnicodeAttribute()
    username = UnicodeAttribute(default="")
    follows = BooleanAttribute(default=False)
    followers_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute(null=True)


class WinnerItem(_Base):
    user_id = UnicodeAttribute()
    username = UnicodeAttribute(default="")
    rank = NumberAttribute()
    status = UnicodeAttribute(default="pending")
    attempts = NumberAttribute(default=0)
    reserved_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    dm_event_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    claimed_at = UTCDateTimeAttribute(null=True)
    claim_event_id = UnicodeAttribute(null=True)


class BudgetItem(_Base):
    window_start = UTCDateTimeAttribute(null=True)
    used = NumberAttribute(default=0)
    day_start = UTCDateTimeAttribute(null=True)
    day_used = NumberAttribute(default=0)


class OpenItem(_Base):
    created_at = UTCDateTimeAttribute(null=True)


register_shared("campaign_table", CampaignItem, EntrantItem, WinnerItem, BudgetItem, OpenItem)


def _campaign(i: CampaignItem) -> Campaign:
    return Campaign(
        campaign_id=i.pk, tweet_id=i.tweet_id, account=i.account, winners_wanted=int(i.winners_wanted),
        rules=Rules.model_validate_json(i.rules), message=i.message, salt=i.salt or "", created_at=i.created_at,
        status=parse_literal(i.status, CAMPAIGN_STATES), cursor=i.cursor, pages=int(i.pages or 0),
        collected=int(i.collected or 0),
        collect_done=bool(i.collect_done), collected_at=i.collected_at, drawn_at=i.drawn_at,
        entrants_count=int(i.entrants_count or 0), entrants_sha256=i.entrants_sha256 or "", seed=i.seed or "",
        counts=json.loads(i.counts) if i.counts else {}, resume_after=i.resume_after,
        notify=parse_literal(i.notify or "api", NOTIFY_MODES), claim_phrase=i.claim_phrase or "",
        announcement=i.announcement or "", announce_at=i.announce_at, announce_tweet_id=i.announce_tweet_id,
        announce_reserved_at=i.announce_reserved_at, dm_cursor=i.dm_cursor, follow_check=i.follow_check or "",
        reads={k: int(v) for k, v in (("posts", i.read_posts), ("users", i.read_users), ("owned", i.read_owned))
               if v})


def _winner(i: WinnerItem) -> Winner:
    return Winner(campaign_id=i.pk, user_id=i.user_id, username=i.username or "", rank=int(i.rank),
                  status=parse_literal(i.status, WINNER_STATUSES), attempts=int(i.attempts or 0),
                  reserved_at=i.reserved_at, sent_at=i.sent_at, dm_event_id=i.dm_event_id, error=i.error,
                  claimed_at=i.claimed_at, claim_event_id=i.claim_event_id)


def _keep(at: datetime) -> int:
    return expires_at(at, retention().campaign_retention_days)


def _ignore_condition(exc: Exception) -> None:
    if not condition_failed(exc):
        raise exc


class DynamoCampaignStore:
    def get(self, campaign_id: str) -> Campaign | None:
        try:
            return _campaign(CampaignItem.get(campaign_id, META, consistent_read=True))
        except CampaignItem.DoesNotExist:
            return None

    def create(self, campaign: Campaign) -> bool:
        item = CampaignItem(campaign.campaign_id, META, tweet_id=campaign.tweet_id, account=campaign.account,
                            winners_wanted=campaign.winners_wanted, rules=campaign.rules.canonical(),
                            message=campaign.message, salt=campaign.salt, created_at=campaign.created_at,
                            notify=campaign.notify, claim_phrase=campaign.claim_phrase,
                            announcement=campaign.announcement, announce_at=campaign.announce_at,
                            expires_at=_keep(campaign.created_at))
        try:
            item.save(condition=CampaignItem.pk.does_not_exist())
        except PutError as exc:
            _ignore_condition(exc)
            return False
        OpenItem("open", campaign.campaign_id, created_at=campaign.created_at).save()
        return True

    def save_page(self, campaign_id: str, entrants: Sequence[Entrant], *, expect_cursor: str | None,
                  next_cursor: str | None, done: bool, now: datetime, kind: str = "e",
                  reads: Mapping[str, int] | None = None, follow_check: str | None = None) -> bool:
        with EntrantItem.batch_write() as batch:
            for e in {e.user_id: e for e in entrants}.values():
                batch.save(EntrantItem(campaign_id, _sk(kind, e.user_id), user_id=e.user_id, username=e.username,
                                       follows=e.follows, followers_count=e.followers_count,
                                       created_at=e.created_at, expires_at=_keep(now)))
        item = CampaignItem(campaign_id, META)
        cond = (CampaignItem.cursor == expect_cursor) if expect_cursor else CampaignItem.cursor.does_not_exist()
        cond &= CampaignItem.collect_done == False  # noqa: E712 (a pynamodb condition, not a comparison)
        actions: list[Action] = [CampaignItem.pages.add(1), CampaignItem.expires_at.set(_keep(now)),
                                 CampaignItem.collected.add(len({e.user_id for e in entrants}) if kind == "e" else 0),
                                 CampaignItem.collect_done.set(done)]
        actions += [READ_ATTRS[name].add(n) for name, n in (reads or {}).items() if n]
        if follow_check is not None:
            actions.append(CampaignItem.follow_check.set(follow_check))
        actions.append(CampaignItem.cursor.set(next_cursor) if next_cursor else CampaignItem.cursor.remove())
        if done:
            actions.append(CampaignItem.collected_at.set(now))
        try:
            item.update(actions=actions, condition=cond)
        except UpdateError as exc:
            _ignore_condition(exc)
            return False
        return True

    def set_resume_after(self, campaign_id: str, at: datetime | None) -> None:
        action = CampaignItem.resume_after.set(at) if at else CampaignItem.resume_after.remove()
        CampaignItem(campaign_id, META).update(actions=[action])

    def entrants(self, campaign_id: str) -> list[Entrant]:
        items = []
        for kind in ("e", "r", "f"):
            items += [(f"{kind}#", Entrant(user_id=i.user_id, username=i.username or "", follows=bool(i.follows),
                                           followers_count=int(i.followers_count or 0), created_at=i.created_at))
                      for i in EntrantItem.query(campaign_id, EntrantItem.sk.startswith(f"{kind}#"),
                                                 consistent_read=True)]
        return merge_entrants(items)

    def mark_claimed(self, campaign_id: str, user_id: str, event_id: str, now: datetime) -> bool:
        return self._update_winner(campaign_id, user_id, [WinnerItem.claimed_at.set(now),
                                                          WinnerItem.claim_event_id.set(event_id)],
                                   WinnerItem.sk.exists() & WinnerItem.claimed_at.does_not_exist())

    def note(self, campaign_id: str, user_id: str, error: str | None) -> None:
        action = WinnerItem.error.set(error) if error else WinnerItem.error.remove()
        self._update_winner(campaign_id, user_id, [action], WinnerItem.sk.exists())

    def reserve_announcement(self, campaign_id: str, now: datetime, *, stale_before: datetime) -> bool:
        cond = CampaignItem.announce_tweet_id.does_not_exist() & (
            CampaignItem.announce_reserved_at.does_not_exist() | (CampaignItem.announce_reserved_at <= stale_before))
        try:
            CampaignItem(campaign_id, META).update(actions=[CampaignItem.announce_reserved_at.set(now)],
                                                   condition=cond)
        except UpdateError as exc:
            _ignore_condition(exc)
            return False
        return True

    def record_announcement(self, campaign_id: str, tweet_id: str) -> None:
        try:
            CampaignItem(campaign_id, META).update(actions=[CampaignItem.announce_tweet_id.set(tweet_id)],
                                                   condition=CampaignItem.announce_tweet_id.does_not_exist())
        except UpdateError as exc:
            _ignore_condition(exc)

    def set_dm_cursor(self, campaign_id: str, event_id: str) -> None:
        # Ids are snowflakes of one length; a cursor never moves back (a string compare of equal lengths).
        cond = CampaignItem.dm_cursor.does_not_exist() | (CampaignItem.dm_cursor < event_id)
        try:
            CampaignItem(campaign_id, META).update(actions=[CampaignItem.dm_cursor.set(event_id)], condition=cond)
        except UpdateError as exc:
            _ignore_condition(exc)

    def save_draw(self, campaign: Campaign, winners: Sequence[Winner]) -> None:
        if campaign.drawn_at is None:
            raise ValueError(f"campaign {campaign.campaign_id}: a draw is recorded with its time")
        self.put_winners(winners, campaign.drawn_at)
        self.mark_drawn(campaign)

    def put_winners(self, winners: Sequence[Winner], at: datetime) -> None:
        """Each winner if absent (a re-run never resets a DM's state)."""
        items = [WinnerItem(w.campaign_id, _sk("w", w.user_id), user_id=w.user_id, username=w.username, rank=w.rank,
                            status="pending", attempts=0, expires_at=_keep(at)) for w in winners]
        for i in range(0, len(items), 100):  # one transaction of conditional puts per 100 winners
            chunk = items[i:i + 100]
            try:
                with TransactWrite(connection=WinnerItem._get_connection().connection) as tx:
                    for item in chunk:
                        tx.save(item, condition=WinnerItem.sk.does_not_exist())
            except TransactWriteError:  # some exist already (a re-run): put the others one by one
                for item in chunk:
                    try:
                        item.save(condition=WinnerItem.sk.does_not_exist())
                    except PutError as exc:
                        _ignore_condition(exc)

    def mark_drawn(self, campaign: Campaign) -> None:
        if campaign.drawn_at is None:
            raise ValueError(f"campaign {campaign.campaign_id}: a draw is recorded with its time")
        try:
            CampaignItem(campaign.campaign_id, META).update(actions=[
                CampaignItem.status.set("drawn"), CampaignItem.entrants_count.set(campaign.entrants_count),
                CampaignItem.entrants_sha256.set(campaign.entrants_sha256), CampaignItem.seed.set(campaign.seed),
                CampaignItem.counts.set(json.dumps(campaign.counts, sort_keys=True)),
                CampaignItem.drawn_at.set(campaign.drawn_at), CampaignItem.expires_at.set(_keep(campaign.drawn_at)),
            ], condition=CampaignItem.status == "collecting")
        except UpdateError as exc:
            _ignore_condition(exc)

    def winners(self, campaign_id: str) -> list[Winner]:
        return [_winner(i) for i in WinnerItem.query(campaign_id, WinnerItem.sk.startswith("w#"),
                                                     consistent_read=True)]

    def _update_winner(self, campaign_id: str, user_id: str, actions: list[Action], condition: Condition) -> bool:
        try:
            WinnerItem(campaign_id, _sk("w", user_id)).update(actions=actions, condition=condition)
        except UpdateError as exc:
            _ignore_condition(exc)
            return False
        return True

    def reserve(self, campaign_id: str, user_id: str, expect_status: WinnerStatus, now: datetime) -> bool:
        if expect_status == "sent":
            return False
        return self._update_winner(campaign_id, user_id, [WinnerItem.status.set("sending"),
                                                          WinnerItem.reserved_at.set(now),
                                                          WinnerItem.expires_at.set(_keep(now))],
                                   WinnerItem.status == expect_status)

    def record_sent(self, campaign_id: str, user_id: str, dm_event_id: str, now: datetime) -> None:
        self._update_winner(campaign_id, user_id, [WinnerItem.status.set("sent"),
                                                   WinnerItem.dm_event_id.set(dm_event_id),
                                                   WinnerItem.sent_at.set(now), WinnerItem.error.remove(),
                                                   WinnerItem.expires_at.set(_keep(now))],
                            WinnerItem.status == "sending")

    def record_failure(self, campaign_id: str, user_id: str, error: str, *, final: bool, now: datetime,
                       keep_sending: bool = False) -> None:
        status = status_after_failure(final=final, keep_sending=keep_sending)
        self._update_winner(campaign_id, user_id, [WinnerItem.status.set(status),
                                                   WinnerItem.error.set(error), WinnerItem.attempts.add(1)],
                            WinnerItem.status == "sending")

    def reset_failed(self, campaign_id: str) -> int:
        n = 0
        for w in self.winners(campaign_id):
            # Requeued as a stale `sending` (no reservation time): the next run checks the conversation's DM
            # events before it resends, since the last attempt's outcome may have been unknown.
            if w.status == "failed" and self._update_winner(
                    campaign_id, w.user_id, [WinnerItem.status.set("sending"), WinnerItem.attempts.set(0),
                                             WinnerItem.reserved_at.remove()],
                    WinnerItem.status == "failed"):
                n += 1
        return n

    def take_dm_slots(self, account: str, now: datetime, wanted: int, *, per_window: int, per_day: int) -> int:
        """Optimistic: read the budget, then write it back only if nobody counted a DM in between."""
        for _ in range(5):
            try:
                b = BudgetItem.get(f"dm#{account}", "budget", consistent_read=True)
            except BudgetItem.DoesNotExist:
                b = BudgetItem(f"dm#{account}", "budget")
            new_window = b.window_start is None or now >= b.window_start + WINDOW
            new_day = b.day_start is None or now >= b.day_start + DAY
            used = 0 if new_window else int(b.used or 0)
            day_used = 0 if new_day else int(b.day_used or 0)
            granted = max(0, min(wanted, per_window - used, per_day - day_used))
            if granted == 0:
                return 0
            if b.window_start is None:  # the first DM of this account: create the item
                cond = BudgetItem.sk.does_not_exist()
            else:
                cond = (BudgetItem.window_start == b.window_start) & (BudgetItem.used == int(b.used or 0)) & (
                    BudgetItem.day_used == int(b.day_used or 0))
            actions: list[Action] = [BudgetItem.window_start.set(now if new_window else b.window_start),
                       BudgetItem.used.set(used + granted),
                       BudgetItem.day_start.set(now if new_day else b.day_start),
                       BudgetItem.day_used.set(day_used + granted)]
            try:
                BudgetItem(f"dm#{account}", "budget").update(actions=actions, condition=cond)
                return granted
            except UpdateError as exc:
                _ignore_condition(exc)
        return 0

    def dm_budget(self, account: str, now: datetime) -> tuple[int, int]:
        try:
            b = BudgetItem.get(f"dm#{account}", "budget", consistent_read=True)
        except BudgetItem.DoesNotExist:
            return 0, 0
        window = 0 if b.window_start is None or now >= b.window_start + WINDOW else int(b.used or 0)
        day = 0 if b.day_start is None or now >= b.day_start + DAY else int(b.day_used or 0)
        return window, day

    def open_campaigns(self) -> list[str]:
        listed = [i.sk for i in OpenItem.query("open", consistent_read=True)]
        # A campaign left open with no activity for CAMPAIGN_RETENTION_DAYS has expired (TTL): off the list.
        present: set[str] = set()
        for start in range(0, len(listed), 100):
            present |= {i.pk for i in CampaignItem.batch_get([(c, META) for c in listed[start:start + 100]],
                                                             attributes_to_get=["pk", "sk"])}
        for gone in (c for c in listed if c not in present):
            OpenItem("open", gone).delete()
        return [c for c in listed if c in present]

    def close(self, campaign_id: str) -> None:
        CampaignItem(campaign_id, META).update(actions=[CampaignItem.status.set("closed")])
        OpenItem("open", campaign_id).delete()
