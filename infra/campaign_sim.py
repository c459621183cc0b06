"""The campaign in the simulated day: a campaign tweet with a few thousand retweeters in the fake X
(most follow the account, some do not, some are bots, a few are staff, a few have closed DMs), the ad
hoc draw through the campaign Lambda handler, then the scheduled run every 15 minutes. How winners hear
of it is the campaign's notification mode: claim (the day's: the announcement, then winners DM the claim
phrase over the next hours and each gets the prize message), hand (agents send each DM link by hand and
confirm it) or api (the API DMs everyone, 15 per 15 minutes: unsolicited, which X forbids). The fake X
counts unsolicited DMs. Also used by the integration tests to seed the fake.

    sim = CampaignSim(stack, clock); sim.start(); ... sim.maybe_tick() every simulated minute ...; sim.rows()
    rows = run_campaign(stack, clock, retweeters=3000, winners=100)   # stand-alone, moves the clock
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from activecare.accounts import DEFAULT_ACCOUNTS, SupportAccount
from activecare.campaign import draw as drawing
from activecare.clock import ManualClock, iso_z
from activecare.twitter.snowflake import snowflake
from infra.fake_twitter import FakeTwitterState

# The local campaigns' salt (as `activecare campaign salt` makes one) and the sha256 their announcement publishes.
SALT = "5a175a175a175a175a175a175a175a175a175a175a175a175a175a175a175a17"
SALT_SHA256 = "1b9a73a917b65b417ea81b27bd3b0d35f4affaa2379077a5f6cdb2d37cd0b29a"
CAMPAIGN_TEXT = ("【フォロー＆リツイートキャンペーン🎁】@{username} をフォローしてこの投稿をリツイートした方の中から"
                 "抽選で{winners}名様にデジタルギフト1,000円分をプレゼント！応募締切は12月1日23:59まで。")
_FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
_GIVEN = ("ゆい", "はると", "さくら", "そうた", "ひなた", "りく", "めい", "ゆうと", "あおい", "こはる")
FIRST_FAN_ID = 1_750_000_000_000_000_000


@dataclass
class CampaignWorld:
    """Ground truth of a seeded campaign."""

    tweet_id: str
    account: SupportAccount
    retweeters: list[str] = field(default_factory=list)
    followers: set[str] = field(default_factory=set)  # retweeters who follow and are no bots
    not_following: set[str] = field(default_factory=set)
    bots: set[str] = field(default_factory=set)  # follow, but 0-2 followers and a days-old account
    staff: set[str] = field(default_factory=set)
    dm_closed: set[str] = field(default_factory=set)

    @property
    def eligible(self) -> set[str]:
        """Who may win under `rules()`."""
        return self.followers - self.staff

    def rules(self) -> dict[str, Any]:
        return {"min_followers": 5, "min_account_age_days": 30, "exclude_user_ids": sorted(self.staff, key=int)}


def seed_campaign(twitter: FakeTwitterState, *, at: datetime, retweeters: int = 3000, not_following: float = 0.15,
                  bots: float = 0.05, staff: int = 5, dm_closed: int = 3, account: SupportAccount = DEFAULT_ACCOUNTS[0],
                  winners: int = 100, seed: int = 7, first_id: int = FIRST_FAN_ID) -> CampaignWorld:
    """Post the campaign tweet (3 days before `at`) and its retweeters, followers and DM settings."""
    rng = random.Random(seed)
    tweet_id = snowflake(at - timedelta(days=3))
    twitter.add_tweets([{"id": tweet_id, "author_id": account.user_id,
                         "text": CAMPAIGN_TEXT.format(username=account.username, winners=winners)}])
    world = CampaignWorld(tweet_id, account)
    users = []
    for i in range(retweeters):
        uid = str(first_id + i)
        r = rng.random()
        kind = "bot" if r < bots else "not_following" if r < bots + not_following else "fan"
        created = at - (timedelta(days=rng.randint(1, 20)) if kind == "bot" else timedelta(days=rng.randint(60, 4000)))
        followers = rng.randint(0, 2) if kind == "bot" else rng.randint(8, 3000)
        users.append({"id": uid, "username": f"{'gift_' if kind == 'bot' else 'fan_'}{uid[-6:]}",
                      "name": rng.choice(_FAMILY) + rng.choice(_GIVEN), "created_at": iso_z(created),
                      "public_metrics": {"followers_count": followers, "following_count": rng.randint(5, 900)}})
        world.retweeters.append(uid)
        {"bot": world.bots, "not_following": world.not_following, "fan": world.followers}[kind].add(uid)
    twitter.add_users(users)
    fans = sorted(world.followers, key=int)
    world.staff = set(rng.sample(fans, min(staff, len(fans))))
    world.dm_closed = set(rng.sample(sorted(world.followers - world.staff, key=int), min(dm_closed, len(fans))))
    twitter.social.add_follows(account.user_id, [u for u in world.retweeters if u not in world.not_following])
    twitter.social.add_retweets(tweet_id, world.retweeters)
    twitter.social.dm_closed |= world.dm_closed
    return world


CLAIM_PHRASE = "うけとり"
CLAIM_SPELLINGS = ("うけとり", "ウケトリ", "ｳｹﾄﾘ希望です", "うけとり！お願いします🙏", "う け と り")
REPLY_PHRASE = "プレゼント希望"
# How people write the phrase: full-width, half-width kana, hiragana, with spaces and emoji; and replies without it.
PHRASE_SPELLINGS = ("プレゼント希望！", "ぷれぜんと希望です", "ﾌﾟﾚｾﾞﾝﾄ希望🙏", "プレゼント　希望", "＃プレゼント希望")
OTHER_REPLIES = ("いつもお世話になってます", "応募しました！", "プレゼントほしい")


def seed_replies(twitter: FakeTwitterState, world: CampaignWorld, repliers: list[str], *, at: datetime,
                 without_phrase: frozenset[str] | set[str] = frozenset()) -> None:
    """`repliers` reply to the campaign post (after it, before `at`): with the phrase in one of its spellings,
    or without it (`without_phrase`)."""
    start = at - timedelta(days=2)
    tweets = []
    for i, uid in enumerate(repliers):
        text = OTHER_REPLIES[i % len(OTHER_REPLIES)] if uid in without_phrase else \
            PHRASE_SPELLINGS[i % len(PHRASE_SPELLINGS)]
        worker = 1 + int(world.tweet_id) % 1000  # another campaign's replies get other ids
        tweets.append({"id": snowflake(start + timedelta(seconds=30 * i), sequence=i % 4096, worker=worker),
                       "author_id": uid,
                       "text": f"@{world.account.username} {text}",
                       "referenced_tweets": [{"type": "replied_to", "id": world.tweet_id}]})
    twitter.add_tweets(tweets)


class CampaignSim:
    """The campaign inside the simulated day, on the day's own clock:

        sim = CampaignSim(stack, clock, retweeters=3000, winners=100)
        sim.start()            # at e.g. 10:00 JST: seed the fake, ad hoc draw through the handler
        sim.maybe_tick()       # call every simulated minute: runs the scheduled invocation every 15 minutes
        rows = sim.rows()      # summary rows for the day's table
    """

    def __init__(self, stack: Any, clock: ManualClock, *, retweeters: int = 3000, winners: int = 100,
                 campaign_id: str = "sim-campaign", dm_closed: int = 40, notify: str = "claim",
                 hand_per_run: int = 12, claim_within_minutes: int = 180, first_id: int = FIRST_FAN_ID) -> None:
        self.stack, self.clock = stack, clock
        self.notify, self.hand_per_run, self.claim_within = notify, hand_per_run, claim_within_minutes
        self.first_id = first_id
        self.claims: list[tuple[datetime, str, str]] = []  # (when, sender, text): DMs people will send us
        self.claimers: set[str] = set()  # winners who claim (those with closed DMs do not read theirs)
        self._unsolicited0 = 0
        self.retweeters, self.winners, self.campaign_id, self.dm_closed = retweeters, winners, campaign_id, dm_closed
        self.world: CampaignWorld | None = None
        self.runs = 0
        self.started_at: datetime | None = None
        self.drained_at: datetime | None = None
        self._last_tick: datetime | None = None
        self._stats0: dict[str, int] = {}
        self.last: dict[str, Any] = {}

    def _invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        from functions.campaign import app
        from infra.lambda_runtime import context_for

        return app.handler(event, context_for("CampaignFunction"))

    def start(self) -> dict[str, Any]:
        self.started_at = self._last_tick = self.clock()
        snapshot = self.stack.twitter.stats.snapshot()
        self._stats0, self._unsolicited0 = dict(snapshot["by_endpoint"]), snapshot["unsolicited_dms"]
        self.world = seed_campaign(self.stack.twitter, at=self.started_at, retweeters=self.retweeters,
                                   winners=self.winners, dm_closed=self.dm_closed, first_id=self.first_id)
        # Claim mode: the announcement goes out with the first scheduled run after the morning greeting.
        announce_at = iso_z(self.started_at + timedelta(minutes=10))
        mode = {"notify": self.notify} | ({"claim_phrase": CLAIM_PHRASE, "announce_at": announce_at}
                                          if self.notify == "claim" else {})
        self.last = self._invoke({"action": "draw", "campaign_id": self.campaign_id, "tweet_id": self.world.tweet_id,
                                  "account": self.world.account.key, "winners": self.winners,
                                  "rules": self.world.rules(), "salt": SALT, "salt_sha256": SALT_SHA256, **mode})
        self.runs = 1
        if self.notify == "claim" and self.last.get("ok"):
            self._plan_claims()
        self._check_drained()
        return self.last

    def _plan_claims(self) -> None:
        """Winners read the announcement and DM the phrase within `claim_within` (in their own spelling); a few
        entrants who did not win try too (they get nothing)."""
        assert self.world is not None and self.started_at is not None
        rng = random.Random(11)
        cert = self._invoke({"action": "certificate", "campaign_id": self.campaign_id})
        winners = list(cert.get("winners", []))
        self.claimers = {w for w in winners if w not in self.world.dm_closed}
        losers = sorted(self.world.eligible - set(winners), key=int)
        for uid in sorted(self.claimers, key=int) + rng.sample(losers, min(20, len(losers))):
            at = self.started_at + timedelta(minutes=rng.randint(16, 15 + self.claim_within))  # after it is out
            self.claims.append((at, uid, rng.choice(CLAIM_SPELLINGS)))
        self.claims.sort()

    def _people_act(self) -> None:
        """What people do in X's own app before the scheduled run: claim DMs that are due; in hand mode the
        agents send a batch of DM links and confirm each on the desk."""
        assert self.world is not None
        social, account = self.stack.twitter.social, self.world.account
        while self.claims and self.claims[0][0] <= self.clock():
            _, uid, text = self.claims.pop(0)
            social.user_dm(uid, account.user_id, text)
        if self.notify != "hand":
            return
        listed = self._invoke({"action": "hand_list", "campaign_id": self.campaign_id, "groups": ["agents"]})
        # X refuses a DM to closed DMs, by hand too: the agents skip those winners.
        todo = [w for w in listed.get("winners", []) if w["state"] != "confirmed"
                and w["user_id"] not in self.world.dm_closed][: self.hand_per_run]
        for w in todo:
            social.user_dm(account.user_id, w["user_id"], w["text"])
            self._invoke({"action": "hand_confirm", "campaign_id": self.campaign_id, "user_id": w["user_id"],
                          "by": "sim-agent", "groups": ["agents"]})

    @property
    def done(self) -> bool:
        return self.drained_at is not None or not self.last.get("ok", False)

    def due(self) -> bool:
        """The scheduled run fires now: 15 minutes after the last one, until the DMs are drained."""
        return (self.world is not None and not self.done and self._last_tick is not None
                and self.clock() - self._last_tick >= timedelta(minutes=15))

    def maybe_tick(self) -> None:
        """The EventBridge rule: one scheduled invocation per 15 minutes of the clock (until drained)."""
        if not self.due():
            return
        self._last_tick = self.clock()
        self._people_act()
        self._invoke({"source": "aws.events", "detail-type": "Scheduled Event"})
        self.last = self._invoke({"action": "status", "campaign_id": self.campaign_id})
        self.runs += 1
        self._check_drained()

    def _check_drained(self) -> None:
        r = self.last
        if not r.get("ok") or r["status"] == "collecting":
            return
        if self.notify == "claim":
            done = not self.claims and r["dms"]["sent"] >= len(self.claimers) and not r["dms"]["sending"]
        elif self.notify == "hand":  # every winner sent by hand, but those whose DMs are closed
            done = r["dms"]["sent"] + len(self._closed_winners()) >= r["winners"]
        else:
            done = not r["dms"]["pending"] + r["dms"]["sending"]
        if done:
            self.drained_at = self.clock()

    def _closed_winners(self) -> set[str]:
        if self.world is None:
            return set()
        return {w["user_id"] for w in self._invoke({"action": "hand_list", "campaign_id": self.campaign_id}).get(
            "winners", []) if w["user_id"] in self.world.dm_closed}

    def rows(self) -> list[tuple[str, str]]:
        r = self.last
        if not r.get("ok") or self.world is None or self.started_at is None:
            return [("campaign", f"error: {r.get('error', 'not started')}")]
        stats_now = self.stack.twitter.stats.snapshot()
        stats = stats_now["by_endpoint"]
        calls = {k: stats.get(k, 0) - self._stats0.get(k, 0)
                 for k in ("retweeted_by", "dm_send", "dm_events", "dm_events_all")}
        cert = self._invoke({"action": "certificate", "campaign_id": self.campaign_id}) if "draw" in r else {}
        counts, dms = r.get("draw", {}).get("counts", {}), r["dms"]
        took = (self.drained_at or self.clock()) - self.started_at
        verified = "reproduces" if cert.get("winners") and not drawing.verify(cert) else "does NOT reproduce"
        return [
            ("campaign retweeters (entrants)", f"{counts.get('retweeters', r['collection']['retweeters']):,}"),
            ("campaign eligible", f"{counts.get('eligible', 0):,} (not following {counts.get('not_following', 0)}, "
                                  f"bots {counts.get('few_followers', 0) + counts.get('account_too_new', 0)}, "
                                  f"excluded {counts.get('excluded', 0)})"),
            ("campaign winners", f"{r['winners']} of {self.winners}; all eligible: "
                                 f"{set(cert.get('winners', [])) <= self.world.eligible}; certificate {verified}"),
            ("campaign DMs sent / failed / pending", f"{dms['sent']} / {dms['failed']} / "
                                                     f"{dms['pending'] + dms['sending']} after {self.runs} runs, "
                                                     f"{took.total_seconds() / 3600:.2f} h"
                                                     + ("" if self.drained_at else " (still draining)")),
            ("campaign X API calls", f"retweeted_by {calls['retweeted_by']}, dm_send {calls['dm_send']}, "
                                     f"dm_events {calls['dm_events']}, dm_events_all {calls['dm_events_all']}; "
                                     f"DM cost ${r['dm_cost_usd']}; X reads ${r.get('x_read_cost_usd', 0)}"),
            ("campaign notification", self._mode_text(r)),
            ("campaign unsolicited DMs", str(stats_now["unsolicited_dms"] - self._unsolicited0)),
        ]

    def _mode_text(self, r: dict[str, Any]) -> str:
        if self.notify == "claim":
            return (f"claim: announcement posted {'yes' if r.get('announcement_tweet_id') else 'no'}, "
                    f"{len(self.claimers)} winners claimed by DM, {r['dms']['sent']} answered")
        if self.notify == "hand":
            return f"hand: {r['dms']['sent']} DMs sent by agents and confirmed in the DM events"
        return "api: every winner DMed by the API unasked"


def run_campaign(stack: Any, clock: ManualClock, *, retweeters: int = 3000, winners: int = 100,
                 max_hours: float = 4.0, **kw: Any) -> list[tuple[str, str]]:
    """Stand-alone: start, then move the clock 15 minutes at a time until drained (or `max_hours`)."""
    sim = CampaignSim(stack, clock, retweeters=retweeters, winners=winners, **kw)
    sim.start()
    start = clock()
    while not sim.done and clock() - start < timedelta(hours=max_hours):
        clock.advance(timedelta(minutes=15))
        sim.maybe_tick()
    return sim.rows()


__all__ = ["CampaignSim", "CampaignWorld", "run_campaign", "seed_campaign"]
