"""Query packing: coverage, limits, syntax, near-optimal counts, determinism."""

from __future__ import annotations

import hashlib

import pytest

from activecare.keywords import (
    DEFAULT_BASE_OPERATORS,
    Catalogue,
    PackedQuery,
    PackingError,
    Topic,
    default_catalogue,
    load_catalogue,
    optimum_queries,
    pack_queries,
    packing_report,
    synthetic_catalogue,
)
from activecare.keywords.normalize import contains_term, normalize
from activecare.keywords.query import exclusion_size, render_exclusion, render_keyword, search_forms

LIMITS = (512, 4096)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.fixture(scope="module")
def synthetic() -> Catalogue:
    return synthetic_catalogue(2000)


def _read_term(text: str, i: int) -> tuple[str, int]:
    """One query term starting at text[i]: a quoted phrase or a bare word."""
    if text[i] == '"':
        end = text.index('"', i + 1)  # ValueError if unbalanced
        return text[i + 1 : end], end + 1
    end = i
    while end < len(text) and text[end] not in ' ()"':
        end += 1
    assert end > i, f"empty term at {i}: {text!r}"
    return text[i:end], end


def parse(query: str, base: str = DEFAULT_BASE_OPERATORS) -> tuple[list[str], list[str]]:
    """Parse ``(t OR t ...) <base> -x -y`` strictly; return (OR terms, excluded terms)."""
    assert query.count('"') % 2 == 0
    assert query.count("(") == query.count(")") == 1, "exactly one group, never nested or negated"
    assert query.startswith("(")
    terms: list[str] = []
    i = 1
    while True:
        term, i = _read_term(query, i)
        terms.append(term)
        if query.startswith(" OR ", i):
            i += 4
            continue
        assert query[i] == ")", query[i:]
        i += 1
        break
    rest = query[i:]
    if base:
        assert rest.startswith(" " + base)
        rest = rest[len(base) + 1 :]
    exclusions: list[str] = []
    i = 0
    while i < len(rest):
        assert rest.startswith(" -", i), rest[i:]
        term, i = _read_term(rest, i + 2)
        exclusions.append(term)
    return terms, exclusions


def _check(catalogue: Catalogue, queries: list[PackedQuery], limit: int, base: str = DEFAULT_BASE_OPERATORS) -> None:
    seen = [kw for q in queries for kw in q.keywords]
    assert sorted(seen) == sorted(catalogue.keywords()), "every keyword in exactly one query"
    topic_of = {kw: t.name for t in catalogue.topics for kw in t.keywords}
    allowed = {t.name: set(t.exclusions) for t in catalogue.topics}
    for q in queries:
        assert len(q.query) <= limit
        terms, excluded = parse(q.query, base)
        written = [kw for kw in q.keywords if kw not in q.covered]
        assert terms == [form for kw in written for form in search_forms(kw)]
        assert " OR ".join(render_keyword(kw) for kw in written) == q.query[1 : q.query.index(")")]
        assert excluded == [form for ex in q.exclusions for form in search_forms(ex)]
        assert q.query.endswith("".join(" " + render_exclusion(ex) for ex in q.exclusions))
        assert q.topics == tuple(dict.fromkeys(t.name for t in catalogue.topics if t.name in q.topics))
        assert set(q.topics) == {topic_of[kw] for kw in q.keywords}
        for ex in q.exclusions:
            assert ex in catalogue.global_exclusions or any(ex in allowed[t] for t in q.topics)
            # ...and never one that would stop this query from fetching its own keywords.
            assert not any(contains_term(normalize(kw), normalize(ex)) for kw in q.keywords), (ex, q.query)


@pytest.mark.parametrize("limit", LIMITS)
def test_real_catalogue(catalogue: Catalogue, limit: int) -> None:
    queries = pack_queries(catalogue, limit)
    _check(catalogue, queries, limit)
    assert len(queries) <= optimum_queries(catalogue, limit) + 1


@pytest.mark.parametrize("limit", LIMITS)
def test_synthetic_2000_keywords(synthetic: Catalogue, limit: int) -> None:
    assert synthetic.keyword_count == 2000
    queries = pack_queries(synthetic, limit)
    _check(synthetic, queries, limit)
    optimum = optimum_queries(synthetic, limit)
    assert len(queries) <= optimum + 1
    assert optimum >= 2000 * 5 // limit  # sanity: the bound is not trivially small


@pytest.mark.parametrize("limit", [60, 100, 200, 333])
def test_small_limits(catalogue: Catalogue, limit: int) -> None:
    queries = pack_queries(catalogue, limit)
    _check(catalogue, queries, limit)
    optimum = optimum_queries(catalogue, limit)
    # With ~4 keywords a query the bound is loose; stay within 5%.
    assert len(queries) <= optimum + max(1, optimum // 20)


def test_empty_base_operators(catalogue: Catalogue) -> None:
    queries = pack_queries(catalogue, 512, base_operators="")
    _check(catalogue, queries, 512, base="")
    assert len(queries) <= optimum_queries(catalogue, 512, base_operators="") + 1


def test_deterministic_with_stable_keys(catalogue: Catalogue) -> None:
    first = pack_queries(catalogue, 512)
    second = pack_queries(default_catalogue(), 512)
    assert first == second
    keys = [q.key for q in first]
    assert len(set(keys)) == len(keys)
    for q in first:
        assert q.key == hashlib.sha256(q.query.encode()).hexdigest()[:12]


def test_topics_stay_together(catalogue: Catalogue) -> None:
    """Contiguous packing: each cut between two queries splits at most one topic."""
    queries = pack_queries(catalogue, 512)
    assert sum(len(q.topics) for q in queries) <= len(catalogue.topics) + len(queries) - 1


def test_exclusions_fill_free_space(catalogue: Catalogue) -> None:
    big = pack_queries(catalogue, 4096)
    # Global exclusions go first, in every query, but for one that holds another (-タイムセール drops
    # 【タイムセール】 already). A topic's exclusion goes only into a query holding that topic alone
    # (elsewhere it would drop the other topics' tweets), and is left out only when it would block
    # one of the query's keywords, is held by another, or no longer fits.
    assert "【タイムセール】" in catalogue.global_exclusions
    for q in big:
        left_out = set(catalogue.global_exclusions) - set(q.exclusions)
        assert left_out == {"【タイムセール】"}, left_out
        if len(q.topics) != 1:
            assert set(q.exclusions) <= set(catalogue.global_exclusions), q.topics
            continue
        for missing in catalogue.topic(q.topics[0]).exclusions:
            if missing in q.exclusions:
                continue
            blocked = any(contains_term(normalize(kw), normalize(missing)) for kw in q.keywords)
            held = any(contains_term(normalize(missing), normalize(e)) for e in q.exclusions)
            assert blocked or held or len(q.query) + exclusion_size(missing) > 4096, missing
    small = pack_queries(catalogue, 512)
    assert any(q.exclusions for q in small)


def test_a_shared_query_never_drops_another_topics_tweet() -> None:
    """'アニメ見てたら圏外' must still be fetched when signal shares a query with a topic excluding アニメ."""
    text = (
        "topic,department,account,kind,term\n"
        "signal,network,signal,keyword,圏外\n"
        "devices,devices,general,keyword,機種変更\n"
        "devices,devices,general,exclude,アニメ\n"
    )
    [q] = pack_queries(load_catalogue(text), 512)
    assert "アニメ" not in q.query


def test_exclusion_only_with_its_topic() -> None:
    text = (
        "topic,department,account,kind,term\n"
        + "".join(f"a,d,general,keyword,圏外{i}\n" for i in range(40))
        + "a,d,general,exclude,恋愛\n"
        + "".join(f"b,d,general,keyword,料金{i}\n" for i in range(40))
        + "b,d,general,exclude,電気料金\n"
    )
    queries = pack_queries(load_catalogue(text), 200)
    for q in queries:
        if "恋愛" in q.exclusions:
            assert "a" in q.topics
        if "電気料金" in q.exclusions:
            assert "b" in q.topics


def test_exclusion_of_one_topic_never_blocks_another_topics_keyword() -> None:
    """roaming excludes クレカ (card abroad), billing listens for クレカ: same query, no -クレカ."""
    text = (
        "topic,department,account,kind,term\n"
        "roaming,network,general,keyword,ローミング\n"
        "roaming,network,general,exclude,クレカ\n"
        "roaming,network,general,exclude,海外旅行保険\n"
        "billing,billing,general,keyword,クレカ\n"
    )
    [q] = pack_queries(load_catalogue(text), 512)
    assert "クレカ" not in q.exclusions
    assert q.query == "(ローミング OR クレカ) lang:ja"


def test_quoting_and_search_forms() -> None:
    text = (
        "topic,department,account,kind,term\n"
        "w,d,wifi,keyword,Wi-Fi\n"
        "w,d,wifi,keyword,SoftBank Air\n"
        "w,d,wifi,keyword,OR\n"
        "w,d,wifi,exclude,無料Wi-Fi\n"
    )
    [q] = pack_queries(load_catalogue(text), 512)
    assert q.query == ('("Wi-Fi" OR WiFi OR "SoftBank Air" OR "OR") lang:ja -"無料Wi-Fi" -無料WiFi')


def test_keyword_too_long_for_limit(catalogue: Catalogue) -> None:
    with pytest.raises(PackingError, match="cannot fit"):
        pack_queries(catalogue, 30)


def test_empty_catalogue() -> None:
    assert pack_queries(Catalogue(()), 512) == []
    assert optimum_queries(Catalogue(()), 512) == 0


def test_optimum_is_a_lower_bound(catalogue: Catalogue) -> None:
    for limit in (100, 512, 1000, 4096):
        assert optimum_queries(catalogue, limit) <= len(pack_queries(catalogue, limit))


def test_elide_covered(catalogue: Catalogue) -> None:
    literal = pack_queries(catalogue, 512)
    elided = pack_queries(catalogue, 512, elide_covered=True)
    _check(catalogue, elided, 512)
    assert len(elided) < len(literal)
    covered = {kw for q in elided for kw in q.covered}
    assert {"Wi-Fi繋がらない", "電話が繋がら", "料金プラン"} <= covered
    assert "eSIM" not in covered  # SIM does not cover eSIM: X would not find it
    for q in elided:
        terms, _ = parse(q.query)
        for kw in q.covered:
            assert kw not in terms
            assert any(term.casefold() in kw.casefold() for term in terms), kw


def test_elided_cover_chain_stays_in_one_query() -> None:
    catalogue = Catalogue(
        (
            Topic("a", "d", "general", ("ワイファイ繋がらない",)),
            Topic("b", "d", "wifi", ("ワイファイ", "ワイファイ繋がらない時")),
        )
    )
    [q] = pack_queries(catalogue, 512, elide_covered=True)
    assert q.query.startswith("(ワイファイ)")
    assert q.keywords == ("ワイファイ繋がらない", "ワイファイ", "ワイファイ繋がらない時")
    assert q.topics == ("a", "b")


def test_report_lists_both_catalogues() -> None:
    report = packing_report(default_catalogue())
    lines = report.splitlines()
    assert lines[0].split()[:4] == ["catalogue", "keywords", "limit", "mode"]
    rows = lines[2:]
    assert sum(row.startswith("catalogue ") for row in rows) == 4
    assert sum(row.startswith("synthetic 2000") for row in rows) == 4
