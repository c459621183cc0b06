"""The outage radar: complaint signals -> per-minute unique authors per topic and place -> STA/LTA against the
hour-of-week baseline -> incidents that open, grow and close -> ops alerts; and the desk's crisis mode
(confirm or declare, status posts, grouped answers).

Why a scheduled function and not the worker: the worker runs only when tweets arrive, in concurrent SQS
batches. An incident must close when complaints *stop*, and a minute must be judged once, after its tweets
are in: so the worker only records a compact signal per complaint (idempotent on the tweet id, sharded minute
buckets), and one detector run per minute (reserved concurrency 1, a versioned state item) judges the minute
that just ended, re-reading the one before for tweets a poll brought late.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from activecare.clock import Clock, minute_key, to_jst
from activecare.errors import AppError, Conflict, Forbidden, NotFound, Refused
from activecare.outage.gazetteer import Gazetteer, gazetteer
from activecare.outage.models import (
    AnswerCounts,
    Baseline,
    DetectorConfig,
    DetectorState,
    GroupAnswer,
    Incident,
    IncidentList,
    IncidentView,
    MinuteCount,
    MinuteView,
    RunResult,
    Sample,
    Signal,
    StatusPost,
    floor_minute,
    hour_of_week,
    parse_minute,
)
from activecare.outage.ports import AccountPosts, AlertNotSent, AlertSink, RadarStore, SignalStore, StatusPoster
from activecare.pii import mask_pii
from activecare.roles import supervises
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, weighted_length

MINUTE = timedelta(minutes=1)
KEEP_RECENT_MINUTES = 90
KEEP_INCIDENTS = 50
ALERT_LEASE = timedelta(minutes=5)  # a claimed alert not marked sent after this: its run died (Lambda: 60 s)
POSTS_PER_15_MIN = 100
TEMPLATES_FILE = Path(__file__).resolve().parents[1] / "data" / "outage_templates.json"
_HANDLE = re.compile(r"@[A-Za-z0-9_]+")
_URL = re.compile(r"https?://\S+")
TOPIC_ACCOUNT = {"signal": "signal", "wifi": "wifi"}  # the owning account of a status post; else general


def author_hash(author_id: str) -> str:
    return hashlib.sha256(f"outage:{author_id}".encode()).hexdigest()[:12]


def mask_sample(text: str, limit: int = 80) -> str:
    """A tweet fit for an alert: personal data, handles and links replaced, cut short."""
    masked = _URL.sub("[URL]", _HANDLE.sub("@***", mask_pii(text)))
    return masked if len(masked) <= limit else masked[: limit - 1] + "…"


def complaint_signal(*, tweet_id: str, text: str, author_id: str, at: datetime, topic: str, sentiment: str,
                     direct: bool = False, places: Gazetteer | None = None) -> tuple[Signal, Sample] | None:
    """The signal of one listened tweet, or None when it is not a complaint."""
    if sentiment != "complaint":
        return None
    found = (places or gazetteer()).find(text)
    signal = Signal(tweet_id=tweet_id, at=at, author=author_hash(author_id), topic=topic, places=found,
                    direct=direct)
    return signal, Sample(tweet_id=tweet_id, topic=topic, text=mask_sample(text))


class Detector:
    def __init__(self, *, signals: SignalStore, radar: RadarStore, alerts: AlertSink, clock: Clock,
                 config: DetectorConfig | None = None, places: Gazetteer | None = None) -> None:
        self.signals, self.radar, self.alerts, self.clock = signals, radar, alerts, clock
        self.config = config or DetectorConfig()
        self.places = places or gazetteer()

    # --- one run -------------------------------------------------------------------------------------------
    def run(self, now: datetime | None = None) -> RunResult:
        cfg = self.config
        now = now or self.clock()
        self._now = now
        # The minute judged is the one before last: the poll at its end has brought its tweets in (a poll that
        # ran late is caught by re-reading `settle_minutes` more).
        target = floor_minute(now) - (1 + cfg.settle_minutes) * MINUTE
        state = self.radar.load_state()
        expected = state.version
        last = parse_minute(state.last_minute) if state.last_minute else None
        first_new = last + MINUTE if last else target
        first_new = max(first_new, target - 15 * MINUTE)  # a long pause: judge the last quarter hour only
        result = RunResult()
        if first_new > target:  # this minute is judged: only the outbox (a crashed run's unsent alerts)
            self._flush(state.outbox, result)
            return result
        reread_from = min(first_new - cfg.settle_minutes * MINUTE, first_new)
        window_from = reread_from - (cfg.sta_minutes - 1) * MINUTE
        minutes = _span(window_from, target)
        authors: dict[str, dict[str, set[str]]] = {minute_key(m): defaultdict(set) for m in minutes}
        by_minute: dict[str, list[Signal]] = defaultdict(list)
        for s in self.signals.signals(minutes):
            mk = minute_key(s.at)
            if mk in authors:
                by_minute[mk].append(s)
                for k in s.counters():
                    authors[mk][k].add(s.author)
        for m in _span(reread_from, target):
            mk = minute_key(m)
            state.recent[mk] = {k: len(v) for k, v in authors[mk].items()}
        # the open incidents, and those with alerts still in the outbox (a closed one's "closed" alert)
        incidents = {i: inc for i in dict.fromkeys([*state.open, *state.outbox]) if (inc := self.radar.incident(i))}
        # re-read minutes: their counts in open incidents are refreshed
        for m in _span(reread_from, first_new - MINUTE):
            for inc in incidents.values():
                if inc.status == "open":
                    self._count(inc, m, by_minute.get(minute_key(m), []))
        changed: set[str] = set()
        baselines: dict[int, Baseline] = {}
        for m in _span(first_new, target):
            prev = m - MINUTE
            if to_jst(m).hour != to_jst(prev).hour and state.last_minute:
                self._learn(state, prev, incidents)
            how = hour_of_week(m)
            if how not in baselines:
                baselines[how] = self.radar.baseline(how)
            self._judge(state, m, authors, by_minute, baselines[how], incidents, changed, result)
            result.evaluated.append(minute_key(m))
        state.last_minute = minute_key(target)
        cut = minute_key(target - KEEP_RECENT_MINUTES * MINUTE)
        state.recent = {k: v for k, v in state.recent.items() if k >= cut}
        state.open = [i for i, inc in incidents.items() if inc.status == "open"]
        state.version = expected + 1
        for inc_id in sorted(changed):
            inc = incidents[inc_id]
            if inc_id in result.opened:
                self.radar.create_incident(inc)
            else:
                incidents[inc_id] = self._write(inc)
        # The outbox: an alert is recorded (pending) in the same incident write as the change it tells of; the
        # state points at the incidents with unsent alerts, so a run that dies before sending leaves them to the
        # next run (a closed incident is no longer open, and would be read by nobody).
        state.outbox = [i for i, inc in incidents.items() if any(_unsent(a) for a in inc.alerts)]
        if not self.radar.save_state(state, expected):
            return RunResult()  # another run judged these minutes
        self._flush(state.outbox, result)
        return result

    def _judge(self, state: DetectorState, m: datetime, authors: dict[str, dict[str, set[str]]],
               by_minute: dict[str, list[Signal]], baseline: Baseline, incidents: dict[str, Incident],
               changed: set[str], result: RunResult) -> None:
        cfg = self.config
        window = [minute_key(x) for x in _span(m - (cfg.sta_minutes - 1) * MINUTE, m)]
        sta: dict[str, set[str]] = defaultdict(set)
        for mk in window:
            for k, who in authors.get(mk, {}).items():
                sta[k] |= who
        fired = []
        for k, who in sta.items():
            minimum = cfg.min_topic if k.startswith("t:") else cfg.min_place
            if len(who) < minimum:
                continue
            expected = self.expected(state, baseline, k, m)
            if len(who) / cfg.sta_minutes >= cfg.ratio * expected:
                fired.append((not k.startswith("t:"), -len(who), k))
        for _, _, k in sorted(fired):
            open_now = [inc for inc in incidents.values() if inc.status == "open"]
            if any(k in inc.keys for inc in open_now):
                continue
            best, overlap = None, 0.0
            for inc in open_now:
                theirs: set[str] = set().union(*(sta.get(x, set()) for x in inc.keys))
                share = len(sta[k] & theirs) / len(sta[k])
                if share > overlap:
                    best, overlap = inc, share
            if best is not None and overlap >= cfg.join_overlap:
                best.keys.append(k)
                best.alerts.append(f"pending:grown:{k}")
                self._samples(best, m)
                changed.add(best.id)
                result.grown.append(f"{best.id}:{k}")
                continue
            onset = self._onset(state, baseline, k, m)
            inc = Incident(id=f"{minute_key(m)}-{re.sub(r'[^a-z0-9_]', '-', k)}", onset=onset,
                           detected_at=self._now, keys=[k],
                           account=TOPIC_ACCOUNT.get(k[2:], "general") if k.startswith("t:") else "signal")
            inc.alerts.append("pending:opened")
            incidents[inc.id] = inc
            changed.add(inc.id)
            result.opened.append(inc.id)
            state.incidents = [*[i for i in state.incidents if i != inc.id], inc.id][-KEEP_INCIDENTS:]
            for x in _span(onset, m - MINUTE):
                self._count(inc, x, by_minute.get(minute_key(x), []))
            self._samples(inc, m)
        for inc in incidents.values():
            if inc.status != "open":
                continue
            self._count(inc, m, by_minute.get(minute_key(m), []))
            changed.add(inc.id)
            counts = state.recent.get(minute_key(m), {})
            elevated = any(counts.get(k, 0) >= max(2.0, 2 * self.expected(state, baseline, k, m))
                           for k in inc.keys)
            inc.quiet_minutes = 0 if elevated else inc.quiet_minutes + 1
            if inc.quiet_minutes >= cfg.close_quiet_minutes:
                inc.status = "closed"
                inc.closed_at = m - (inc.quiet_minutes - 1) * MINUTE
                inc.alerts.append("pending:closed")
                result.closed.append(inc.id)

    def expected(self, state: DetectorState, baseline: Baseline, key: str, m: datetime) -> float:
        """Unique authors per minute expected for `key` at `m`: the hour-of-week baseline (the prior until it has
        weeks behind it), or the recent long window's mean when that is higher (a busy day)."""
        cfg = self.config
        prior = cfg.prior_topic_rate if key.startswith("t:") else cfg.prior_place_rate
        weeks = baseline.weeks.get(key, 0.0)
        base = (prior * cfg.prior_weight + baseline.rates.get(key, 0.0) * weeks) / (cfg.prior_weight + weeks)
        lta_end = m - cfg.sta_minutes * MINUTE
        total = sum(state.recent.get(minute_key(x), {}).get(key, 0)
                    for x in _span(lta_end - (cfg.lta_minutes - 1) * MINUTE, lta_end))
        return max(base, total / cfg.lta_minutes, 0.01)

    def _onset(self, state: DetectorState, baseline: Baseline, key: str, m: datetime) -> datetime:
        """The first minute of the rise: walking back while the counter stays above its expected rate."""
        onset = m
        for back in range(1, 31):
            x = m - back * MINUTE
            count = state.recent.get(minute_key(x), {}).get(key, 0)
            if count < max(1.0, 2 * self.expected(state, baseline, key, m)):
                break
            onset = x
        return onset

    def _count(self, inc: Incident, m: datetime, signals: list[Signal]) -> None:
        mine = [s for s in signals if inc.matches(s.topic, s.places)]
        n = len({s.author for s in mine})
        at = m.astimezone(UTC)
        for c in inc.counts:
            if c.minute == at:
                c.authors, c.tweets = n, len(mine)
                break
        else:
            inc.counts.append(MinuteCount(minute=at, authors=n, tweets=len(mine)))
            inc.counts.sort(key=lambda c: c.minute)
        if n > inc.peak:
            inc.peak, inc.peak_at = n, at

    def _samples(self, inc: Incident, m: datetime) -> None:
        minutes = _span(m - (self.config.sta_minutes - 1) * MINUTE, m)
        have = {s.tweet_id for s in inc.samples}
        topics = inc.topics or sorted({s.topic for s in self.signals.samples(minutes, list(TOPIC_ACCOUNT))} |
                                      {"signal"})
        for s in self.signals.samples(minutes, topics):
            if len(inc.samples) >= self.config.samples:
                break
            if s.tweet_id not in have:
                inc.samples.append(s)
                have.add(s.tweet_id)

    def _learn(self, state: DetectorState, last_minute: datetime, incidents: dict[str, Incident]) -> None:
        """The hour that just ended becomes one more week of its hour-of-week baseline (counters inside an open
        incident are not learned: an outage must not become the usual)."""
        cfg = self.config
        start = last_minute - timedelta(minutes=to_jst(last_minute).minute)
        how = hour_of_week(start)
        baseline = self.radar.baseline(how)
        sums: dict[str, int] = defaultdict(int)
        for x in _span(start, last_minute):
            for k, n in state.recent.get(minute_key(x), {}).items():
                sums[k] += n
        busy = {k for inc in incidents.values() for k in inc.keys
                if inc.status == "open" or (inc.closed_at and inc.closed_at > start)}
        for k in set(sums) | set(baseline.rates):
            if k in busy:
                continue
            obs = sums.get(k, 0) / 60
            w = baseline.weeks.get(k, 0.0)
            old = baseline.rates.get(k, 0.0)
            learned = (old * w + obs) / (w + 1) if w < cfg.learn_weeks else old + (obs - old) / cfg.learn_weeks
            baseline.rates[k] = learned
            baseline.weeks[k] = w + 1
        self.radar.save_baseline(how, baseline)

    # --- alerts --------------------------------------------------------------------------------------------
    def _flush(self, incident_ids: list[str], result: RunResult) -> None:
        """Send the outbox's alerts, each once, as the reporter sends its mail (reporting/service.py): claim it
        (a conditional write: `sending` with the time; a second run finds it taken), publish, mark it sent. A run
        that dies before the claim leaves it pending: the next run sends it. An alert the topic refused
        (AlertNotSent) is pending again. A claim older than the lease (the run died between the claim and the
        mark: SNS may have taken it, and standard topics have no dedup) becomes `in_doubt:<event>`: never sent
        blind, counted (the OutageAlertsInDoubt metric) - the desk's banner shows the incident either way."""
        now = self.clock()
        for inc_id in incident_ids:
            inc = self.radar.incident(inc_id)
            for entry in list(inc.alerts) if inc else []:
                event, claimed_at = _unsent(entry) or ("", None)
                if not event or (claimed_at is not None and now - claimed_at < ALERT_LEASE):
                    continue
                if claimed_at is not None:
                    if self._set_alert(inc_id, entry, f"in_doubt:{event}"):
                        result.alerts_in_doubt += 1
                    continue
                claim = f"sending:{int(now.timestamp())}:{event}"
                fresh = self._set_alert(inc_id, entry, claim)
                if fresh is None:
                    continue  # another run claimed or sent it
                subject, message = alert_text(fresh, event, self.places)
                try:
                    self.alerts.publish(subject, message, f"{inc_id}:{event}")
                except AlertNotSent:
                    self._set_alert(inc_id, claim, f"pending:{event}")
                    raise
                self._set_alert(inc_id, claim, event)
                result.alerts += 1

    def _set_alert(self, incident_id: str, entry: str, to: str) -> Incident | None:
        """Replace the alert entry `entry` by `to` in the stored incident, over its revision; None when `entry` is
        no longer there (another run took it)."""
        for _ in range(5):
            inc = self.radar.incident(incident_id)
            if inc is None or entry not in inc.alerts:
                return None
            inc.alerts[inc.alerts.index(entry)] = to
            if self.radar.put_incident(inc):
                return inc
        raise Conflict(f"incident {incident_id} kept changing under the detector", code="retry")

    def _write(self, inc: Incident) -> Incident:
        """Store the detector's fields of `inc`: over a desk's write in between (a confirmation, a status post),
        onto the fresh copy."""
        for _ in range(5):
            if self.radar.put_incident(inc):
                return inc
            fresh = self.radar.incident(inc.id)
            if fresh is None:
                break
            inc = fresh.model_copy(update={f: getattr(inc, f) for f in Incident.DETECTOR_FIELDS})
        raise Conflict(f"incident {inc.id} kept changing under the detector", code="retry")


def _unsent(entry: str) -> tuple[str, datetime | None] | None:
    """An outbox entry of `Incident.alerts`: ("<event>", None) for "pending:<event>", ("<event>", claimed at) for
    "sending:<epoch>:<event>"; None for a sent one ("<event>")."""
    if entry.startswith("pending:"):
        return entry.removeprefix("pending:"), None
    if entry.startswith("sending:"):
        _, at, event = entry.split(":", 2)
        return event, datetime.fromtimestamp(int(at), UTC)
    return None


def _span(first: datetime, last: datetime) -> list[datetime]:
    out, x = [], first
    while x <= last:
        out.append(x)
        x += MINUTE
    return out


def describe(inc: Incident, places: Gazetteer | None = None) -> IncidentView:
    """The incident as the desk's banner and the alert show it: names, counts per minute, masked samples."""
    g = places or gazetteer()
    return IncidentView(
        id=inc.id, status=inc.status, topics=inc.topics, places=[g.name(p) for p in inc.places],
        place_keys=inc.places, onset=inc.onset, detected_at=inc.detected_at, closed_at=inc.closed_at,
        peak=inc.peak, peak_at=inc.peak_at,
        per_minute=[MinuteView(minute=c.minute, authors=c.authors) for c in inc.counts[-30:]],
        samples=[s.text for s in inc.samples], signals=inc.signals, confirmed_by=inc.confirmed_by,
        declared_by=inc.declared_by, account=inc.account, status_posts=inc.status_posts,
        answers=AnswerCounts(replied=sum(a.action == "replied" for a in inc.answers),
                             covered=sum(a.action == "covered" for a in inc.answers)))


def alert_text(inc: Incident, event: str, places: Gazetteer | None = None) -> tuple[str, str]:
    g = places or gazetteer()
    where = "・".join(g.name(p) for p in inc.places) or "全国"
    what = {"opened": "outage suspected", "closed": "outage over"}.get(event.split(":")[0], "outage grown")
    area = ",".join(p for p in inc.places if g.places[p].kind == "prefecture") or "nationwide"
    # SNS subjects are ASCII, under 100 characters
    subject = f"[activecare] {what}: {','.join(inc.topics) or '*'} {area} (peak {inc.peak}/min)"[:99]
    per_minute = ", ".join(f"{to_jst(c.minute):%H:%M} {c.authors}" for c in inc.counts[-10:])
    lines = [
        f"event: {event}", f"incident: {inc.id}", f"topics: {', '.join(inc.topics) or '-'}", f"places: {where}",
        f"onset: {to_jst(inc.onset):%Y-%m-%d %H:%M} JST", f"detected: {to_jst(inc.detected_at):%H:%M} JST",
        f"unique complaining authors per minute: {per_minute}", "samples (masked):",
        *(f"  - {s.text}" for s in inc.samples),
    ]
    if inc.closed_at:
        lines.insert(6, f"closed: {to_jst(inc.closed_at):%H:%M} JST")
    return subject, "\n".join(lines)


# --- crisis mode (the desk) --------------------------------------------------------------------------------

def load_templates(path: Path = TEMPLATES_FILE) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("first", "update", "closed", "group_reply"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"{path.name}: missing template {key!r}")
    return data


class CrisisDesk:
    """What supervisors and agents do with an incident. Roles are checked here (the API's token groups)."""

    def __init__(self, *, radar: RadarStore, poster: StatusPoster, clock: Clock,
                 templates: dict[str, str] | None = None, places: Gazetteer | None = None,
                 topic_names: Callable[[str], str] | None = None, posts: AccountPosts | None = None) -> None:
        self.radar, self.poster, self.clock = radar, poster, clock
        self.posts = posts
        self.templates = templates or load_templates()
        self.places = places or gazetteer()
        self.topic_names = topic_names or (lambda t: TOPIC_LABELS.get(t, t))

    def incidents(self) -> IncidentList:
        """The latest incidents, newest first."""
        state = self.radar.load_state()
        found = [self.radar.incident(i) for i in reversed(state.incidents)]
        return IncidentList(items=[describe(i, self.places) for i in found if i])

    def get(self, incident_id: str) -> Incident:
        inc = self.radar.incident(incident_id)
        if inc is None:
            raise NotFound(f"インシデント {incident_id} はありません", code="incident_not_found")
        return inc

    def confirm(self, incident_id: str, *, user: str, groups: list[str]) -> Incident:
        """A supervisor confirms an alert: the first status post goes out on the owning account (once)."""
        _supervisor(groups)
        inc = self.get(incident_id)
        if inc.status != "open":
            raise Conflict("収束したインシデントは確認できません", code="incident_closed")

        def mark(i: Incident) -> bool:
            if i.confirmed_by is not None:
                return False
            i.confirmed_by, i.confirmed_at = user, self.clock()
            return True

        inc = self._update(incident_id, mark)
        self._post_due(inc)
        return self.get(incident_id)

    def declare(self, *, user: str, groups: list[str], topic: str, places: list[str]) -> Incident:
        """A supervisor declares an incident the radar has not seen (e.g. the network team's notice)."""
        _supervisor(groups)
        unknown = [p for p in places if p not in self.places.places]
        if unknown or not re.fullmatch(r"[a-z_]{1,30}", topic):
            raise Refused(f"不明な場所またはトピック: {', '.join(unknown) or topic}", code="bad_incident")
        now = self.clock()
        inc = Incident(id=f"{minute_key(now)}-declared-{topic}", onset=floor_minute(now), detected_at=now,
                       keys=[f"t:{topic}", *(f"p:{p}" for p in places)], declared_by=user,
                       account=TOPIC_ACCOUNT.get(topic, "general"), confirmed_by=user, confirmed_at=now)
        if self.radar.create_incident(inc):
            state = self.radar.load_state()
            new = state.model_copy(update={"open": [*state.open, inc.id],
                                           "incidents": [*state.incidents, inc.id][-KEEP_INCIDENTS:],
                                           "version": state.version + 1})
            if not self.radar.save_state(new, state.version):
                raise Conflict("検知処理と重なりました。もう一度お試しください", code="retry")
        inc = self.get(inc.id)
        self._post_due(inc)
        return inc

    def tick(self) -> int:
        """The scheduled run's part: an update for each confirmed open incident whose interval is up, and the
        closing post of a confirmed incident that closed. Returns the posts made."""
        state = self.radar.load_state()
        posted = 0
        for inc_id in state.incidents[-10:]:
            inc = self.radar.incident(inc_id)
            if inc and inc.confirmed_by:
                posted += self._post_due(inc)
        return posted

    def _post_due(self, inc: Incident) -> int:
        """Post what is due: the first post, an update after the interval, the closing post. Each text is new
        (a numbered report with the time: X refuses an identical text). The post is recorded before it is
        sent as `pending`; a crash leaves a pending entry the next tick does not repeat blindly."""
        now = self.clock()
        kinds = [p.kind for p in inc.status_posts]
        if "closed" in kinds:
            return 0
        if not kinds:
            kind = "first"
        elif inc.status == "closed":
            kind = "closed"
        elif (due := inc.next_update_due()) and now >= due:
            kind = "update"
        else:
            return 0
        if any(p.tweet_id == "pending" for p in inc.status_posts):
            return 0  # an earlier attempt's outcome is unknown: ops check the account's timeline
        text = self.status_text(inc, kind, len(kinds) + 1, now)
        inc.status_posts.append(StatusPost(at=now, tweet_id="pending", text=text, kind=kind))
        if not self.radar.put_incident(inc):
            return 0  # someone wrote it in between (another click, the detector): the next tick looks again
        tweet_id = self.poster.post(inc.account, text)

        def record(i: Incident) -> bool:
            for p in i.status_posts:
                if p.tweet_id == "pending" and p.text == text:
                    p.tweet_id = tweet_id
                    return True
            return False

        self._update(inc.id, record)
        return 1

    def _update(self, incident_id: str, change: Callable[[Incident], bool]) -> Incident:
        """Apply `change` to the stored incident and write it over its revision (again on a fresh copy when
        another writer came in between); `change` returns False when there is nothing to do."""
        for _ in range(5):
            inc = self.get(incident_id)
            if not change(inc) or self.radar.put_incident(inc):
                return inc
        raise Conflict("インシデントが更新中です。もう一度お試しください", code="retry")

    def status_text(self, inc: Incident, kind: str, number: int, now: datetime) -> str:
        """A template filled in: the prefectures (three at most, else 全国各地), the topics (two at most), kept
        within X's 280 weighted characters."""
        prefectures = [p for p in inc.places if self.places.places[p].kind == "prefecture"] or inc.places
        names = [self.places.name(p) for p in prefectures]
        where = ("・".join(names) if len(names) <= 3 else "全国各地") if names else "一部地域"
        labels = list(dict.fromkeys(self.topic_names(t) for t in inc.topics))
        what = "・".join(labels[:2]) if labels else "通信サービス"
        fields = {"n": number, "time": f"{to_jst(now):%H:%M}", "topics": what, "onset": f"{to_jst(inc.onset):%H:%M}"}
        text = self.templates[kind].format(places=where, **fields)
        if weighted_length(text) > MAX_WEIGHTED_LENGTH:
            text = self.templates[kind].format(places="一部地域", **fields)
        return text

    def record_answer(self, incident_id: str, *, inquiry_id: str, action: str, how: str, user: str,
                      groups: list[str]) -> Incident:
        """An agent answered (or covered) one grouped inquiry: counted once per inquiry for the report."""
        if not groups:
            raise Forbidden("権限がありません")
        answer = GroupAnswer.model_validate({"inquiry_id": inquiry_id, "action": action, "by": user,
                                             "at": self.clock(), "how": how})

        def add(i: Incident) -> bool:
            if any(a.inquiry_id == inquiry_id for a in i.answers):
                return False
            i.answers.append(answer)
            return True

        return self._update(incident_id, add)

    def group_reply(self, inc: Incident, author_username: str = "") -> str:
        """The prepared answer for a grouped inquiry. Addressed to the customer by name and timed, so no two of
        the group's replies are the same text (X refuses identical posts)."""
        text = self.status_text(inc, "group_reply", len(inc.answers) + 1, self.clock())
        return f"{author_username}さま、{text}" if author_username else text

    def check_rate(self, inc: Incident, now: datetime | None = None, limit: int = POSTS_PER_15_MIN, *,
                   account: str | None = None) -> None:
        """X's 100 posts per 15 minutes per account, before a grouped reply from `account` (the inquiry's; default
        the incident's): every post the account made in the last 15 minutes (the shared post window: the desk's
        replies, scheduled posts, campaign posts, status posts), and never fewer than the incident's own API
        replies and status posts on it. A 429 in the one error model when the window is full."""
        now = now or self.clock()
        account = account or inc.account
        own = [a.at for a in inc.answers if a.how == "api"] + [p.at for p in inc.status_posts]
        if account != inc.account:
            own = []
        recent = sum(1 for t in own if now - t < timedelta(minutes=15))
        if self.posts is not None:
            recent = max(recent, self.posts.count(account, now))
        if recent >= limit:
            raise AppError("X allows 100 posts per 15 minutes per account: wait a few minutes, or answer by "
                           "marking the inquiry covered by the status post", code="post_window_full", status=429,
                           account=account, posts_in_window=recent)

    def in_group(self, inc: Incident, topic: str, text: str, created_at: datetime) -> bool:
        """An inquiry the incident groups: its topic and places match and it came after the onset."""
        return created_at >= inc.onset - 5 * MINUTE and inc.matches(topic, self.places.find(text))


TOPIC_LABELS = {"signal": "電波・通信", "mobile_data": "電波・通信", "outage": "電波・通信", "wifi": "Wi-Fi",
                "home_internet": "光回線・Wi-Fi", "billing": "料金", "app_web": "アプリ・Web", "mail": "メール",
                "sim_esim": "SIM・eSIM", "devices": "端末"}


def _supervisor(groups: list[str]) -> None:
    if not supervises(groups):
        raise Forbidden("インシデントの確認・宣言はスーパーバイザーのみです", code="supervisors_only")

