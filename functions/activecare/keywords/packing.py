"""Packing catalogue keywords into as few X search queries as the tier allows.

Every query has the shape::

    (kw1 OR kw2 OR "multi word" ...) lang:ja -is:retweet -excl1 -"excl 2"

and is at most ``max_query_length`` characters (Python ``len``). Each keyword appears
in exactly one query (with its search forms, see `query.search_forms`).

Algorithm (deterministic: the same catalogue always yields the same queries, so the
poller's per-query ``since_id`` checkpoints, keyed by `PackedQuery.key`, survive
restarts):

1. Keywords are items of size ``len(rendered) + len(" OR ")`` in a bin of capacity
   ``keyword_capacity(limit, base)``. The lower bound is ``ceil(total / capacity)``
   (`optimum_queries`).
2. Three packings are tried, the first reaching the fewest queries wins:
   *contiguous* (catalogue order, cut only when full, then re-balanced so every query
   has about the same free space — topics stay together, at most the boundary
   topics are split), *first fit* in catalogue order, and *first fit decreasing*.
   With keywords of ~10 characters in ~490-character queries the contiguous packing
   almost always reaches the bound or the bound + 1.
3. The free space left in each query is filled with exclusions, only those that fit:
   global exclusions (they drop only tweets the matcher drops anyway), then, in a query
   that holds a single topic, that topic's exclusions (in a query shared by topics they
   would drop the other topics' tweets, which the matcher keeps). An
   exclusion that does not fit is skipped (the local `Matcher` applies every
   exclusion anyway); it never causes an extra query.
   An exclusion found inside one of the query's own keywords is skipped too (it
   would stop the query from ever fetching that keyword).
   Note that a negated term drops the tweet for every topic in the query, so topic
   exclusions are specific compounds (``電気料金``, ``恋愛圏外``), not context words.
   Context terms (catalogue kind ``context``) are never written into a query: they
   only decide locally whether an ambiguous keyword's hit counts.

Optional ``elide_covered=True``: a keyword that literally contains another keyword
(case-insensitively, every search form, Latin words kept whole: ``Wi-Fi繋がらない``
⊃ ``Wi-Fi``, ``電話が繋がらない`` ⊃ ``繋がらない``, but ``eSIM`` ⊅ ``SIM``) fetches
no tweet the shorter one does not, so it is not written into the query text; it is
listed in the `PackedQuery.keywords` of the query that holds its cover (and in
`PackedQuery.covered`). This assumes X finds a keyword inside longer text (as a
substring in Japanese, as a whole word in Latin script) — true of the fake X API,
believed but not verified of the real one — so it is off by default and every
keyword is searched literally.

Checkpoint keys hash the query text, so editing the catalogue changes the keys of
the queries whose text changed (with contiguous packing: the query holding the edit
and, when the cut points move, the ones after it); the poller starts those afresh.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from activecare.keywords.catalogue import Catalogue, Topic, default_catalogue
from activecare.keywords.matcher import _Aho
from activecare.keywords.normalize import contains_term, normalize, on_word_edges
from activecare.keywords.query import (
    DEFAULT_BASE_OPERATORS,
    ENTERPRISE_QUERY_LIMIT,
    SELF_SERVE_QUERY_LIMIT,
    exclusion_size,
    keyword_capacity,
    keyword_size,
    render_exclusion,
    render_keyword,
    search_forms,
)

__all__ = [
    "PackedQuery",
    "PackingError",
    "optimum_queries",
    "pack_queries",
    "packing_report",
    "synthetic_catalogue",
]


class PackingError(ValueError):
    """A keyword cannot fit in a query of the requested length."""


@dataclass(frozen=True)
class PackedQuery:
    """One search query and what it covers."""

    query: str
    keywords: tuple[str, ...]  # catalogue terms, catalogue order
    topics: tuple[str, ...]  # topics with keywords in this query, catalogue order
    exclusions: tuple[str, ...] = ()  # topic and global exclusions that fitted
    covered: tuple[str, ...] = ()  # keywords not written because a shorter one covers them

    @property
    def key(self) -> str:
        """Stable short id of the query text (checkpoint key)."""
        return hashlib.sha256(self.query.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class _Item:
    index: int  # catalogue order
    topic: int
    term: str
    size: int
    riders: tuple[tuple[int, int, str], ...] = ()  # covered keywords: (index, topic, term)


def _cover_roots(terms: Sequence[str]) -> dict[int, int]:
    """Map each covered keyword index to the uncovered keyword that covers it.

    ``j`` covers ``i`` when every search form of ``i`` contains (casefolded, on word
    edges) some search form of ``j``. One Aho-Corasick pass per form finds them all.
    """
    forms = [[f.casefold() for f in search_forms(term)] for term in terms]
    owners: dict[str, set[int]] = {}
    for j, term_forms in enumerate(forms):
        for form in term_forms:
            owners.setdefault(form, set()).add(j)
    texts = list(owners)
    automaton = _Aho(texts)
    covers: dict[int, set[int]] = {}
    for i, term_forms in enumerate(forms):
        found: set[int] | None = None
        for form in term_forms:
            here: set[int] = set()
            for start, p in automaton.find(form):
                if len(texts[p]) < len(form) and on_word_edges(form, start, start + len(texts[p])):
                    here |= owners[texts[p]]
            found = here if found is None else found & here
        found = {j for j in found or () if forms[j] != term_forms}
        if found:
            covers[i] = found
    root: dict[int, int] = {}
    for i in sorted(covers, key=lambda i: (len(terms[i]), i)):  # shorter first
        j = min(covers[i], key=lambda j: (len(terms[j]), j))
        root[i] = root.get(j, j)
    return root


def _items(catalogue: Catalogue, *, elide_covered: bool = False) -> list[_Item]:
    flat = [(t, term) for t, topic in enumerate(catalogue.topics) for term in topic.keywords]
    if not elide_covered:
        return [_Item(i, t, term, keyword_size(term)) for i, (t, term) in enumerate(flat)]
    root = _cover_roots([term for _, term in flat])
    riders: dict[int, list[tuple[int, int, str]]] = {}
    for i, r in sorted(root.items()):
        riders.setdefault(r, []).append((i, *flat[i]))
    return [
        _Item(i, t, term, keyword_size(term), tuple(riders.get(i, ())))
        for i, (t, term) in enumerate(flat)
        if i not in root
    ]


def optimum_queries(
    catalogue: Catalogue,
    max_query_length: int,
    *,
    base_operators: str = DEFAULT_BASE_OPERATORS,
    elide_covered: bool = False,
) -> int:
    """Lower bound on the number of queries: ceil(total keyword size / capacity)."""
    capacity = keyword_capacity(max_query_length, base_operators)
    total = sum(item.size for item in _items(catalogue, elide_covered=elide_covered))
    return math.ceil(total / capacity) if capacity > 0 else 0


def _next_fit(items: Sequence[_Item], capacity: int) -> list[list[_Item]]:
    bins: list[list[_Item]] = []
    load = capacity + 1
    for item in items:
        if load + item.size > capacity:
            bins.append([])
            load = 0
        bins[-1].append(item)
        load += item.size
    return bins


def _contiguous(items: Sequence[_Item], capacity: int) -> list[list[_Item]]:
    """Fewest contiguous bins, then the smallest per-bin cap giving that count."""
    bins = _next_fit(items, capacity)
    low = max(max(item.size for item in items), math.ceil(sum(item.size for item in items) / len(bins)))
    high = capacity
    while low < high:  # smallest cap that still needs no more bins
        middle = (low + high) // 2
        if len(_next_fit(items, middle)) <= len(bins):
            high = middle
        else:
            low = middle + 1
    return _next_fit(items, low)


def _first_fit(items: Sequence[_Item], capacity: int) -> list[list[_Item]]:
    bins: list[list[_Item]] = []
    loads: list[int] = []
    for item in items:
        for b, load in enumerate(loads):
            if load + item.size <= capacity:
                bins[b].append(item)
                loads[b] += item.size
                break
        else:
            bins.append([item])
            loads.append(item.size)
    return bins


def _first_fit_decreasing(items: Sequence[_Item], capacity: int) -> list[list[_Item]]:
    return _first_fit(sorted(items, key=lambda item: (-item.size, item.index)), capacity)


_STRATEGIES: tuple[tuple[str, Callable[[Sequence[_Item], int], list[list[_Item]]]], ...] = (
    ("contiguous", _contiguous),
    ("first-fit", _first_fit),
    ("first-fit-decreasing", _first_fit_decreasing),
)


def _bins(items: list[_Item], capacity: int) -> tuple[str, list[list[_Item]]]:
    best: tuple[str, list[list[_Item]]] | None = None
    for name, strategy in _STRATEGIES:
        bins = strategy(items, capacity)
        if best is None or len(bins) < len(best[1]):
            best = (name, bins)
    assert best is not None
    name, bins = best
    ordered = [sorted(b, key=lambda item: item.index) for b in bins]
    ordered.sort(key=lambda b: b[0].index)
    return name, ordered


def _render(
    group: list[_Item],
    topics: Sequence[Topic],
    global_exclusions: Sequence[str],
    base: str,
    max_query_length: int,
    head: str | None = None,
) -> PackedQuery:
    """`head`: the query's OR group when it is not the group's keywords OR-ed (grouped.py)."""
    head = head or "(" + " OR ".join(render_keyword(item.term) for item in group) + ")"
    query = f"{head} {base}" if base else head
    riders = [rider for item in group for rider in item.riders]
    topic_indexes = sorted({item.topic for item in group} | {topic for _, topic, _ in riders})
    # Global exclusions drop only tweets the matcher drops anyway. A topic's exclusion would
    # also drop the other topics' tweets of this query ('アニメ見てたら圏外'), which the matcher
    # keeps: so topic exclusions go only into a query that holds that one topic alone.
    candidates = list(dict.fromkeys(global_exclusions))
    if len(topic_indexes) == 1:
        candidates += [term for term in topics[topic_indexes[0]].exclusions if term not in candidates]
    # A negated term inside one of this query's keywords would stop the query from
    # ever fetching that keyword (roaming's -クレカ next to billing's クレカ): skip it.
    keyword_norms = [normalize(item.term) for item in group] + [normalize(term) for _, _, term in riders]
    placed: list[str] = []
    length = len(query)
    for term in candidates:
        excluded = normalize(term)
        if any(contains_term(keyword, excluded) for keyword in keyword_norms):
            continue
        if any(contains_term(excluded, normalize(other)) for other in placed):
            continue  # -タイムセール drops 【タイムセール】 already (if X thought otherwise, it would only fetch more)
        size = exclusion_size(term)
        if length + size <= max_query_length:
            placed.append(term)
            length += size
    if placed:
        query += " " + " ".join(render_exclusion(term) for term in placed)
    assert len(query) == length <= max_query_length, (len(query), length)
    everything = sorted([(item.index, item.term) for item in group] + [(i, term) for i, _, term in riders])
    return PackedQuery(
        query=query,
        keywords=tuple(term for _, term in everything),
        topics=tuple(topics[t].name for t in topic_indexes),
        exclusions=tuple(placed),
        covered=tuple(term for _, _, term in sorted(riders)),
    )


def pack_queries(
    catalogue: Catalogue,
    max_query_length: int,
    *,
    base_operators: str = DEFAULT_BASE_OPERATORS,
    elide_covered: bool = False,
) -> list[PackedQuery]:
    """Pack every keyword of `catalogue` into the fewest queries of at most
    `max_query_length` characters (see the module docstring)."""
    return _pack(catalogue, max_query_length, base_operators, elide_covered)[1]


def _pack(
    catalogue: Catalogue, max_query_length: int, base_operators: str, elide_covered: bool = False
) -> tuple[str, list[PackedQuery]]:
    base = base_operators.strip()
    capacity = keyword_capacity(max_query_length, base)
    items = _items(catalogue, elide_covered=elide_covered)
    if not items:
        return "empty", []
    too_long = [item.term for item in items if item.size > capacity]
    if too_long:
        raise PackingError(
            f"{len(too_long)} keyword(s) cannot fit in a {max_query_length}-character query: {too_long[:3]}"
        )
    strategy, bins = _bins(items, capacity)
    queries = [_render(group, catalogue.topics, catalogue.global_exclusions, base, max_query_length) for group in bins]
    return strategy, queries


def synthetic_catalogue(size: int = 2000, *, seed: int = 0, base: Catalogue | None = None) -> Catalogue:
    """A deterministic catalogue of `size` plausible keywords for load figures.

    Built from the real catalogue's keywords, each prefixed with a place, device or
    time word (``地下鉄圏外``, ``iPhoneギガ``...), spread over the real topics with
    their exclusions. Not for matching quality, only for sizes.
    """
    base = base or default_catalogue()
    rng = random.Random(seed)
    modifiers = [
        "", "自宅", "会社", "駅", "地下鉄", "電車", "職場", "実家", "田舎", "都内", "大阪", "名古屋",
        "福岡", "札幌", "朝", "夜", "昼", "週末", "最近", "急に", "ずっと", "また", "iPhone", "Android",
        "スマホ", "タブレット", "毎日", "今日", "昨日", "旅行先", "ホテル", "病院", "学校", "大学",
    ]  # fmt: skip
    seen: set[str] = set()
    per_topic: dict[int, list[str]] = {t: [] for t in range(len(base.topics))}
    pool = [(t, term) for t, topic in enumerate(base.topics) for term in topic.keywords]
    while sum(len(v) for v in per_topic.values()) < size:
        t, term = rng.choice(pool)
        candidate = rng.choice(modifiers) + term
        norm = normalize(candidate)
        if norm in seen:
            continue
        seen.add(norm)
        per_topic[t].append(candidate)
    topics = tuple(
        Topic(topic.name, topic.department, topic.account, tuple(per_topic[t]), topic.exclusions)
        for t, topic in enumerate(base.topics)
        if per_topic[t]
    )
    return Catalogue(topics, base.global_exclusions)


def packing_report(
    catalogue: Catalogue,
    limits: Sequence[int] = (SELF_SERVE_QUERY_LIMIT, ENTERPRISE_QUERY_LIMIT),
    *,
    base_operators: str = DEFAULT_BASE_OPERATORS,
    synthetic_size: int = 2000,
) -> str:
    """Requests per poll for `catalogue` and a synthetic catalogue, against the optimum.

    ``excl.`` is how many distinct exclusions made it into at least one query, of all
    the catalogue's exclusions; ``elided`` rows use ``elide_covered=True``.
    """
    header = (
        f"{'catalogue':<16}{'keywords':>9}{'limit':>7}  {'mode':<8}{'queries':>8}{'optimum':>8}"
        f"{'fill':>6}{'excl.':>10}  strategy"
    )
    lines = [header, "-" * len(header)]
    synthetic = synthetic_catalogue(synthetic_size, base=catalogue)
    for label, cat in (("catalogue", catalogue), (f"synthetic {synthetic_size}", synthetic)):
        all_exclusions = {(t.name, e) for t in cat.topics for e in t.exclusions}
        all_exclusions |= {("*", e) for e in cat.global_exclusions}
        for limit in limits:
            for mode, elide in (("literal", False), ("elided", True)):
                strategy, queries = _pack(cat, limit, base_operators, elide)
                optimum = optimum_queries(cat, limit, base_operators=base_operators, elide_covered=elide)
                fill = sum(len(q.query) for q in queries) / (len(queries) * limit) if queries else 0.0
                placed = {
                    (topic, e)
                    for q in queries
                    for e in q.exclusions
                    for topic in ("*", *q.topics)
                    if (topic, e) in all_exclusions
                }
                lines.append(
                    f"{label:<16}{cat.keyword_count:>9}{limit:>7}  {mode:<8}{len(queries):>8}{optimum:>8}"
                    f"{fill:>6.0%}{len(placed):>5}/{len(all_exclusions):<4}  {strategy}"
                )
    return "\n".join(lines)
