"""A seeded generator of the Japanese tweets one simulated support day sees.

``generate_day`` returns X API v2 user and tweet objects plus a ground truth per tweet
(relevant to the desk or not, topic, sentiment, kind, personal data), so the listener,
the worker and the reports can be measured against it. Same seed, window and options:
same day, byte for byte.

Kinds (``Truth.kind``):

- ``trouble``: a customer with a problem (or a plain question) on one topic — relevant.
- ``praise``: a customer thanking the carrier or its staff — relevant.
- ``mention``: a tweet that @-mentions a support account — relevant.
- ``news`` / ``bot``: news outlets and auto-posting bots that use trouble keywords.
- ``noise_keyword``: people using a keyword outside the carrier context (恋愛で「圏外」...).
- ``retweet``: ``RT @user: ...`` of an earlier tweet (excluded by ``-is:retweet``).
- ``reply``: replies in threads (friends answering, the author continuing the thread).
- ``chatter``: everyday tweets without keywords (also the customers' tweets before and
  after their trouble, which the worker collects as context).

``Truth.topic`` is set when the text is about a customer's carrier issue (trouble, praise,
mention, the author's own thread replies and retweets of those), else ``None``.
"""

from __future__ import annotations

import gc
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from activecare.accounts import DEFAULT_ACCOUNTS, SupportAccount
from activecare.clock import JST, iso_z
from activecare.twitter.snowflake import snowflake
from infra.seed import phrases as ph
from infra.seed.people import BOT_ACCOUNTS, NEWS_ACCOUNTS, UserFactory
from infra.seed.pii_samples import KIND_WEIGHTS, pii_clause

Sentiment = Literal["complaint", "praise", "neutral"]
KINDS = ("trouble", "praise", "mention", "news", "bot", "retweet", "reply", "chatter", "noise_keyword")
RELEVANT_KINDS = frozenset({"trouble", "praise", "mention"})

DEFAULT_TOPIC_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("signal", 0.22), ("wifi", 0.15), ("billing", 0.13), ("devices", 0.14), ("contracts", 0.09),
    ("shops", 0.08), ("app_web", 0.07), ("sim_esim", 0.07), ("mail", 0.05),
)
# Relative tweet volume by JST hour (0..23): quiet at night, peaks at lunch and in the evening.
HOURLY_ACTIVITY: tuple[float, ...] = (
    5.0, 3.5, 2.0, 1.2, 0.8, 1.0, 2.0, 4.0, 5.0, 4.5, 4.5, 5.0,
    7.5, 6.0, 4.5, 4.5, 5.0, 5.5, 6.5, 7.0, 7.5, 8.0, 8.0, 7.0,
)
MAX_LEN = 140


@dataclass(frozen=True)
class Truth:
    """What a tweet really is, for measuring the pipeline."""

    relevant: bool
    topic: str | None
    sentiment: Sentiment
    kind: str
    has_pii: bool = False
    pii_kinds: tuple[str, ...] = ()
    account: str | None = None  # key of the support account a mention addresses
    pii_values: tuple[str, ...] = ()  # the personal data planted in the text, exactly as written


@dataclass(frozen=True)
class SeedMix:
    """Share of each kind in the day (chatter takes the rest) and finer knobs.

    The defaults model a day of ~50,000 tweets of which a few hundred need the desk
    (~300 found by keywords, ~200 direct mentions, some praise)."""

    trouble: float = 0.006
    praise: float = 0.0015
    mention: float = 0.004
    news: float = 0.03
    bot: float = 0.04
    noise_keyword: float = 0.2
    retweet: float = 0.08
    reply: float = 0.06
    question_rate: float = 0.15  # trouble tweets that are neutral questions
    mention_question_rate: float = 0.3
    mention_praise_rate: float = 0.15
    pii_rate_trouble: float = 0.08
    pii_rate_mention: float = 0.2
    context_rate: float = 0.6  # customers who also tweet before/after their trouble
    repeat_rate: float = 0.05  # trouble tweets that are a customer's second trouble
    solved_rate: float = 0.2  # praise from a customer whose trouble was solved that day
    topic_weights: tuple[tuple[str, float], ...] = DEFAULT_TOPIC_WEIGHTS


DEFAULT_MIX = SeedMix()


@dataclass
class SeedDay:
    """Users, tweets (sorted by time) and the ground truth keyed by tweet id.

    ``users`` starts with the support accounts themselves (their configured ids, listed
    in ``support_user_ids``), then news outlets, bots and people. A retweet's truth copies
    its original's topic and sentiment but is never relevant."""

    seed: int
    start: datetime
    end: datetime
    users: list[dict]
    tweets: list[dict]
    truth: dict[str, Truth]
    support_user_ids: tuple[str, ...] = ()
    _users_by_id: dict[str, dict] = field(default_factory=dict, init=False, repr=False, compare=False)

    def user(self, user_id: str) -> dict:
        if not self._users_by_id:
            self._users_by_id = {u["id"]: u for u in self.users}
        return self._users_by_id[user_id]

    def relevant_ids(self) -> list[str]:
        return [t["id"] for t in self.tweets if self.truth[t["id"]].relevant]

    def kind_counts(self) -> Counter[str]:
        return Counter(t.kind for t in self.truth.values())


@dataclass(slots=True)
class _Draft:
    t: int  # epoch milliseconds
    text: str
    author: int  # index into users
    truth: Truth
    parent: int | None = None  # draft replied to
    retweet_of: int | None = None


class _Sampler:
    """Draws times in [start, end) following ``HOURLY_ACTIVITY``."""

    def __init__(self, rng: random.Random, start_ms: int, end_ms: int) -> None:
        self.rng, self.start, self.end = rng, start_ms, end_ms
        minutes = max(1, math.ceil((end_ms - start_ms) / 60_000))
        cum, total = [], 0.0
        for m in range(minutes):
            at = datetime.fromtimestamp((start_ms + m * 60_000) / 1000, UTC).astimezone(JST)
            h = at.hour + at.minute / 60 - 0.5
            lo = math.floor(h)
            frac = h - lo
            total += HOURLY_ACTIVITY[lo % 24] * (1 - frac) + HOURLY_ACTIVITY[(lo + 1) % 24] * frac
            cum.append(total)
        self.cum, self.total, self.minutes = cum, total, range(minutes)

    def times(self, k: int) -> list[int]:
        rng = self.rng
        picks = rng.choices(self.minutes, cum_weights=self.cum, k=k)
        return [min(self.start + m * 60_000 + rng.randrange(60_000), self.end - 1) for m in picks]

    def one(self) -> int:
        return self.times(1)[0]

    def uniform_minute(self) -> int:
        """A whole minute, as schedulers post."""
        m = self.rng.randrange(len(self.minutes))
        return min(self.start + m * 60_000, self.end - 1)

    def after(self, t: int, mean_ms: float, min_ms: int = 20_000) -> int:
        """A time after ``t`` (exponential delay), kept inside the window."""
        later = t + min_ms + int(self.rng.expovariate(1 / mean_ms))
        if later >= self.end:
            later = t + int(self.rng.random() * max(0, self.end - 1 - t))
        return max(t, min(later, self.end - 1))

    def near(self, t: int, lo_ms: int, hi_ms: int, before: bool) -> int | None:
        delta = self.rng.randrange(lo_ms, hi_ms)
        at = t - delta if before else t + delta
        return at if self.start <= at < self.end else None


def _counts(total: int, mix: SeedMix) -> dict[str, int]:
    shares = {k: getattr(mix, k) for k in KINDS if k != "chatter"}
    counts = {k: round(v * total) for k, v in shares.items()}
    over = sum(counts.values()) - total
    if over > 0:
        scale = total / sum(counts.values())
        counts = {k: int(v * scale) for k, v in counts.items()}
    counts["chatter"] = total - sum(counts.values())
    return counts


def _join(*parts: str) -> str:
    return "".join(p for p in parts if p)


def _fit(required: str, optional: Sequence[str], limit: int = MAX_LEN) -> str:
    """``required`` followed by those ``optional`` parts that still fit."""
    text = required
    for part in optional:
        if part and len(text) + len(part) <= limit:
            text += part
    return text


class _Writer:
    """Composes tweet texts with their ground truth."""

    def __init__(self, rng: random.Random, mix: SeedMix, accounts: Sequence[SupportAccount]) -> None:
        self.rng, self.mix = rng, mix
        self.topics = [t for t, _ in mix.topic_weights]
        self.topic_cum = list(_accumulate(w for _, w in mix.topic_weights))
        self.accounts = {a.key: a for a in accounts}
        self.first = accounts[0]
        self.pii_kinds = list(KIND_WEIGHTS)
        self.pii_cum = list(_accumulate(KIND_WEIGHTS.values()))

    def topic(self) -> str:
        return self.rng.choices(self.topics, cum_weights=self.topic_cum)[0]

    def _pii(self, rate: float, topic: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """Maybe a clause with personal data (card numbers only in billing tweets), its kinds and values."""
        rng = self.rng
        if rng.random() >= rate:
            return "", (), ()
        n = 2 if rng.random() < 0.15 else 1
        picked = rng.choices(self.pii_kinds, cum_weights=self.pii_cum, k=n)
        kinds = sorted({k for k in picked if k != "credit_card" or topic == "billing"} or {"phone"})
        parts, values = [], []
        for k in kinds:
            joint = rng.choice(("。", "。", " "))
            sentence, value = pii_clause(k, rng)
            parts.append(joint + sentence)
            values.append(value)
        return "".join(parts), tuple(kinds), tuple(values)

    def trouble(self, topic: str, prefix: str = "") -> tuple[str, Truth]:
        rng, fill = self.rng, ph.fill
        question = not prefix and rng.random() < self.mix.question_rate
        pii, kinds, values = self._pii(self.mix.pii_rate_trouble, topic)
        if question:
            core, sentiment = rng.choice(ph.QUESTIONS[topic])
            text = _fit(prefix + fill(core, rng) + pii, (rng.choice(ph.NEUTRAL_ENDINGS),))
        else:
            core, sentiment = rng.choice(ph.TROUBLE[topic])
            opener = "" if prefix else rng.choice(ph.COMPLAINT_OPENERS)
            body = _join(prefix, opener, fill(core, rng))
            ending = rng.choice(ph.COMPLAINT_ENDINGS)
            if ending and ending[0] not in "。…？w草ｗ" and rng.random() < 0.5:
                ending = rng.choice(("。", "、", " ")) + ending
            text = _fit(body + pii, (ending, rng.choice(ph.COMPLAINT_MARKS)))
        return text, Truth(True, topic, sentiment, "trouble", bool(kinds), kinds,
                           pii_values=tuple(v for v in values if v in text))

    def praise(self, topic: str, prefix: str = "") -> tuple[str, Truth]:
        rng = self.rng
        core, sentiment = rng.choice(ph.PRAISE[topic])
        opener = "" if prefix else rng.choice(ph.PRAISE_OPENERS)
        body = _join(prefix, opener, ph.fill(core, rng))
        ending = rng.choice(ph.PRAISE_ENDINGS)
        if ending and (ending[:4] in body or ("ありがと" in body and "ありがと" in ending)):
            ending = ""
        text = _fit(body, ("、" + ending if ending else "", rng.choice(ph.PRAISE_MARKS)))
        return text, Truth(True, topic, sentiment, "praise")

    def account_for(self, topic: str) -> SupportAccount:
        key = topic if topic in ("signal", "wifi") and self.rng.random() < 0.7 else "general"
        return self.accounts.get(key) or self.accounts.get("general") or self.first

    def mention(self, topic: str) -> tuple[str, Truth]:
        rng, mix, fill = self.rng, self.mix, ph.fill
        account = self.account_for(topic)
        handle = "@" + account.username
        if rng.random() < 0.05:  # a few address the general and the topic account at once
            other = self.accounts.get("general") if account.key != "general" else self.accounts.get(topic)
            if other is not None and other is not account:
                handle += " @" + other.username
        roll = rng.random()
        pii, kinds, values = "", (), ()
        if roll < mix.mention_praise_rate:
            core, sentiment = rng.choice(ph.PRAISE[topic])
            body, closing = fill(core, rng), rng.choice(ph.MENTION_CLOSINGS_PRAISE)
        elif roll < mix.mention_praise_rate + mix.mention_question_rate:
            core, sentiment = rng.choice(ph.QUESTIONS[topic])
            body, closing = fill(core, rng), rng.choice(ph.MENTION_CLOSINGS_NEUTRAL)
        else:
            core, sentiment = rng.choice(ph.TROUBLE[topic])
            body, closing = fill(core, rng), rng.choice(ph.MENTION_CLOSINGS_COMPLAINT)
            pii, kinds, values = self._pii(mix.pii_rate_mention, topic)
        opener = rng.choice(ph.MENTION_OPENERS)
        if closing and closing[0] not in "。？":
            closing = "。" + closing
        if rng.random() < 0.2:  # mention at the end
            text = _fit(opener + body + pii, (closing,), MAX_LEN - len(handle) - 1) + " " + handle
        else:
            text = _fit(handle + " " + opener + body + pii, (closing,))
        return text, Truth(True, topic, sentiment, "mention", bool(kinds), kinds, account.key,
                           pii_values=tuple(v for v in values if v in text))

    def pick(
        self, pool: Sequence[tuple[str, Sentiment]], kind: str, topic: str | None = None
    ) -> tuple[str, Truth]:
        text, sentiment = self.rng.choice(pool)
        return ph.fill(text, self.rng), Truth(False, topic, sentiment, kind)

    def chatter(self, pool: Sequence[tuple[str, Sentiment]] = ph.CHATTER) -> tuple[str, Truth]:
        text, truth = self.pick(pool, "chatter")
        if self.rng.random() < 0.15:
            text += self.rng.choice(("", "w", "〜", "！", "😂", "🥱", "✌️"))
        return text, truth


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def _ms(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    delta = at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta // timedelta(milliseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_PREFIX: dict[int, str] = {}


def _iso(ms: int) -> str:
    """``iso_z`` of an epoch-millisecond time, without building a datetime (fast path)."""
    day, rest = divmod(ms, 86_400_000)
    prefix = _DATE_PREFIX.get(day)
    if prefix is None:
        prefix = _DATE_PREFIX[day] = iso_z(_EPOCH + timedelta(days=day))[:11]
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


# X caps usernames at 15 characters; configured support accounts may be longer, so
# match any run and keep only known users.
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]+)")
_HASHTAG = re.compile(r"(?<![\w&])[#＃](\w+)")


def generate_day(
    seed: int,
    start: datetime,
    end: datetime,
    total: int,
    *,
    accounts: Sequence[SupportAccount] = DEFAULT_ACCOUNTS,
    mix: SeedMix = DEFAULT_MIX,
) -> SeedDay:
    """Generate ``total`` tweets between ``start`` (inclusive) and ``end`` (exclusive)."""
    was_enabled = gc.isenabled()
    gc.disable()  # ~100k small dicts: the cycle collector would only slow us down
    try:
        return _generate(seed, start, end, total, accounts, mix)
    finally:
        if was_enabled:
            gc.enable()


def _generate(
    seed: int, start: datetime, end: datetime, total: int, accounts: Sequence[SupportAccount], mix: SeedMix
) -> SeedDay:
    start_ms, end_ms = _ms(start), _ms(end)
    if end_ms <= start_ms:
        raise ValueError("end must be after start")
    if total < 0:
        raise ValueError("total must be >= 0")
    day = _DayBuilder(seed, start, end_ms, total, accounts, mix)
    day.customers_with_trouble()
    day.background()
    day.context_and_chatter()
    day.threads()
    day.retweets()
    return _assemble(seed, start, end, day.users, day.drafts, day.support_ids)


class _DayBuilder:
    """Writes the drafts of one day, kind by kind (parents before their replies)."""

    def __init__(self, seed: int, start: datetime, end_ms: int, total: int,
                 accounts: Sequence[SupportAccount], mix: SeedMix) -> None:
        self.rng = rng = random.Random(f"activecare-seed:{seed}")
        self.end_ms, self.mix = end_ms, mix
        self.when = _Sampler(rng, _ms(start), end_ms)
        self.writer = _Writer(rng, mix, accounts)
        self.counts = _counts(total, mix)
        self.drafts: list[_Draft] = []
        self.troubles: list[int] = []
        self.mentions: list[int] = []
        self.news: list[int] = []
        self.bots: list[int] = []
        self.noise: list[int] = []
        self.chats: list[int] = []

        factory = UserFactory(rng, start, [a.user_id for a in accounts])
        self.support_ids = tuple(factory.add_support(a)["id"] for a in accounts)
        self.news_users = [len(factory.users) + i for i in range(len(NEWS_ACCOUNTS))]
        for persona in NEWS_ACCOUNTS:
            factory.add_persona(persona)
        self.bot_users = {p.username: len(factory.users) + i for i, p in enumerate(BOT_ACCOUNTS)}
        for persona in BOT_ACCOUNTS:
            factory.add_persona(persona)
        first_person = len(factory.users)
        for _ in range(max(30, total // 4)):
            factory.add_person()
        self.users = factory.users
        self.people = range(first_person, len(self.users))
        # A few people tweet a lot, most a little.
        self.chatty = list(self.people)
        rng.shuffle(self.chatty)
        self.chatty_cum = list(_accumulate(1 / (i + 1) ** 0.8 for i in range(len(self.chatty))))
        self._customers = iter(rng.sample(list(self.people), len(self.people)))

    def anyone(self, k: int = 1) -> list[int]:
        return self.rng.choices(self.chatty, cum_weights=self.chatty_cum, k=k)

    def someone_else(self, author: int) -> int:
        other = self.anyone()[0]
        return other if other != author else self.people[(other - self.people[0] + 1) % len(self.people)]

    def customer(self) -> int:
        """A person who has not been a customer yet today (while there are any)."""
        fresh = next(self._customers, None)
        return self.rng.choice(self.people) if fresh is None else fresh

    def add(self, t: int, text: str, author: int, truth: Truth, **refs: int | None) -> int:
        self.drafts.append(_Draft(t, text, author, truth, **refs))
        return len(self.drafts) - 1

    def customers_with_trouble(self) -> None:
        """Troubles (some customers twice), mentions, and praise (some after a solved trouble)."""
        rng, writer, when, drafts, counts = self.rng, self.writer, self.when, self.drafts, self.counts
        n_repeat = round(counts["trouble"] * self.mix.repeat_rate)
        for t in when.times(counts["trouble"] - n_repeat):
            text, truth = writer.trouble(writer.topic())
            self.troubles.append(self.add(t, text, self.customer(), truth))
        for first in rng.sample(self.troubles, min(n_repeat, len(self.troubles))):
            d = drafts[first]
            if d.t + 30 * 60_000 < self.end_ms:
                text, truth = writer.trouble(d.truth.topic or writer.topic(), rng.choice(ph.REPEAT_PREFIXES))
                t, author = rng.randrange(d.t + 30 * 60_000, self.end_ms), d.author
            else:
                text, truth = writer.trouble(writer.topic())
                t, author = when.one(), self.customer()
            self.troubles.append(self.add(t, text, author, truth))

        for t in when.times(counts["mention"]):
            text, truth = writer.mention(writer.topic())
            self.mentions.append(self.add(t, text, self.customer(), truth))

        solvable = [
            i for i in self.troubles
            if drafts[i].t + 20 * 60_000 < self.end_ms and drafts[i].truth.sentiment == "complaint"
        ]
        solved = rng.sample(solvable, min(round(counts["praise"] * self.mix.solved_rate), len(solvable)))
        for i in solved:
            d = drafts[i]
            text, truth = writer.praise(d.truth.topic or writer.topic(), rng.choice(ph.SOLVED_PREFIXES))
            self.add(rng.randrange(d.t + 20 * 60_000, self.end_ms), text, d.author, truth)
        for t in when.times(counts["praise"] - len(solved)):
            text, truth = writer.praise(writer.topic())
            self.add(t, text, self.customer(), truth)

    def background(self) -> None:
        """News, bots and people using trouble keywords about something else."""
        rng, writer, when, counts = self.rng, self.writer, self.when, self.counts
        for t in when.times(counts["news"]):
            text, truth = writer.pick(ph.NEWS, "news")
            self.news.append(self.add(t, text, rng.choice(self.news_users), truth))
        bot_names = list(ph.BOT)
        for _ in range(counts["bot"]):
            name = rng.choice(bot_names)
            text, truth = writer.pick(ph.BOT[name], "bot")
            self.bots.append(self.add(when.uniform_minute(), text, self.bot_users[name], truth))
        n = counts["noise_keyword"]
        for t, author in zip(when.times(n), self.anyone(n), strict=True):
            text, truth = writer.pick(ph.NOISE, "noise_keyword")
            self.noise.append(self.add(t, text, author, truth))

    def context_and_chatter(self) -> None:
        """The customers' everyday tweets before and after their trouble, then everyone's chatter."""
        rng, writer, when, drafts = self.rng, self.writer, self.when, self.drafts
        left = self.counts["chatter"]
        for i in [*self.troubles, *self.mentions]:
            if left <= 0:
                break
            if rng.random() >= self.mix.context_rate:
                continue
            d = drafts[i]
            for before in (True, False, rng.random() < 0.5):
                at = when.near(d.t, 5 * 60_000, 3 * 3_600_000, before)
                if at is None or left <= 0:
                    continue
                pool = ph.CONTEXT_BEFORE if before else ph.CONTEXT_AFTER
                text, truth = writer.chatter(pool if rng.random() < 0.6 else ph.CHATTER)
                self.add(at, text, d.author, truth)
                left -= 1
        for t, author in zip(when.times(left), self.anyone(left), strict=True):
            text, truth = writer.chatter()
            self.chats.append(self.add(t, text, author, truth))

    def _filler(self) -> None:
        """Chatter instead of a reply or retweet when a tiny day has nothing to refer to."""
        text, truth = self.writer.chatter()
        self.add(self.when.one(), text, self.anyone()[0], truth)

    def threads(self) -> None:
        """Customers continuing their own thread, friends answering, chat replies."""
        rng, writer, when, drafts = self.rng, self.writer, self.when, self.drafts
        replies: list[int] = []
        n_reply = self.counts["reply"]
        n_self = min(round(n_reply * 0.25), round(len(self.troubles) * 0.35))
        for i in rng.sample(self.troubles, n_self):
            d = drafts[i]
            text, truth = writer.pick(ph.SELF_CONTINUATIONS, "reply", d.truth.topic)
            replies.append(self.add(when.after(d.t, 10 * 60_000), text, d.author, truth, parent=i))
        for _ in range(n_reply - n_self):
            roll = rng.random()
            if roll < 0.3 and self.troubles:
                parent, pool = rng.choice(self.troubles), ph.FRIEND_REPLIES
            elif roll < 0.45 and replies:
                parent, pool = rng.choice(replies), ph.CHATTER_REPLIES
            elif self.chats:
                parent, pool = rng.choice(self.chats), ph.CHATTER_REPLIES
            else:
                self._filler()
                continue
            p = drafts[parent]
            text, truth = writer.pick(pool, "reply")
            at = when.after(p.t, 15 * 60_000)
            replies.append(self.add(at, text, self.someone_else(p.author), truth, parent=parent))

    def retweets(self) -> None:
        """Retweets of news, noise, bots, chat and (PII-free) troubles."""
        rng, drafts = self.rng, self.drafts
        sources = [
            (0.35, self.news), (0.3, self.noise), (0.1, self.bots), (0.15, self.chats),
            (0.1, [i for i in self.troubles if not drafts[i].truth.has_pii]),
        ]
        pools = [s for _, s in sources if s]
        weights = [w for w, s in sources if s]
        for _ in range(self.counts["retweet"]):
            if not pools:
                self._filler()
                continue
            original = rng.choice(rng.choices(pools, weights=weights)[0])
            o = drafts[original]
            truth = Truth(False, o.truth.topic, o.truth.sentiment, "retweet")
            at = self.when.after(o.t, 60 * 60_000)
            self.add(at, "", self.someone_else(o.author), truth, retweet_of=original)


def _assemble(seed: int, start: datetime, end: datetime, users: list[dict], drafts: list[_Draft],
              support_ids: tuple[str, ...]) -> SeedDay:
    """Order drafts by time, give them snowflake ids and render v2 tweet objects."""
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].t, i))
    ids: list[str] = [""] * len(drafts)
    stamps: list[str] = [""] * len(drafts)
    last_ms, seq = -1, 0
    for i in order:
        t = drafts[i].t
        seq = seq + 1 if t == last_ms else 0
        last_ms = t
        # +0.5 ms keeps float rounding inside snowflake() on the right millisecond.
        ids[i] = snowflake(_EPOCH + timedelta(milliseconds=t, microseconds=500), seq)
        stamps[i] = _iso(t)
    by_username = {u["username"].lower(): u["id"] for u in users}
    replies, retweets = Counter[int](), Counter[int]()
    for d in drafts:
        if d.parent is not None:
            replies[d.parent] += 1
        if d.retweet_of is not None:
            retweets[d.retweet_of] += 1
    root: list[int] = list(range(len(drafts)))
    for i in range(len(drafts)):  # parents always precede children in draft order
        p = drafts[i].parent
        if p is not None:
            root[i] = root[p]

    tweets: list[dict] = []
    truth: dict[str, Truth] = {}
    for i in order:
        d = drafts[i]
        tid = ids[i]
        tweet: dict = {"id": tid, "edit_history_tweet_ids": [tid]}
        text = d.text
        if d.retweet_of is not None:
            o = drafts[d.retweet_of]
            text = f"RT @{users[o.author]['username']}: {o.text}"
            if len(text) > MAX_LEN:
                text = text[: MAX_LEN - 1] + "…"
            tweet["referenced_tweets"] = [{"type": "retweeted", "id": ids[d.retweet_of]}]
            conversation = tid
        elif d.parent is not None:
            p = drafts[d.parent]
            if p.author != d.author:
                text = f"@{users[p.author]['username']} {text}"
            tweet["in_reply_to_user_id"] = users[p.author]["id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": ids[d.parent]}]
            conversation = ids[root[i]]
        else:
            conversation = tid
        tweet.update(
            text=text,
            author_id=users[d.author]["id"],
            created_at=stamps[i],
            conversation_id=conversation,
            lang="ja",
            public_metrics={
                "retweet_count": retweets[i],
                "reply_count": replies[i],
                "like_count": retweets[i] * 3 + (d.t % 7),
                "quote_count": 0,
            },
        )
        if "@" in text or "#" in text or "＃" in text:
            entities = _entities(text, by_username)
            if entities:
                tweet["entities"] = entities
        tweets.append(tweet)
        truth[tid] = d.truth
    return SeedDay(seed, start, end, users, tweets, truth, support_ids)


def _entities(text: str, by_username: dict[str, str]) -> dict:
    entities: dict = {}
    mentions = []
    for m in _MENTION.finditer(text):
        user_id = by_username.get(m.group(1).lower())
        if user_id:
            mentions.append({"start": m.start(), "end": m.end(), "username": m.group(1), "id": user_id})
    if mentions:
        entities["mentions"] = mentions
    tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _HASHTAG.finditer(text)]
    if tags:
        entities["hashtags"] = tags
    return entities


def measure(day: SeedDay) -> dict[str, float]:
    """Sentiment accuracy and PII precision/recall of the domain code on this day's truth."""
    from activecare.pii import pii_kinds
    from activecare.sentiment import classify_sentiment

    right = Counter[str]()
    seen = Counter[str]()
    tp = fp = fn = 0
    for tweet in day.tweets:
        truth = day.truth[tweet["id"]]
        group = "relevant" if truth.relevant else truth.kind
        seen[group] += 1
        right[group] += classify_sentiment(tweet["text"]) == truth.sentiment
        found, wanted = set(pii_kinds(tweet["text"])), set(truth.pii_kinds)
        tp, fp, fn = tp + len(found & wanted), fp + len(found - wanted), fn + len(wanted - found)
    figures = {f"sentiment_{g}": right[g] / seen[g] for g in sorted(seen)}
    figures["sentiment_all"] = sum(right.values()) / max(1, sum(seen.values()))
    figures["pii_precision"] = tp / max(1, tp + fp)
    figures["pii_recall"] = tp / max(1, tp + fn)
    figures["pii_items"] = float(tp + fn)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m infra.seed.tweets [total] [seed]``: generate a day, time it, measure it."""
    import sys
    import time

    args = list(sys.argv[1:] if argv is None else argv)
    total = int(args[0]) if args else 50_000
    seed = int(args[1]) if len(args) > 1 else 1
    start = datetime(2026, 11, 25, 0, 0, tzinfo=JST)
    began = time.perf_counter()
    day = generate_day(seed, start, start + timedelta(days=1), total)
    took = time.perf_counter() - began
    counts = day.kind_counts()
    print(f"{len(day.tweets)} tweets, {len(day.users)} users in {took:.2f}s")
    print("kinds:", dict(sorted(counts.items())))
    print("relevant:", len(day.relevant_ids()), "with PII:", sum(t.has_pii for t in day.truth.values()))
    for name, value in measure(day).items():
        print(f"{name}: {value:.3f}" if value <= 1 else f"{name}: {value:.0f}")


if __name__ == "__main__":
    main()
