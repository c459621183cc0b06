"""Outage incidents for the simulator, and a counts-only mode for many days fast.

`IncidentSpec.parse("signal,大阪,10:30,45,40")`: topic, place (a gazetteer name, or 全国 for a nationwide one),
start (JST), duration (minutes), peak unique complaining authors per minute. `inject` adds the incident's
tweets to a generated day: new authors (one tweet each, some a second one), a logistic ramp to the peak over a
few minutes, a plateau and a decay; about half name the place (or a station in it), the rest say nothing of
where, as people do. The injected ids are the ground truth of grouping.

`count_days` runs the radar without the stack: each generated tweet goes through the real matcher (as the
poller's local match), sentiment and the gazetteer into the in-memory signal store, and the real detector runs
once a simulated minute, the minute's tweets recorded one poll later (the pessimistic order).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from activecare.clock import JST, ManualClock, iso_z, parse_iso
from activecare.outage.gazetteer import gazetteer
from activecare.outage.memory import MemoryAlerts, MemoryRadar, MemorySignals
from activecare.outage.models import DetectorConfig, Incident
from activecare.outage.service import Detector, complaint_signal
from activecare.twitter.snowflake import snowflake
from infra.seed.tweets import SeedDay, Truth

NATIONWIDE = "全国"
# What people write in an outage: mostly with the phone or the net named (the catalogue's context words),
# some bare (圏外 alone is also 恋愛圏外: the matcher rightly passes those by, and recall shows it).
TOPIC_WORDS = {
    "signal": ("スマホが圏外", "電話が繋がらない", "ネットが繋がらない", "電波が悪い", "LINEも送れない、圏外",
               "通信障害？スマホ使えない", "4Gなのにデータ通信できない", "スマホ急に圏外", "電話もネットも繋がらない",
               "圏外", "繋がらない"),
    "wifi": ("ワイファイ繋がらない", "Wi-Fiが切れる", "光回線が繋がらない", "ネットが落ちた"),
    "billing": ("料金おかしい", "請求が二重", "引き落としエラー"),
    "app_web": ("アプリにログインできない", "マイページ開かない", "サイトがエラー"),
    "mail": ("メールが届かない", "キャリアメール送れない"),
}
TEMPLATES = (
    "{place}で急に{w}なんだけど", "さっきから{place}で{w}…障害？", "{place}ずっと{w}。仕事にならない",
    "え、{place}で{w}。みんなも？", "{w}。{place}だけ？", "{place}にいるけど{w}で困る", "{w}なんだけど、{place}",
)
NO_PLACE = ("急に{w}なんだけど", "さっきから{w}…障害？", "ずっと{w}、仕事にならない", "え、{w}。みんなも？",
            "{w}で連絡取れない最悪", "{w}。まだ直らないの？")


@dataclass(frozen=True)
class IncidentSpec:
    topic: str
    place: str  # a gazetteer name, or 全国
    start: str  # HH:MM JST
    duration: int  # minutes
    peak: int  # unique authors per minute at the peak

    @classmethod
    def parse(cls, text: str) -> IncidentSpec:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 5:
            raise ValueError(f"--incident {text!r}: expected topic,place,start,duration,peak_per_min")
        topic, place, start, duration, peak = parts
        if topic not in TOPIC_WORDS:
            raise ValueError(f"--incident: unknown topic {topic!r} (one of {', '.join(TOPIC_WORDS)})")
        if place != NATIONWIDE and not gazetteer().find(place):
            raise ValueError(f"--incident: {place!r} is not in the gazetteer (data/places.csv) nor {NATIONWIDE}")
        try:
            datetime.strptime(start, "%H:%M")
            spec = cls(topic, place, start, int(duration), int(peak))
        except ValueError:
            raise ValueError(f"--incident {text!r}: start HH:MM, duration and peak whole numbers") from None
        if spec.duration < 5 or spec.peak < 1:
            raise ValueError("--incident: duration >= 5 minutes and peak >= 1")
        return spec

    def onset(self, day: datetime) -> datetime:
        h, m = map(int, self.start.split(":"))
        return day.astimezone(JST).replace(hour=h, minute=m, second=0, microsecond=0)

    def rate(self, minute: int) -> float:
        """Expected authors in minute `minute` after the onset: a logistic rise over ~6 minutes, a plateau, an
        exponential decay over the last third."""
        rise = self.peak / (1 + math.exp(-(minute + 0.5 - 3.0) / 1.0))
        tail_from = self.duration * 2 / 3
        if minute >= tail_from:
            rise *= math.exp(-(minute - tail_from) / max(1.0, self.duration / 9))
        return rise


@dataclass
class Injected:
    spec: IncidentSpec
    onset: datetime
    tweet_ids: set[str] = field(default_factory=set)


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def inject(day: SeedDay, spec: IncidentSpec, seed: int = 0) -> Injected:
    """Add the incident's users and tweets to `day` (kept sorted by time); returns the ground truth."""
    rng = random.Random(f"outage:{seed}:{spec}")
    onset = spec.onset(day.start)
    got = Injected(spec, onset)
    g = gazetteer()
    area = g.find(spec.place)
    nearby = [p.name for p in g.places.values() if area and (p.prefecture in area or p.key in area)]
    names = [spec.place, spec.place, *nearby] if spec.place != NATIONWIDE else [
        p.name for p in g.places.values() if p.kind != "station"]
    base_user = 9_100_000_000_000_000 + rng.randrange(10**12)
    n = 0
    new_tweets: list[dict] = []
    for minute in range(spec.duration):
        for _ in range(_poisson(rng, spec.rate(minute))):
            n += 1
            at = onset + timedelta(minutes=minute, seconds=rng.uniform(0, 59.9))
            words = rng.choice(TOPIC_WORDS[spec.topic])
            named = rng.random() < (0.5 if spec.place != NATIONWIDE else 0.3)
            text = (rng.choice(TEMPLATES).format(place=rng.choice(names), w=words) if named
                    else rng.choice(NO_PLACE).format(w=words))
            user_id = str(base_user + n)
            day.users.append({"id": user_id, "username": f"u{user_id[-9:]}", "name": f"利用者{n}",
                              "created_at": "2019-04-01T00:00:00.000Z",
                              "public_metrics": {"followers_count": rng.randrange(5, 400), "following_count": 100,
                                                 "tweet_count": 1000, "listed_count": 0}})
            tid = snowflake(at, rng.randrange(1, 4000))
            new_tweets.append({"id": tid, "edit_history_tweet_ids": [tid], "text": text, "author_id": user_id,
                               "created_at": iso_z(at), "conversation_id": tid, "lang": "ja",
                               "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0,
                                                  "quote_count": 0}})
            day.truth[tid] = Truth(relevant=True, topic=spec.topic, sentiment="complaint", kind="trouble")
            got.tweet_ids.add(tid)
    day.tweets.extend(new_tweets)
    day.tweets.sort(key=lambda t: (t["created_at"], int(t["id"])))
    return got


@dataclass
class CountsResult:
    minutes: int = 0
    tweets: int = 0
    signals: int = 0
    incidents: list[Incident] = field(default_factory=list)
    grouped: dict[str, set[str]] = field(default_factory=dict)  # incident id -> tweet ids grouped into it
    alerts: int = 0
    wall_s: float = 0.0


def count_days(days: Sequence[SeedDay], *, config: DetectorConfig | None = None,
               radar: MemoryRadar | None = None) -> CountsResult:
    """The radar over consecutive generated stretches, counts only (no stack, no desk)."""
    import time

    from activecare.keywords import Matcher, default_catalogue
    from activecare.sentiment import classify_sentiment

    began = time.perf_counter()
    matcher = Matcher(default_catalogue())
    signals, radar, alerts = MemorySignals(), radar or MemoryRadar(), MemoryAlerts()
    clock = ManualClock(days[0].start)
    detector = Detector(signals=signals, radar=radar, alerts=alerts, clock=clock, config=config)
    g = gazetteer()
    out = CountsResult()
    by_tweet: dict[str, tuple[str, tuple[str, ...], datetime]] = {}
    for day in days:
        support = set(day.support_user_ids)
        pending = iter(day.tweets)
        nxt = next(pending, None)
        minute = day.start
        while minute < day.end + timedelta(minutes=3):
            clock.set(minute)
            detector.run()
            out.minutes += 1
            # the poll at `minute` reads what was tweeted before it; the worker records it
            while nxt is not None and parse_iso(nxt["created_at"]) < minute:
                t, nxt = nxt, next(pending, None)
                out.tweets += 1
                if t["author_id"] in support or t["text"].startswith("RT @"):
                    continue
                found = matcher.match(t["text"])
                if found is None:
                    continue
                at = parse_iso(t["created_at"])
                sig = complaint_signal(tweet_id=t["id"], text=t["text"], author_id=t["author_id"], at=at,
                                       topic=found.topic, sentiment=classify_sentiment(t["text"]), places=g)
                if sig:
                    signals.record(*sig)
                    out.signals += 1
                    by_tweet[t["id"]] = (sig[0].topic, sig[0].places, at)
            minute += timedelta(minutes=1)
        signals.forget_before(day.end - timedelta(hours=3))
    out.incidents = [radar.incidents[i] for i in radar.state.incidents if i in radar.incidents]
    for inc in out.incidents:
        end = inc.closed_at or clock()
        out.grouped[inc.id] = {tid for tid, (topic, places, at) in by_tweet.items()
                               if inc.onset <= at < end + timedelta(minutes=1) and inc.matches(topic, places)}
    out.alerts = len(alerts.sent)
    out.wall_s = time.perf_counter() - began
    return out


# --- the simulated day on the local stack (infra/simulate_day.py --incident ...) ----------------------------

SUPERVISOR_REACTION = timedelta(minutes=4)  # a supervisor looks at the alert and confirms it
COVER_PER_MINUTE = 20  # grouped inquiries the team marks covered by the status post each minute


class OutageDay:
    """The radar in the simulated day: the real outage function every minute (after the worker), a simulated
    supervisor confirming each alert a few minutes later, and the team covering the grouped keyword finds by
    the status post (mentions stay with the agents, who answer them one by one)."""

    def __init__(self, specs: Sequence[str], seed: int = 0, *, supervise: bool = True) -> None:
        """`supervise=False` (`make desk`): nobody simulated confirms or covers; the people at the desk do."""
        self.supervise = supervise
        self.specs = [IncidentSpec.parse(s) for s in specs]
        self.seed = seed
        self.injected: list[Injected] = []
        self.runs = 0
        self.alerts = 0
        self.ops_inbox = ""
        self.reports_dir = Path("out/reports/incidents")

    def inject(self, day: SeedDay) -> None:
        self.injected = [inject(day, spec, self.seed + n) for n, spec in enumerate(self.specs)]

    def minute(self, stack: object) -> None:
        from activecare.outage.service import CrisisDesk
        from infra.lambda_runtime import context_for
        from outage import app as outage_app

        rt = stack.runtime  # type: ignore[attr-defined]
        if not self.ops_inbox:
            self._ops_topic(stack)
        result = outage_app.handler({"scheduled_time": iso_z(rt.clock())}, context_for("outage"))
        self.runs += 1
        self.alerts += result["alerts"]
        if not self.supervise:
            return
        crisis: CrisisDesk = rt.crisis()
        now = rt.clock()
        for item in crisis.incidents().items:
            if item.status != "open":
                continue
            inc = crisis.get(item.id)
            if inc.confirmed_by is None and now - inc.detected_at >= SUPERVISOR_REACTION:
                crisis.confirm(inc.id, user="sim-supervisor", groups=["supervisors"])
            elif inc.confirmed_by:
                self._cover(rt, crisis, inc)

    def _ops_topic(self, stack: Any) -> None:
        """The stack's outage topic on moto, with a queue subscribed in place of ops' e-mail."""
        import boto3

        region, endpoint = stack.settings.region, stack.aws_endpoint
        sns = boto3.client("sns", region_name=region, endpoint_url=endpoint)
        sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint)
        arn = sns.create_topic(Name="activecare-outage")["TopicArn"]
        self.ops_inbox = sqs.create_queue(QueueName="activecare-ops-inbox")["QueueUrl"]
        q_arn = sqs.get_queue_attributes(QueueUrl=self.ops_inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=q_arn)
        stack.configure(outage_topic_arn=arn)

    def _cover(self, rt: Any, crisis: Any, inc: Incident) -> None:
        desk = rt.desk()
        done = {a.inquiry_id for a in inc.answers}
        page = desk.list(status="new", limit=100)
        covered = 0
        for item in page.items:
            if covered >= COVER_PER_MINUTE:
                break
            if item.direct or item.inquiry_id in done or item.claimed_by:
                continue
            if crisis.in_group(inc, item.topic, item.text, item.created_at):
                desk.resolve(item.inquiry_id, "sim-cover", "no_reply_needed")
                crisis.record_answer(inc.id, inquiry_id=item.inquiry_id, action="covered", how="status_post",
                                     user="sim-cover", groups=["agents"])
                covered += 1

    def summary_rows(self, stack: object) -> list[tuple[str, object]]:
        from activecare.storage.models import Inquiry

        rt = stack.runtime  # type: ignore[attr-defined]
        crisis = rt.crisis()
        incidents = [crisis.get(i.id) for i in crisis.incidents().items]
        stored = list(Inquiry.scan())
        from activecare.outage.report import incident_report

        rows: list[tuple[str, object]] = [("outage radar: detector runs / alerts sent", f"{self.runs} / {self.alerts}"),
                                          ("  incidents opened", len(incidents))]
        if incidents:
            self.reports_dir.mkdir(parents=True, exist_ok=True)
            for inc in incidents:
                text, html = incident_report(inc)
                (self.reports_dir / f"{inc.id}.txt").write_text(text, encoding="utf-8")
                (self.reports_dir / f"{inc.id}.html").write_text(html, encoding="utf-8")
            rows.append(("  per-incident reports", str(self.reports_dir)))
        for got in self.injected:
            end = got.onset + timedelta(minutes=got.spec.duration)
            mine = [i for i in incidents if i.detected_at >= got.onset and i.onset < end]
            label = f"  injected {got.spec.topic} {got.spec.place} {got.spec.start} ({got.spec.peak}/min)"
            if not mine:
                rows.append((label, "not detected"))
                continue
            inc = min(mine, key=lambda i: i.detected_at)
            first = next((p.at for p in inc.status_posts if p.tweet_id != "pending"), None)
            grouped = {q.inquiry_id for q in stored for i in mine
                       if crisis.in_group(i, q.topic, q.text, q.created_at)
                       and q.created_at < (i.closed_at or rt.clock()) + timedelta(minutes=1)}
            hit = len(grouped & got.tweet_ids)
            rows += [
                (label, f"detected {to_hm(inc.detected_at)} ({(inc.detected_at - got.onset).total_seconds() / 60:.0f} "
                        f"min after onset), first status post {to_hm(first)}, peak {inc.peak}/min at "
                        f"{to_hm(inc.peak_at)}, closed {to_hm(inc.closed_at)}"),
                ("    places / topics", f"{', '.join(inc.places) or 'nationwide'} / {', '.join(inc.topics) or '-'}"),
                ("    grouped inquiries: precision / recall (injected tweets)",
                 f"{hit / max(1, len(grouped)):.2f} / {hit / max(1, len(got.tweet_ids)):.2f} "
                 f"({len(grouped)} grouped, {len(got.tweet_ids)} injected)"),
                ("    desk: covered by the status post / replied; status posts",
                 f"{sum(a.action == 'covered' for a in inc.answers)} / "
                 f"{sum(a.action == 'replied' for a in inc.answers)}; {len(inc.status_posts)}"),
            ]
        return rows


def to_hm(at: datetime | None) -> str:
    return "-" if at is None else f"{at.astimezone(JST):%H:%M}"
