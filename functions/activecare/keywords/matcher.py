"""Local matching of tweets against the catalogue.

The poller's search queries are broad (X's own tokenisation, exclusions only where
they fit), so every fetched tweet is matched again here, exactly:

1. ``@mentions`` and URLs are replaced by a space (they never produce hits);
2. the text is normalised (`normalize`), as every catalogue term was;
3. one pass of an Aho-Corasick automaton finds every occurrence of every keyword
   and exclusion, overlapping ones included (``Wi-Fi繋がらない`` hits ``Wi-Fi``,
   ``Wi-Fi繋がらない`` and ``繋がらない``);
4. Latin terms are word-bounded: a term that starts (ends) with an ASCII letter
   only hits when the character before (after) it is not an ASCII letter, and the
   same for digits (``4G`` does not hit ``4GB`` or ``14G``; ``SIM`` does not hit
   ``eSIM``; ``iPhone15`` still hits ``iPhone``). Japanese terms match as substrings;
5. a topic's exclusion anywhere in the text removes that topic's hits; a global
   exclusion removes every hit;
6. strength: a *strong* keyword hit counts alone. An *ambiguous* keyword hit
   (``ショップ``, ``請求``, ``圏外``...) only counts when the tweet is known to be about
   the carrier's service: it also holds one of its topic's context terms, a global
   context term, a strong keyword hit of any topic left after exclusions, or an
   @mention of one of our support accounts (someone talking *to* us). Context terms
   are matched like keywords (same folding, same Latin word edges);
7. the topic with the most *distinct* keywords hit wins; a tie goes to the topic
   that comes first in the catalogue (the catalogue lists specific topics before
   generic ones).

Replies between other users (text starting with ``@someone`` who is not one of our
accounts: a friend answering a friend) are not dropped: ``@friend うちも圏外だよ、
最悪`` is a real complaint. They pass the same rule as every tweet — their mentions
are stripped, so a friend's ``@friend 再起動してみた？`` (an ambiguous keyword, no
context) is not matched, and only the text itself can support an ambiguous hit.

`Match.keywords` lists every distinct keyword hit (original catalogue spelling) in
order of first occurrence in the text; `Match.topics` lists every topic still hit,
best first.

Engine: an Aho-Corasick automaton from pyahocorasick (``engine="aho"``, the default) or
one compiled regular expression of lookahead alternatives (``engine="regex"``); both
return the same hits. pyahocorasick replaced a hand-written pure-Python automaton that
returned the same matches but built slower (4.5 vs 2.9 ms for the shipped catalogue),
held four times the memory (2.5 vs 0.6 MiB) and matched ~14% fewer tweets per second;
``tests/bench/bench_matcher.py`` has the figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick  # a bare extension module: no stubs, no py.typed

from activecare.accounts import DEFAULT_ACCOUNTS
from activecare.keywords.catalogue import Catalogue
from activecare.keywords.normalize import contains_term, is_latin_alnum, normalize, on_word_edges

__all__ = ["Match", "Matcher", "strip_entities"]

# Twitter usernames are 1-15 of [A-Za-z0-9_]; an @ glued to a word is an e-mail.
_MENTION = re.compile(r"(?<![A-Za-z0-9_])[@＠][A-Za-z0-9_]{1,15}")
# URLs end at the first non-ASCII or whitespace character ("https://t.co/x圏外").
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)[!-~]+", re.IGNORECASE)

_KEYWORD = 0
_EXCLUDE = 1
_AMBIGUOUS = 2
_CONTEXT = 3
_GLOBAL = -1


@dataclass(frozen=True)
class Match:
    """The outcome of matching one tweet."""

    topic: str
    keywords: tuple[str, ...]
    topics: tuple[str, ...]
    department: str
    account: str


def strip_entities(text: str) -> str:
    """`text` with @mentions and URLs replaced by a space."""
    if "@" in text or "＠" in text:
        text = _MENTION.sub(" ", text)
    if "://" in text or "www." in text or "pic." in text:
        text = _URL.sub(" ", text)
    return text


@dataclass(frozen=True)
class _Pattern:
    text: str  # normalised
    bounded: bool  # starts or ends with an ASCII letter/digit: check word edges
    payload: tuple[tuple[int, int, str], ...]  # (kind, topic index or _GLOBAL, original term)


class _Aho:
    """Every occurrence of every pattern, overlapping ones included, in one pass of
    pyahocorasick's automaton (C; built eagerly, so it neither warms up nor grows
    while a long-lived Lambda container matches tweets)."""

    def __init__(self, patterns: list[str]) -> None:
        automaton = ahocorasick.Automaton()
        for index, pattern in enumerate(patterns):
            automaton.add_word(pattern, (index, len(pattern) - 1))
        if patterns:  # an empty automaton cannot be made (nor searched)
            automaton.make_automaton()
        self._automaton = automaton if patterns else None

    def find(self, text: str) -> list[tuple[int, int]]:
        """(start, pattern index) for every occurrence in `text`, by end position."""
        if self._automaton is None:
            return []
        return [(last - span, index) for last, (index, span) in self._automaton.iter(text)]


class _RegexEngine:
    """All occurrences via one regex: at each position the longest pattern, then
    every shorter pattern that is a prefix of it (looked up in a dict)."""

    def __init__(self, patterns: list[str]) -> None:
        self._index = {p: i for i, p in enumerate(patterns)}
        self._max = max((len(p) for p in patterns), default=0)
        ordered = sorted(self._index, key=lambda p: (-len(p), p))
        self._regex = re.compile("(?=(" + "|".join(map(re.escape, ordered)) + "))") if ordered else None

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """Yield (start, pattern index) for every occurrence in `text`."""
        if self._regex is None:
            return
        index = self._index
        for m in self._regex.finditer(text):
            start, longest = m.start(), m.group(1)
            for length in range(len(longest), 0, -1):
                i = index.get(longest[:length])
                if i is not None:
                    yield start, i


class Matcher:
    """Precompiled matcher for one catalogue (build once, reuse for every tweet)."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        engine: str = "aho",
        support_usernames: Iterable[str] | None = None,
    ) -> None:
        """`support_usernames`: our accounts' @names (default: `DEFAULT_ACCOUNTS`); a
        mention of one of them is context for ambiguous keywords."""
        self.catalogue = catalogue
        names = support_usernames if support_usernames is not None else (a.username for a in DEFAULT_ACCOUNTS)
        self._support = frozenset(name.casefold() for name in names)
        by_text: dict[str, list[tuple[int, int, str]]] = {}
        for t, topic in enumerate(catalogue.topics):
            weak = set(topic.ambiguous)
            for term in topic.keywords:
                kind = _AMBIGUOUS if term in weak else _KEYWORD
                by_text.setdefault(normalize(term), []).append((kind, t, term))
            for term in topic.exclusions:
                by_text.setdefault(normalize(term), []).append((_EXCLUDE, t, term))
            for term in topic.context:
                by_text.setdefault(normalize(term), []).append((_CONTEXT, t, term))
        for term in catalogue.global_exclusions:
            by_text.setdefault(normalize(term), []).append((_EXCLUDE, _GLOBAL, term))
        for term in catalogue.global_context:
            by_text.setdefault(normalize(term), []).append((_CONTEXT, _GLOBAL, term))
        by_text.pop("", None)
        self._optouts = tuple(dict.fromkeys(n for n in map(normalize, catalogue.optouts) if n))
        texts = list(by_text)
        self._patterns = [_Pattern(p, is_latin_alnum(p[0]) or is_latin_alnum(p[-1]), tuple(by_text[p])) for p in texts]
        if engine == "aho":
            self._engine: _Aho | _RegexEngine = _Aho(texts)
        elif engine == "regex":
            self._engine = _RegexEngine(texts)
        else:
            raise ValueError(f"unknown engine {engine!r} (expected 'aho' or 'regex')")

    def addresses_us(self, text: str) -> bool:
        """True when `text` @mentions one of our support accounts."""
        if "@" not in text and "＠" not in text:
            return False
        return any(m.group()[1:].casefold() in self._support for m in _MENTION.finditer(text))

    def opts_out(self, text: str) -> bool:
        """True when `text` holds one of the catalogue's opt-out phrases (``返信不要``,
        ``絡まないで``...), matched after the same stripping and normalisation as keywords."""
        if not self._optouts:
            return False
        normalised = normalize(strip_entities(text))
        return any(contains_term(normalised, phrase) for phrase in self._optouts)

    def match(self, text: str) -> Match | None:
        """Match one tweet's text; None when no topic is left after exclusions and
        the strength rule (module docstring)."""
        normalised = normalize(strip_entities(text))
        hits: dict[int, dict[str, tuple[int, int]]] = {}  # topic -> {term: (first start, -length)}
        weak: dict[int, dict[str, list[tuple[int, int]]]] = {}  # topic -> {ambiguous term: [(start, end)]}
        excluded: set[int] = set()
        context: list[tuple[int, int, int]] = []  # (start, end, topic or _GLOBAL)
        patterns = self._patterns
        size = len(normalised)
        for start, index in self._engine.find(normalised):
            pattern = patterns[index]
            end = start + len(pattern.text)
            if pattern.bounded and not on_word_edges(normalised, start, end):
                continue
            for kind, topic, term in pattern.payload:
                if kind == _KEYWORD:
                    seen = hits.setdefault(topic, {})
                    position = (start, -len(pattern.text))
                    if position < seen.get(term, (size, 0)):
                        seen[term] = position
                elif kind == _AMBIGUOUS:
                    weak.setdefault(topic, {}).setdefault(term, []).append((start, end))
                elif kind == _CONTEXT:
                    context.append((start, end, topic))
                elif topic == _GLOBAL:
                    return None
                else:
                    excluded.add(topic)
        for topic in excluded:
            hits.pop(topic, None)
            weak.pop(topic, None)
        if weak:
            # A strong hit (of a topic left), a mention of our account: every ambiguous hit counts.
            everywhere = bool(hits) or self.addresses_us(text)
            for topic, terms in weak.items():
                for term, spans in terms.items():
                    if everywhere or _supported(spans, context, topic):
                        seen = hits.setdefault(topic, {})
                        position = (spans[0][0], spans[0][0] - spans[0][1])
                        if position < seen.get(term, (size, 0)):
                            seen[term] = position
        if not hits:
            return None
        ranked = sorted(hits, key=lambda t: (-len(hits[t]), t))
        firsts: dict[str, tuple[int, int]] = {}
        for topic in ranked:
            firsts.update(hits[topic])
        best = self.catalogue.topics[ranked[0]]
        return Match(
            topic=best.name,
            keywords=tuple(sorted(firsts, key=firsts.__getitem__)),
            topics=tuple(self.catalogue.topics[t].name for t in ranked),
            department=best.department,
            account=best.account,
        )


def _supported(spans: list[tuple[int, int]], context: list[tuple[int, int, int]], topic: int) -> bool:
    """True when a context term of `topic` (or a global one) occurs outside every
    occurrence of the ambiguous keyword (`spans`): ``SIM`` as context does not confirm
    the ambiguous keyword ``SIM`` by itself, but does confirm ``圏外`` next to it."""
    for c_start, c_end, owner in context:
        if owner in (topic, _GLOBAL) and not any(s <= c_start and c_end <= e for s, e in spans):
            return True
    return False
