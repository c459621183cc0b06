"""Ambiguous keywords searched only together with their context, server-side: X returns fewer look-alikes.

A strong keyword is searched alone, as in `packing`. An ambiguous one (``ショップ``, ``請求``, ``乗り換え``) counts
locally only with support in the same tweet (`Matcher`: its topic's context, a global context term, a strong
keyword of any topic, an @mention of one of our accounts). Searched alone it fetches every look-alike
(``ポケモンショップ``, ``請求書``, ``渋谷で乗り換え``) only for the matcher to drop it. Here it is written as an
AND of two groups inside the query's OR group::

    (kw1 OR kw2 OR ((amb1 OR amb2) (ctx1 OR ctx2 ...))) lang:ja -is:retweet -excl ...

Nothing the matcher would accept is lost: a tweet supported by a strong keyword is fetched by that keyword's
query, a mention of us by the mentions read; every topic and global context term is written with the
ambiguous terms it supports. The context lists are long (the global one alone is longer than a self-serve
query), so they are cut into chunks of at most `context_chunk` characters and each chunk gets the ambiguous
terms it supports, packed first-fit into queries; strong keywords fill the room left, then new queries.
Deterministic, so the checkpoint keys (`PackedQuery.key`) survive restarts.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from activecare.keywords.catalogue import Catalogue
from activecare.keywords.normalize import contains_term, normalize
from activecare.keywords.packing import PackedQuery, PackingError, _Item, _render
from activecare.keywords.query import (
    DEFAULT_BASE_OPERATORS,
    exclusion_size,
    keyword_capacity,
    keyword_size,
    render_keyword,
)

__all__ = ["grouped_optimum", "pack_for", "pack_grouped"]

JOIN = " OR "


@dataclass
class _Group:
    context: tuple[str, ...]
    terms: list[tuple[int, int, str]]  # (catalogue index, topic, term) of the ambiguous keywords


def _chunks(terms: Sequence[str], limit: int) -> list[tuple[str, ...]]:
    out: list[list[str]] = [[]]
    size = 0
    for term in terms:
        add = len(render_keyword(term)) + len(JOIN)
        if out[-1] and size + add > limit:
            out.append([])
            size = 0
        out[-1].append(term)
        size += add
    return [tuple(c) for c in out if c]


def _groups(catalogue: Catalogue, context_chunk: int, only_noisy: bool = False) -> tuple[list[_Item], list[_Group]]:
    """Strong items and context groups; `only_noisy`: only the catalogue's noisy keywords get a context group,
    the other ambiguous ones are searched alone (the matcher still asks for their support). An ambiguous keyword
    inside a noisy one (機種変 in 機種変更) is grouped too: searched alone it would fetch every look-alike of the
    noisy one."""
    strong: list[_Item] = []
    by_context: dict[tuple[str, ...], list[tuple[int, int, str]]] = {}
    global_chunks = _chunks(catalogue.global_context, context_chunk)
    noisy = [normalize(term) for topic in catalogue.topics for term in topic.noisy]
    index = 0
    for t, topic in enumerate(catalogue.topics):
        if only_noisy:
            weak = set(topic.noisy) | {a for a in topic.ambiguous
                                       if any(contains_term(n, normalize(a)) for n in noisy)}
        else:
            weak = set(topic.ambiguous)
        own = _chunks([c for c in topic.context if c not in catalogue.global_context], context_chunk)
        for term in topic.keywords:
            if term in weak:
                for chunk in own + global_chunks:
                    by_context.setdefault(chunk, []).append((index, t, term))
            else:
                strong.append(_Item(index, t, term, keyword_size(term)))
            index += 1
    return strong, [_Group(ctx, terms) for ctx, terms in by_context.items()]


def _inside(context: str, term: str) -> bool:
    """The context term is the keyword or part of it: its occurrence there confirms nothing (the matcher)."""
    return normalize(context) in normalize(term)


_HIRAGANA = re.compile(r"[\u3041-\u3096ー]+")
_KATAKANA = re.compile(r"[\u30a1-\u30f6ー]+")


def _kana_forms(term: str) -> tuple[str, ...]:
    """`term` and, when it is all hiragana or all katakana, its other kana spelling: the matcher folds kana
    (わいふぁい meets ワイファイ, ﾂﾅｶﾞﾗﾅｲ meets つながら), X does not, so a group must name both or X drops a tweet
    the matcher would keep. (A keyword searched alone needs no such help: its own query finds it.)"""
    if _HIRAGANA.fullmatch(term):
        return term, "".join(chr(ord(ch) + 0x60) if ch != "ー" else ch for ch in term)
    if _KATAKANA.fullmatch(term):
        return term, "".join(chr(ord(ch) - 0x60) if ch != "ー" else ch for ch in term)
    return (term,)


def _render_forms(term: str) -> str:
    return JOIN.join(render_keyword(form) for form in _kana_forms(term))


def _group_head(terms: Sequence[str], context: Sequence[str], *, pairs: bool = True) -> str:
    """``((terms) (context))``, where a context term that is one of the terms or inside one (圏外 beside 圏外,
    電波 beside 電波状況) is left out: X would let the keyword's own occurrence confirm it, which the matcher
    never does. Such a term still supports the *other* terms: ``(c (the terms apart from those holding c))``."""
    def ors(items: Sequence[str]) -> str:
        return JOIN.join(_render_forms(t) for t in items)

    clear = [c for c in context if not any(_inside(c, t) for t in terms)]
    parts = [f"(({ors(terms)}) ({ors(clear)}))"] if clear else []
    for c in context:
        if c in clear or not pairs:
            continue
        others = [t for t in terms if not _inside(c, t)]
        if others:
            head = _render_forms(c)
            parts.append(f"({head if ' OR ' not in head else '(' + head + ')'} ({ors(others)}))")
    return JOIN.join(parts) if len(parts) == 1 else "(" + JOIN.join(parts) + ")"


def pack_grouped(catalogue: Catalogue, max_query_length: int, *, base_operators: str = DEFAULT_BASE_OPERATORS,
                 context_chunk: int = 220, only_noisy: bool = False, exclusion_room: int = 0) -> list[PackedQuery]:
    """Every strong keyword once, every ambiguous keyword with each chunk of its context, in queries of at most
    `max_query_length` characters (see the module docstring). `exclusion_room`: characters of each query kept
    free of keywords for the global exclusions (more queries, fewer look-alikes read; `pack_for` picks it)."""
    base = base_operators.strip()
    capacity = keyword_capacity(max_query_length, base) - exclusion_room  # room inside the outer "( ... )"
    strong, groups = _groups(catalogue, min(context_chunk, capacity // 2), only_noisy)

    def head(terms: list[tuple[int, int, str]], context: Sequence[str]) -> str:
        return _group_head([term for _, _, term in terms], context)
    # Each query: list of parts (rendered text, items for _render's bookkeeping).
    bins: list[tuple[list[str], list[_Item]]] = []
    loads: list[int] = []
    alone: list[tuple[int, int, str]] = []
    for group in groups:
        current: list[tuple[int, int, str]] = []
        for entry in group.terms:
            trial = [*current, entry]
            if len(head(trial, group.context)) + len(JOIN) > capacity:
                if not current:  # too long to go with this context chunk: searched alone, like a strong one
                    alone.append(entry)
                    continue
                _place(bins, loads, head(current, group.context), current, capacity)
                trial = [entry]
                if len(head(trial, group.context)) + len(JOIN) > capacity:
                    alone.append(entry)
                    current = []
                    continue
            current = trial
        if current:
            _place(bins, loads, head(current, group.context), current, capacity)
    strong += [_Item(i, t, term, keyword_size(term)) for i, t, term in dict.fromkeys(alone)]
    too_long = [item.term for item in strong if item.size > capacity]
    if too_long:
        raise PackingError(f"{len(too_long)} keyword(s) cannot fit in a {max_query_length}-character query: "
                           f"{too_long[:3]}")
    for item in strong:
        for b, load in enumerate(loads):
            if load + item.size <= capacity:
                bins[b][0].append(render_keyword(item.term))
                bins[b][1].append(item)
                loads[b] += item.size
                break
        else:
            bins.append(([render_keyword(item.term)], [item]))
            loads.append(item.size)
    queries = []
    for parts, items in bins:
        unique = list({item.index: item for item in items}.values())
        queries.append(_render(unique, catalogue.topics, catalogue.global_exclusions, base, max_query_length,
                               head="(" + JOIN.join(parts) + ")"))
    return queries


def _place(bins: list[tuple[list[str], list[_Item]]], loads: list[int], text: str, terms: list[tuple[int, int, str]],
           capacity: int) -> None:
    size = len(text) + len(JOIN)
    items = [_Item(i, t, term, 0) for i, t, term in terms]
    for b, load in enumerate(loads):
        if load + size <= capacity:
            bins[b][0].append(text)
            bins[b][1].extend(items)
            loads[b] += size
            return
    bins.append(([text], items))
    loads.append(size)


def grouped_optimum(catalogue: Catalogue, max_query_length: int, *, base_operators: str = DEFAULT_BASE_OPERATORS,
                    context_chunk: int = 220, only_noisy: bool = False) -> int:
    """Lower bound on the grouped queries: every strong keyword and every (ambiguous term, context chunk)
    pair's share of its chunk, over one query's room."""
    capacity = keyword_capacity(max_query_length, base_operators.strip())
    strong, groups = _groups(catalogue, context_chunk, only_noisy)
    total = sum(item.size for item in strong)
    for group in groups:
        # Without the pairs `(c (terms))` of a context term inside a keyword: their size depends on how the
        # terms are split between queries; leaving them out keeps this a lower bound.
        total += len(_group_head([t for _, _, t in group.terms], group.context, pairs=False)) + len(JOIN)
    return math.ceil(total / capacity) if capacity > 0 else 0


ROOM_STEP = 10  # characters: the steps in which pack_for widens the exclusion room


def pack_for(catalogue: Catalogue, max_query_length: int, *, group_ambiguous: str = "noisy",
             max_queries: int | None = None) -> list[PackedQuery]:
    """`_pack_for`, kept per catalogue: widening the room takes several packings (under a second), and every
    runtime of a process (each local stack of the tests) asks for the same catalogue's queries."""
    return list(_pack_for(catalogue, max_query_length, group_ambiguous, max_queries))


@functools.lru_cache(maxsize=8)
def _pack_for(catalogue: Catalogue, max_query_length: int, group_ambiguous: str = "noisy",
              max_queries: int | None = None) -> tuple[PackedQuery, ...]:
    """The queries the poller runs (settings.x_group_ambiguous): the noisy ambiguous keywords with their context
    ("noisy"), every ambiguous one ("all"), or every keyword alone ("off": `packing.pack_queries`). A catalogue
    with no noisy rows packs the same under "noisy" as under "off".

    `max_queries` (the searches one poll may run): when the grouped packing needs fewer, each query keeps the
    widest room for global exclusions (in catalogue order) that still packs into `max_queries`, so the spare
    searches of the tier buy fewer look-alikes read instead of idling. Never more queries than that, so no query
    waits for its turn (a rotation reads late)."""
    from activecare.keywords.packing import pack_queries

    if group_ambiguous == "all" or (group_ambiguous == "noisy" and any(t.noisy for t in catalogue.topics)):
        only = group_ambiguous == "noisy"
        queries = pack_grouped(catalogue, max_query_length, only_noisy=only)
        widest = sum(exclusion_size(term) for term in catalogue.global_exclusions)
        if max_queries is None or len(queries) > max_queries or all(
                max_query_length - len(q.query) + sum(exclusion_size(e) for e in q.exclusions) >= widest
                for q in queries):  # no room to give, or every query holds every global exclusion already
            return tuple(queries)
        # Bisection over the room in ROOM_STEP steps: more room (almost) never packs into fewer queries, so the widest
        # room that still fits max_queries is found in a few packings (about 0.1 s each on Pro).
        low, high = 0, -(-widest // ROOM_STEP)
        while low < high:
            middle = (low + high + 1) // 2
            wider = pack_grouped(catalogue, max_query_length, only_noisy=only, exclusion_room=middle * ROOM_STEP)
            if len(wider) <= max_queries:
                low, queries = middle, wider
            else:
                high = middle - 1
        return tuple(queries)
    if group_ambiguous not in ("off", "noisy"):
        raise ValueError(f"group_ambiguous: {group_ambiguous!r} (expected off, noisy or all)")
    return tuple(pack_queries(catalogue, max_query_length))
