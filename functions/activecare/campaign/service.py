"""CampaignService: collect (resumable), draw (once, reproducibly), notify (one message per winner).

Collection runs the campaign's entry phases (campaign/entries.py): replies with the phrase (recent search by
conversation_id), retweeters (GET /2/tweets/:id/retweeted_by with `user.fields=connection_status`, so one
request tells both who retweeted and whether they follow us), and for a reply-only campaign that needs a follow
the cheaper follow read for its size (the own followers list or per-candidate lookups). Each page's entrants
are stored before the cursor moves; a 429 leaves the cursor where it was and the next run continues from it.

Notification follows the campaign's mode (X: automated DMs only after the user DMs you first): `hand` waits for
the desk's confirmations, checked against the conversation's DM events; `claim` posts one announcement, reads
the account's DM events and answers each winner who sent the claim phrase; `api` DMs every winner. Sending is a
queue: winners go pending -> sending (reserved) -> sent | failed. A run sends only within the account's DM
budget (15 per 15 minutes, 1,440 per 24 hours). A winner left `sending` by a crash is reconciled against the
conversation's DM events before any resend, and a `sent` winner is never sent again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Logger

from activecare.campaign import draw as drawing
from activecare.campaign import entries
from activecare.campaign.errors import (
    BadInput,
    CampaignClosed,
    CampaignConflict,
    NotInDmEvents,
    NotStaff,
    NotYet,
    TryLater,
    UnknownCampaign,
    UnknownTweet,
    WrongMode,
)
from activecare.campaign.models import (
    WINNER_STATUSES,
    Action,
    Campaign,
    CampaignProgress,
    CampaignResult,
    Certificate,
    ClaimResult,
    Collection,
    DmBudget,
    DrawOutcome,
    DrawRecord,
    DrawRequest,
    DryRun,
    Entrant,
    Failure,
    HandList,
    HandWinner,
    Requeued,
    Tick,
    TickFailure,
    Winner,
    merge_entrants,
)
from activecare.campaign.ports import CampaignReads, CampaignStore, DmEvent, Notifier, RetweeterPage
from activecare.clock import Clock, iso_z
from activecare.roles import GROUPS, supervises
from activecare.twitter.port import RateLimited, TwitterRejected, TwitterUnavailable
from activecare.twitter.pricing import PRICE_PER_DM_USD

logger = Logger(child=True)

DMS_PER_WINDOW = 15
DMS_PER_DAY = 1440
DM_PRICE_USD = PRICE_PER_DM_USD
SENDING_LEASE = timedelta(minutes=2)  # a reservation older than this was left by a crashed run
MAX_ATTEMPTS = 3  # transient failures (5xx, timeouts) before a winner is reported failed
PAGES_PER_RUN = 200  # 20,000 retweeters a run at most; the rest continues next run
DM_EVENT_PAGES_PER_RUN = 10  # claim mode: the newest 1,000 DM events a run
COMPOSE_URL = "https://x.com/messages/compose"


@dataclass
class _Read:
    """One page of a collection phase, ready to store."""

    kind: str
    entrants: list[Entrant]
    next_cursor: str | None
    reads: dict[str, int] = field(default_factory=dict)
    follow_check: str | None = None


class CampaignService:
    def __init__(self, *, store: CampaignStore, source_for: Callable[[str], CampaignReads],
                 messenger_for: Callable[[str], Notifier], clock: Clock,
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
        if action == "hand_list":
            groups = args.get("groups")
            return self.hand_list(campaign_id, groups=None if groups is None else [str(g) for g in groups])
        if action == "hand_confirm":
            return self.hand_confirm(campaign_id, str(args.get("user_id", "")), by=str(args.get("by", "")),
                                     groups=[str(g) for g in args.get("groups") or []])
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
            campaign = self._new_campaign(req)
            first = self._first_page(req, campaign)  # an unknown tweet fails here, before anything is stored
            if self.store.create(campaign):
                self._save(campaign, None, first)
            campaign = self._get(req.campaign_id)
        if campaign.status == "closed":
            raise CampaignClosed(f"campaign {campaign.campaign_id} is closed: nothing more is drawn or sent")
        if not campaign.same_request(req):
            raise CampaignConflict(f"campaign {campaign.campaign_id} exists with another tweet, account, number of "
                                   "winners, rules, salt or notification mode; use a new campaign id")
        return self.advance(campaign.campaign_id)

    def _new_campaign(self, req: DrawRequest) -> Campaign:
        return Campaign(campaign_id=req.campaign_id, tweet_id=req.tweet_id, account=req.account,
                        winners_wanted=req.winners, rules=req.rules, message=req.message, salt=req.salt,
                        created_at=self.clock(), notify=req.notify,
                        claim_phrase=req.claim_phrase if req.notify == "claim" else "",
                        announcement=req.announcement if req.notify == "claim" else "",
                        announce_at=req.announce_at if req.notify == "claim" else None)

    def advance(self, campaign_id: str) -> CampaignProgress:
        """One run's work on a campaign: continue collecting, draw when complete, then its notification mode's
        work: api sends due DMs; claim posts the announcement once, reads the DMs winners sent and answers
        them; hand waits for the desk."""
        campaign = self._get(campaign_id)
        if campaign.status == "collecting":
            self._collect(campaign)
            campaign = self._get(campaign_id)
            if campaign.collect_done:
                self._draw(campaign)
                campaign = self._get(campaign_id)
        if campaign.status == "drawn" and campaign.notify == "api":
            self._notify(campaign)
        elif campaign.status == "drawn" and campaign.notify == "claim":
            self._announce(campaign)
            self._poll_claims(self._get(campaign_id))
            self._notify(self._get(campaign_id))
        return self.status(campaign_id)

    def tick(self) -> Tick:
        """The schedule: advance every open campaign (collection after a 429, the DM queue)."""
        results: list[CampaignProgress | TickFailure] = []
        for cid in self.store.open_campaigns():
            try:
                results.append(self.advance(cid))
            except (TwitterUnavailable, TwitterRejected, UnknownTweet) as exc:
                logger.warning("campaign run stopped by X", extra={"campaign_id": cid, "error": type(exc).__name__})
                results.append(TickFailure(campaign_id=cid, error=type(exc).__name__))
        return Tick(campaigns=results)

    # --- collection -----------------------------------------------------------------------------

    def _first_page(self, req: DrawRequest, campaign: Campaign) -> _Read:
        try:
            return self._read(campaign, None, list)
        except RateLimited as exc:
            raise TryLater(f"X rate limit on the entry reads: invoke again after {exc.reset_at}") from None
        except TwitterUnavailable as exc:
            raise TryLater(f"X is unavailable ({exc}); nothing was stored, invoke again") from None
        except TwitterRejected as exc:
            if exc.status in (400, 404):
                raise UnknownTweet(f"tweet {req.tweet_id} does not exist or is not visible: {exc.detail}") from None
            raise

    def _page(self, account: str, tweet_id: str, token: str | None) -> RetweeterPage:
        self.api_calls["retweeted_by"] += 1
        return self._source_for(account).retweeters(tweet_id, pagination_token=token)

    def _read(self, campaign: Campaign, at: str | None, known: Callable[[], list[Entrant]]) -> _Read:
        """One page of the phase `at` points to, and where the collection goes next; `known()`: the entrants
        stored so far (the follow phases keep only the candidates among them)."""
        rules, x = campaign.rules, self._source_for(campaign.account)
        phase, token = entries.parse_cursor(at, rules)
        order = entries.phases(rules)
        if phase == "r":
            self.api_calls["search"] += 1
            page = x.replies(campaign.tweet_id, pagination_token=token)
            got = [r.entrant for r in page.replies if entries.phrase_matches(rules.reply_phrase, r.text)]
            read = _Read("r", got, None, {"posts": page.posts})
            nxt = page.next_token
        elif phase == "e":
            rt = self._page(campaign.account, campaign.tweet_id, token)
            read, nxt = _Read("e", rt.entrants, None, {"users": len(rt.entrants)}), rt.next_token
        else:
            pool = entries.candidates(rules, known())
            if phase == "f":
                self.api_calls["followers"] += 1
                ids = x.followers(pagination_token=token)
                wanted = set(pool)
                got = [Entrant(u, "", True, retweeted=False) for u in ids.user_ids if u in wanted]
                read, nxt = _Read("f", got, None, {"owned": len(ids.user_ids)}), ids.next_token
            else:  # "u": connection_status on each candidate, 100 a request
                start = int(token or 0)
                batch = pool[start:start + entries.USERS_PER_LOOKUP]
                self.api_calls["users"] += 1 if batch else 0
                follow = x.following_us(batch) if batch else set()
                end = start + len(batch)
                read = _Read("f", [Entrant(u, "", True, retweeted=False) for u in batch if u in follow], None,
                             {"users": len(batch)})
                nxt = str(end) if end < len(pool) else None
        if nxt:
            read.next_cursor = entries.cursor(phase, nxt)
            return read
        later = order[order.index(phase) + 1:] if phase in order else []
        if later:
            read.next_cursor = entries.cursor(later[0], None)
        elif phase in order and rules.require_follow and not rules.require_retweet:
            # The entry phases are done: the follow check, the cheaper read for this campaign's size.
            pool = entries.candidates(rules, [*known(), *read.entrants])
            self.api_calls["me"] += 1
            method, _ = entries.follow_plan(len(pool), x.followers_count())
            read.follow_check = method
            if pool:
                read.next_cursor = entries.cursor("f" if method == "followers" else "u", None)
        elif phase == "e" and rules.require_follow:
            read.follow_check = "connection_status"
        return read

    def _save(self, campaign: Campaign, at: str | None, read: _Read) -> bool:
        return self.store.save_page(campaign.campaign_id, read.entrants, expect_cursor=at,
                                    next_cursor=read.next_cursor, done=read.next_cursor is None, now=self.clock(),
                                    kind=read.kind, reads=read.reads, follow_check=read.follow_check)

    def _collect(self, campaign: Campaign) -> None:
        now = self.clock()
        if campaign.resume_after is not None and now < campaign.resume_after:
            return
        at, done = campaign.cursor, campaign.collect_done
        cache: list[list[Entrant]] = []

        def known() -> list[Entrant]:  # read once a run, when a follow phase needs the candidates
            if not cache:
                cache.append(self.store.entrants(campaign.campaign_id))
            return cache[0]

        for _ in range(PAGES_PER_RUN):
            if done:
                return
            try:
                read = self._read(campaign, at, known)
            except RateLimited as exc:
                self.store.set_resume_after(campaign.campaign_id, exc.reset_at or now + timedelta(minutes=15))
                return
            except TwitterRejected as exc:  # e.g. the post vanished between the replies and its retweeters
                if exc.status in (400, 404):
                    raise UnknownTweet(f"tweet {campaign.tweet_id} does not exist or is not visible: "
                                       f"{exc.detail}") from None
                raise
            if read.kind == "r" and cache:
                cache[0] = cache[0] + read.entrants
            done = read.next_cursor is None
            if not self._save(campaign, at, read):
                return  # another run moved the cursor: let it continue
            at = read.next_cursor
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
        phrase = bool(rules.reply_phrase.strip())
        for e in {e.user_id: e for e in entrants}.values():
            if not (e.retweeted or e.replied):
                continue  # a follow record alone is no entry
            if e.retweeted:
                counts["retweeters"] += 1
            if e.replied:
                counts["repliers"] += 1
            if e.user_id in excluded_ids or e.username.lower() in excluded_names:
                counts["excluded"] += 1
            elif e.user_id in earlier:
                counts["earlier_winner"] += 1
            elif rules.require_retweet and not e.retweeted:
                counts["not_retweeted"] += 1
            elif phrase and not e.replied:
                counts["no_reply_phrase"] += 1
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
        """Every entry read and counted (the follow check as a real draw would choose it); nothing stored."""
        campaign = self._new_campaign(req)
        items: list[tuple[str, Entrant]] = []
        reads: Counter[str] = Counter()
        read, method = self._first_page(req, campaign), ""

        def known() -> list[Entrant]:
            return merge_entrants(items)

        while True:
            items.extend((f"{read.kind}#{e.user_id}", e) for e in read.entrants)
            reads.update(read.reads)
            method = read.follow_check or method
            if read.next_cursor is None:
                break
            try:
                read = self._read(campaign, read.next_cursor, known)
            except RateLimited as exc:
                raise TryLater(f"dry run stopped by the X rate limit after {len(items)} entrant records; invoke "
                               f"again after {exc.reset_at}") from None
        campaign.collected_at = self.clock()
        cert = self._certificate(campaign, merge_entrants(items))
        return DryRun(campaign_id=req.campaign_id, counts=cert.counts, entrants=cert.entrants_count,
                      entrants_sha256=cert.entrants_sha256, would_win=len(cert.winners), api_calls=dict(self.api_calls),
                      follow_check=method, x_reads=dict(reads), x_read_cost_usd=entries.read_cost(reads))

    # --- notification ---------------------------------------------------------------------------

    def render(self, campaign: Campaign, winner: Winner) -> str:
        return campaign.message.replace("{username}", winner.username or winner.user_id).replace(
            "{campaign}", campaign.campaign_id)

    def _notify(self, campaign: Campaign) -> None:
        """Send the due prize DMs through the API: every winner in api mode, the winners who wrote to us first in
        claim mode (never in hand mode)."""
        if campaign.notify == "hand":
            return
        messenger = self._messenger_for(campaign.account)
        now = self.clock()
        due = [w for w in sorted(self.store.winners(campaign.campaign_id), key=lambda w: w.rank)
               if (campaign.notify == "api" or w.claimed_at is not None)
               and (w.status == "pending" or (w.status == "sending" and (
                   w.reserved_at is None or now - w.reserved_at >= SENDING_LEASE)))]  # fresh ones: another run's
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

    # --- hand mode: an agent sends each DM by hand; the DM events confirm it ---------------------------

    def dm_link(self, campaign: Campaign, winner: Winner) -> str:
        return (f"{COMPOSE_URL}?recipient_id={winner.user_id}&text="
                f"{quote(self.render(campaign, winner), safe='')}")

    def _hand_winner(self, campaign: Campaign, w: Winner) -> HandWinner:
        state = "confirmed" if w.status == "sent" else "not_found" if w.error == "not_found" else "pending"
        return HandWinner(rank=w.rank, user_id=w.user_id, username=w.username, state=state,
                          dm_link=self.dm_link(campaign, w), text=self.render(campaign, w),
                          confirmed_at=iso_z(w.sent_at) if w.sent_at else None)

    def hand_list(self, campaign_id: str, *, groups: Iterable[str] | None = None) -> HandList:
        """The winners to notify by hand, with their state and DM link (for the desk's campaign page: `groups`
        are the desk caller's, who must be staff; ops invoking the function directly pass none)."""
        if groups is not None and not set(groups) & set(GROUPS):
            raise NotStaff("only desk staff (agents, supervisors) see a campaign's winners")
        campaign = self._get(campaign_id)
        if campaign.notify != "hand":
            raise WrongMode(f"campaign {campaign_id} notifies its winners in {campaign.notify} mode, not by hand")
        winners = sorted(self.store.winners(campaign_id), key=lambda w: w.rank)
        return HandList(campaign_id=campaign_id, account=campaign.account, notify=campaign.notify,
                        winners=[self._hand_winner(campaign, w) for w in winners])

    def hand_confirm(self, campaign_id: str, user_id: str, *, by: str, groups: Iterable[str]) -> HandWinner:
        """An agent (`by`, the desk's verified caller; not logged) says they sent the winner's DM: it counts once
        the conversation's DM events show a message from the account sent after the draw; until then refused
        (NotInDmEvents). Idempotent."""
        groups = frozenset(groups)
        if not groups & set(GROUPS):
            raise NotStaff("only desk staff (agents, supervisors) confirm a winner's DM")
        campaign = self._get(campaign_id)
        if campaign.notify != "hand":
            raise WrongMode(f"campaign {campaign_id} notifies its winners in {campaign.notify} mode, not by hand")
        winner = next((w for w in self.store.winners(campaign_id) if w.user_id == user_id), None)
        if winner is None:
            raise UnknownCampaign(f"campaign {campaign_id} has no winner {user_id!r}")
        if winner.status == "sent":
            return self._hand_winner(campaign, winner)
        self.api_calls["dm_events"] += 1
        found = self._sent_after_draw(campaign, self._messenger_for(campaign.account).conversation(user_id), user_id)
        if found is None:
            self.store.note(campaign_id, user_id, "not_found")
            raise NotInDmEvents(f"no DM from the account to winner #{winner.rank} since the draw in the account's DM "
                                "events yet: send it with the link, then confirm again")
        now = self.clock()
        if winner.status in ("pending", "sending", "failed"):
            self.store.reserve(campaign_id, user_id, winner.status, now)
        self.store.record_sent(campaign_id, user_id, found.id, now)
        logger.info("hand DM confirmed", extra={"campaign_id": campaign_id, "rank": winner.rank,
                                                "by_supervisor": supervises(groups)})  # no names in logs
        done = next(w for w in self.store.winners(campaign_id) if w.user_id == user_id)
        return self._hand_winner(campaign, done)

    @staticmethod
    def _sent_after_draw(campaign: Campaign, events: list[DmEvent], user_id: str) -> DmEvent | None:
        return next((e for e in events if e.sender_id != user_id and (
            e.created_at is None or campaign.drawn_at is None or e.created_at >= campaign.drawn_at)), None)

    # --- claim mode: the announcement, then the winners who DM us the phrase ---------------------------

    def announcement_text(self, campaign: Campaign) -> str:
        return campaign.announcement.replace("{campaign}", campaign.campaign_id).replace(
            "{phrase}", campaign.claim_phrase)

    def _announce(self, campaign: Campaign) -> None:
        """Post the claim announcement exactly once: a post whose answer was lost is found among the account's own
        posts before any retry."""
        now, text = self.clock(), self.announcement_text(campaign)
        if campaign.announce_tweet_id is not None or (campaign.announce_at is not None and now < campaign.announce_at):
            return
        x = self._messenger_for(campaign.account)
        if campaign.announce_reserved_at is not None:
            if now - campaign.announce_reserved_at < SENDING_LEASE:
                return  # another run is posting it
            self.api_calls["user_tweets"] += 1
            found = x.find_post(text)
            if found is not None:
                self.store.record_announcement(campaign.campaign_id, found)
                return
        if not self.store.reserve_announcement(campaign.campaign_id, now, stale_before=now - SENDING_LEASE):
            return
        self.api_calls["post"] += 1
        try:
            tweet_id = x.post(text)
        except (RateLimited, TwitterUnavailable):
            return  # reconciled (find_post) by the next run once the lease ends
        self.store.record_announcement(campaign.campaign_id, tweet_id)

    def _poll_claims(self, campaign: Campaign) -> None:
        """Read the account's DM events newer than the last run's, and take each winner's claim."""
        messenger = self._messenger_for(campaign.account)
        winners = {w.user_id for w in self.store.winners(campaign.campaign_id) if w.claimed_at is None}
        token: str | None = None
        newest: str | None = None
        for _ in range(DM_EVENT_PAGES_PER_RUN):
            self.api_calls["dm_events_all"] += 1
            try:
                page = messenger.dm_events(pagination_token=token)
            except RateLimited:
                break
            older = False
            for event in page.events:
                if campaign.dm_cursor is not None and int(event.id) <= int(campaign.dm_cursor):
                    older = True
                    break
                newest = newest if newest is not None and int(newest) >= int(event.id) else event.id
                if event.sender_id in winners and self._claim(campaign, event):
                    winners.discard(event.sender_id)
            if older or page.next_token is None:
                break
            token = page.next_token
        if newest is not None:
            self.store.set_dm_cursor(campaign.campaign_id, newest)

    def _claim(self, campaign: Campaign, event: DmEvent) -> bool:
        """A winner's DM with the claim phrase: recorded once (the store refuses a non-winner and a second claim)."""
        if not entries.phrase_matches(campaign.claim_phrase, event.text):
            return False
        return self.store.mark_claimed(campaign.campaign_id, event.sender_id, event.id, self.clock())

    def receive_dm(self, account: str, event: Mapping[str, Any] | DmEvent, *, send: bool = True) -> ClaimResult:
        """A DM someone sent the account (the webhook's dm.received, or one read by polling): a winner's claim
        phrase records the claim and sends the prize message at once (the user wrote first), exactly once.
        `send=False` only records the claim (a caller without the DM credentials, e.g. the webhook's worker):
        the campaign function's next scheduled run sends it."""
        if not isinstance(event, DmEvent):
            data = dict(event)
            event = DmEvent(id=str(data.get("id", "")), sender_id=str(data.get("sender_id", "")),
                            text=str(data.get("text", "")))
        if not event.id.isdigit() or not event.sender_id.isdigit():
            raise BadInput("a DM event needs a numeric id and sender_id")
        for cid in self.store.open_campaigns():
            campaign = self.store.get(cid)
            if campaign is None or campaign.account != account or campaign.notify != "claim" \
                    or campaign.status != "drawn":
                continue
            if not any(w.user_id == event.sender_id for w in self.store.winners(cid)):
                continue
            claimed = self._claim(campaign, event)
            if send:
                self._notify(campaign)
            sent = any(w.user_id == event.sender_id and w.status == "sent" for w in self.store.winners(cid))
            return ClaimResult(event_id=event.id, campaign_id=cid, claimed=claimed, sent=sent)
        return ClaimResult(event_id=event.id)

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
            notify=c.notify, announcement_tweet_id=c.announce_tweet_id, follow_check=c.follow_check,
            x_reads=dict(c.reads), x_read_cost_usd=entries.read_cost(c.reads),
        )
