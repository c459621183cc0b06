"""CampaignService: collect (resumable), draw (once, reproducibly), notify (one DM per winner).

Collection reads GET /2/tweets/:id/retweeted_by 100 users a page as the campaign's account with
`user.fields=connection_status`, so one request tells both who retweeted and whether they follow
us (no follower-list download, no per-user lookups). Each page's entrants are stored before the
cursor moves; a 429 leaves the cursor where it was and the next run continues from it.

Notification is a queue: winners go pending -> sending (reserved) -> sent | failed. A run sends
only within the account's DM budget (15 per 15 minutes, 1,440 per 24 hours). A winner left
`sending` by a crash is reconciled against the conversation's DM events before any resend, and a
`sent` winner is never sent again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger

from activecare.campaign import draw as drawing
from activecare.campaign.errors import (
    BadInput,
    CampaignClosed,
    CampaignConflict,
    NotYet,
    TryLater,
    UnknownCampaign,
    UnknownTweet,
)
from activecare.campaign.models import (
    WINNER_STATUSES,
    Action,
    Campaign,
    CampaignProgress,
    CampaignResult,
    Certificate,
    Collection,
    DmBudget,
    DrawOutcome,
    DrawRecord,
    DrawRequest,
    DryRun,
    Entrant,
    Failure,
    Requeued,
    Tick,
    TickFailure,
    Winner,
)
from activecare.campaign.ports import CampaignStore, DirectMessenger, RetweeterPage, RetweeterSource
from activecare.clock import Clock, iso_z
from activecare.twitter.port import RateLimited, TwitterRejected, TwitterUnavailable
from activecare.twitter.pricing import PRICE_PER_DM_USD

logger = Logger(child=True)

DMS_PER_WINDOW = 15
DMS_PER_DAY = 1440
DM_PRICE_USD = PRICE_PER_DM_USD
SENDING_LEASE = timedelta(minutes=2)  # a reservation older than this was left by a crashed run
MAX_ATTEMPTS = 3  # transient failures (5xx, timeouts) before a winner is reported failed
PAGES_PER_RUN = 200  # 20,000 retweeters a run at most; the rest continues next run


class CampaignService:
    def __init__(self, *, store: CampaignStore, source_for: Callable[[str], RetweeterSource],
                 messenger_for: Callable[[str], DirectMessenger], clock: Clock,
                 known_accounts: frozenset[str] | None = None) -> None:
        self.store = store
        self._source_for = source_for
        self._messenger_for = messenger_for
        self.clock = clock
        self._accounts = known_accounts
        self.api_calls: Counter[str] = Counter()

    def perform(self, action: Action, args: Mapping[str, Any]) -> CampaignResult:
        """One operation by its name, with the arguments of the campaign function's event (the CLI runs the same
        locally): draw takes the request; status, certificate, retry_failed and close a campaign_id."""
        if action == "draw":
            return self.draw(dict(args))
        if action == "tick":
            return self.tick()
        campaign_id = str(args["campaign_id"])
        if action == "status":
            return self.status(campaign_id)
        if action == "certificate":
            return self.certificate(campaign_id)
        if action == "retry_failed":
            return self.retry_failed(campaign_id)
        return self.close(campaign_id, force=bool(args.get("force", False)))

    # --- the ad hoc draw ------------------------------------------------------------------------

    def draw(self, request: DrawRequest | dict[str, Any]) -> DrawOutcome:
        """Collect, draw and start notifying; re-running returns the same winners and draws nothing."""
        req = request if isinstance(request, DrawRequest) else DrawRequest.parse(request)
        if self._accounts is not None and req.account not in self._accounts:
            raise BadInput(f"unknown account {req.account!r} (expected one of {sorted(self._accounts)})")
        now = self.clock()
        if req.rules.cutoff is not None and now < req.rules.cutoff:
            raise NotYet(f"entries are open until {iso_z(req.rules.cutoff)}; draw after the cut-off")
        if req.dry_run:
            return self._dry_run(req)
        campaign = self.store.get(req.campaign_id)
        if campaign is None:
            first = self._first_page(req)  # an unknown tweet fails here, before anything is stored
            campaign = Campaign(campaign_id=req.campaign_id, tweet_id=req.tweet_id, account=req.account,
                                winners_wanted=req.winners, rules=req.rules, message=req.message, salt=req.salt,
                                created_at=now)
            if self.store.create(campaign):
                self.store.save_page(campaign.campaign_id, first.entrants, expect_cursor=None,
                                     next_cursor=first.next_token, done=first.next_token is None, now=now)
            campaign = self._get(req.campaign_id)
        if campaign.status == "closed":
            raise CampaignClosed(f"campaign {campaign.campaign_id} is closed: nothing more is drawn or sent")
        if not campaign.same_request(req):
            raise CampaignConflict(f"campaign {campaign.campaign_id} exists with another tweet, account, number of "
                                   "winners, rules or salt; use a new campaign id")
        return self.advance(campaign.campaign_id)

    def advance(self, campaign_id: str) -> CampaignProgress:
        """One run's work on a campaign: continue collecting, draw when complete, send due DMs."""
        campaign = self._get(campaign_id)
        if campaign.status == "collecting":
            self._collect(campaign)
            campaign = self._get(campaign_id)
            if campaign.collect_done:
                self._draw(campaign)
                campaign = self._get(campaign_id)
        if campaign.status == "drawn":
            self._notify(campaign)
        return self.status(campaign_id)

    def tick(self) -> Tick:
        """The schedule: advance every open campaign (collection after a 429, the DM queue)."""
        results: list[CampaignProgress | TickFailure] = []
        for cid in self.store.open_campaigns():
            try:
                results.append(self.advance(cid))
            except (TwitterUnavailable, TwitterRejected) as exc:
                logger.warning("campaign run stopped by X", extra={"campaign_id": cid, "error": type(exc).__name__})
                results.append(TickFailure(campaign_id=cid, error=type(exc).__name__))
        return Tick(campaigns=results)

    # --- collection -----------------------------------------------------------------------------

    def _first_page(self, req: DrawRequest) -> RetweeterPage:
        try:
            return self._page(req.account, req.tweet_id, None)
        except RateLimited as exc:
            raise TryLater(f"X rate limit on retweeted_by: invoke again after {exc.reset_at}") from None
        except TwitterUnavailable as exc:
            raise TryLater(f"X is unavailable ({exc}); nothing was stored, invoke again") from None
        except TwitterRejected as exc:
            if exc.status in (400, 404):
                raise UnknownTweet(f"tweet {req.tweet_id} does not exist or is not visible: {exc.detail}") from None
            raise

    def _page(self, account: str, tweet_id: str, token: str | None) -> RetweeterPage:
        self.api_calls["retweeted_by"] += 1
        return self._source_for(account).retweeters(tweet_id, pagination_token=token)

    def _collect(self, campaign: Campaign) -> None:
        now = self.clock()
        if campaign.resume_after is not None and now < campaign.resume_after:
            return
        cursor, done = campaign.cursor, campaign.collect_done
        for _ in range(PAGES_PER_RUN):
            if done:
                return
            try:
                page = self._page(campaign.account, campaign.tweet_id, cursor)
            except RateLimited as exc:
                self.store.set_resume_after(campaign.campaign_id, exc.reset_at or now + timedelta(minutes=15))
                return
            done = page.next_token is None
            if not self.store.save_page(campaign.campaign_id, page.entrants, expect_cursor=cursor,
                                        next_cursor=page.next_token, done=done, now=self.clock()):
                return  # another run moved the cursor: let it continue
            cursor = page.next_token
        if campaign.resume_after is not None:
            self.store.set_resume_after(campaign.campaign_id, None)

    # --- the draw -------------------------------------------------------------------------------

    def _eligible(self, campaign: Campaign, entrants: list[Entrant]) -> tuple[list[str], dict[str, int]]:
        rules = campaign.rules
        earlier: set[str] = set()
        for other in rules.exclude_winners_of:
            earlier |= {w.user_id for w in self.store.winners(other)}
        excluded_ids, excluded_names = set(rules.exclude_user_ids), set(rules.exclude_usernames)
        reference = campaign.collected_at or campaign.created_at
        counts: Counter[str] = Counter()
        eligible = []
        for e in {e.user_id: e for e in entrants}.values():
            counts["retweeters"] += 1
            if e.user_id in excluded_ids or e.username.lower() in excluded_names:
                counts["excluded"] += 1
            elif e.user_id in earlier:
                counts["earlier_winner"] += 1
            elif rules.require_follow and not e.follows:
                counts["not_following"] += 1
            elif e.followers_count < rules.min_followers:
                counts["few_followers"] += 1
            elif rules.min_account_age_days and (
                    e.created_at is None or reference - e.created_at < timedelta(days=rules.min_account_age_days)):
                counts["account_too_new"] += 1
            else:
                counts["eligible"] += 1
                eligible.append(e.user_id)
        return drawing.sort_entrants(eligible), dict(counts)

    def _certificate(self, campaign: Campaign, entrants: list[Entrant]) -> Certificate:
        eligible, counts = self._eligible(campaign, entrants)
        return drawing.certificate(
            campaign_id=campaign.campaign_id, tweet_id=campaign.tweet_id, account=campaign.account,
            winners_wanted=campaign.winners_wanted, salt=campaign.salt, entrants=eligible,
            rules=campaign.rules, counts=counts,
            collected_at=iso_z(campaign.collected_at or self.clock()),
            drawn_at=iso_z(campaign.drawn_at or self.clock()))

    def _draw(self, campaign: Campaign) -> None:
        entrants = self.store.entrants(campaign.campaign_id)
        cert = self._certificate(campaign, entrants)
        names = {e.user_id: e.username for e in entrants}
        winners = [Winner(campaign.campaign_id, uid, names.get(uid, ""), rank)
                   for rank, uid in enumerate(cert.winners, start=1)]
        campaign.entrants_count, campaign.entrants_sha256 = cert.entrants_count, cert.entrants_sha256
        campaign.seed, campaign.counts = cert.seed, cert.counts
        campaign.drawn_at = self.clock()
        self.store.save_draw(campaign, winners)

    def certificate(self, campaign_id: str) -> Certificate:
        """The publishable draw certificate (recomputed from stored entrants; checked against the record)."""
        campaign = self._get(campaign_id)
        if campaign.status == "collecting":
            raise CampaignConflict(f"campaign {campaign_id} has not been drawn yet")
        cert = self._certificate(campaign, self.store.entrants(campaign_id))
        recorded = sorted(self.store.winners(campaign_id), key=lambda w: w.rank)
        if cert.entrants_sha256 != campaign.entrants_sha256 or cert.winners != [w.user_id for w in recorded]:
            raise CampaignConflict(f"campaign {campaign_id}: stored entrants no longer match the recorded draw")
        return cert

    def _dry_run(self, req: DrawRequest) -> DryRun:
        entrants: list[Entrant] = []
        first = self._first_page(req)
        entrants += first.entrants
        token = first.next_token
        while token:
            try:
                page = self._page(req.account, req.tweet_id, token)
            except RateLimited as exc:
                raise TryLater(f"dry run stopped by the X rate limit after {len(entrants)} retweeters; invoke "
                               f"again after {exc.reset_at}") from None
            entrants += page.entrants
            token = page.next_token
        campaign = Campaign(campaign_id=req.campaign_id, tweet_id=req.tweet_id, account=req.account,
                            winners_wanted=req.winners, rules=req.rules, message=req.message, salt=req.salt,
                            created_at=self.clock(), collected_at=self.clock())
        cert = self._certificate(campaign, entrants)
        return DryRun(campaign_id=req.campaign_id, counts=cert.counts, entrants=cert.entrants_count,
                      entrants_sha256=cert.entrants_sha256, would_win=len(cert.winners), api_calls=dict(self.api_calls))

    # --- notification ---------------------------------------------------------------------------

    def render(self, campaign: Campaign, winner: Winner) -> str:
        return campaign.message.replace("{username}", winner.username or winner.user_id).replace(
            "{campaign}", campaign.campaign_id)

    def _notify(self, campaign: Campaign) -> None:
        messenger = self._messenger_for(campaign.account)
        now = self.clock()
        due = [w for w in sorted(self.store.winners(campaign.campaign_id), key=lambda w: w.rank)
               if w.status == "pending" or (w.status == "sending" and (
                   w.reserved_at is None or now - w.reserved_at >= SENDING_LEASE))]  # fresh ones: another run's
        if not due:
            return
        slots = 0  # DM sends this run may make: taken from the account's budget as needed
        for i, w in enumerate(due):
            text = self.render(campaign, w)
            if w.status == "sending":  # left by a crashed run: did that run's DM go out?
                self.api_calls["dm_events"] += 1
                try:
                    found = messenger.find_sent_dm(w.user_id, text)
                except RateLimited:
                    return
                if found is not None:  # yes: record it, never resend
                    self.store.record_sent(campaign.campaign_id, w.user_id, found, now)
                    continue
            if slots == 0:
                slots = self.store.take_dm_slots(campaign.account, now, len(due) - i, per_window=DMS_PER_WINDOW,
                                                 per_day=DMS_PER_DAY)
                if slots == 0:
                    return  # the budget is spent: the next scheduled run continues
            slots -= 1
            if not self.store.reserve(campaign.campaign_id, w.user_id, w.status, now):
                continue
            self.api_calls["dm_send"] += 1
            try:
                event_id = messenger.send_dm(w.user_id, text)
            except RateLimited:
                self.store.record_failure(campaign.campaign_id, w.user_id, "rate_limited", final=False, now=now)
                return
            except TwitterRejected as exc:  # 403: DMs closed, suspended ...: reported, retried on request
                self.store.record_failure(campaign.campaign_id, w.user_id, f"HTTP {exc.status}: {exc.detail}",
                                          final=True, now=now)
                continue
            except TwitterUnavailable as exc:  # a 5xx, a timeout or a cut-off answer: the DM may have gone out
                final = w.attempts + 1 >= MAX_ATTEMPTS
                # Held `sending` (as after a crash): the next run reconciles it against the conversation's DM
                # events before any resend, so an unknown outcome never becomes a second DM.
                self.store.record_failure(campaign.campaign_id, w.user_id, str(exc)[:200], final=final, now=now,
                                          keep_sending=True)
                continue
            self.store.record_sent(campaign.campaign_id, w.user_id, event_id, self.clock())

    def retry_failed(self, campaign_id: str) -> Requeued:
        campaign = self._get(campaign_id)
        if campaign.status == "closed":
            raise CampaignClosed(f"campaign {campaign_id} is closed")
        return Requeued(campaign_id=campaign_id, requeued=self.store.reset_failed(campaign_id))

    def close(self, campaign_id: str, *, force: bool = False) -> CampaignProgress:
        campaign = self._get(campaign_id)
        if campaign.status == "closed":
            raise CampaignClosed(f"campaign {campaign_id} is closed already")
        st = self.status(campaign_id)
        open_items = st.dms["pending"] + st.dms["sending"]
        if (campaign.status == "collecting" or open_items) and not force:
            raise CampaignConflict(f"campaign {campaign_id} still has work ({campaign.status}, {open_items} DMs "
                                   "not sent); use --force to close anyway")
        self.store.close(campaign_id)
        return self.status(campaign_id)

    # --- reading ----------------------------------------------------------------------------------

    def _get(self, campaign_id: str) -> Campaign:
        campaign = self.store.get(campaign_id)
        if campaign is None:
            raise UnknownCampaign(f"no campaign {campaign_id!r}")
        return campaign

    def status(self, campaign_id: str) -> CampaignProgress:
        """Progress: collection, the draw's record, and the DM queue (no personal data)."""
        c = self._get(campaign_id)
        winners = self.store.winners(campaign_id)
        dms = Counter(w.status for w in winners)
        window, day = self.store.dm_budget(c.account, self.clock())
        drawn = c.status != "collecting"
        return CampaignProgress(
            campaign_id=c.campaign_id, tweet_id=c.tweet_id, account=c.account, status=c.status,
            collection=Collection(pages=c.pages, retweeters=c.collected, done=c.collect_done,
                                  resume_after=iso_z(c.resume_after) if c.resume_after else None),
            winners_wanted=c.winners_wanted, winners=len(winners),
            dms={s: dms[s] for s in WINNER_STATUSES},
            dm_budget=DmBudget(window_used=window, window_limit=DMS_PER_WINDOW, day_used=day, day_limit=DMS_PER_DAY),
            dm_cost_usd=round(dms["sent"] * DM_PRICE_USD, 3),
            draw=DrawRecord(entrants=c.entrants_count, entrants_sha256=c.entrants_sha256, seed=c.seed,
                            counts=c.counts, drawn_at=iso_z(c.drawn_at) if c.drawn_at else None) if drawn else None,
            failures=[Failure(rank=w.rank, user_id=w.user_id, error=w.error) for w in winners
                      if w.status == "failed"] if drawn else None,
        )
