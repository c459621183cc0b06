"""Ambiguous keywords packed with their context (keywords/grouped.py): within the query limit, every keyword
searched, every ambiguous one with every context term that supports it, in X's query language."""

from __future__ import annotations

from activecare.keywords import default_catalogue
from activecare.keywords.grouped import grouped_optimum, pack_for, pack_grouped
from activecare.keywords.packing import pack_queries
from activecare.keywords.query import render_keyword
from infra.fake_twitter.query import And, Or, Term, parse


def test_grouped_queries_fit_cover_every_keyword_and_parse_in_the_fake() -> None:
    catalogue = default_catalogue()
    queries = pack_grouped(catalogue, 512)
    assert all(len(q.query) <= 512 for q in queries)
    assert pack_grouped(catalogue, 512) == queries  # deterministic: checkpoint keys survive restarts
    searched = {term for q in queries for term in q.keywords}
    assert searched == set(catalogue.keywords())
    for q in queries:
        parse(q.query)  # the fake's parser, X's grammar: nested groups, no negated group
    assert len(queries) >= grouped_optimum(catalogue, 512)
    assert pack_for(catalogue, 512, group_ambiguous="off") == pack_queries(catalogue, 512)


def _groups(node: object) -> list[tuple[set[str], set[str]]]:
    """(ambiguous terms, context terms) of every `((a OR ...) (c OR ...))` in a parsed query."""
    found = []
    if isinstance(node, And) and len(node.children) == 2 and all(isinstance(c, Or | Term) for c in node.children):
        sides = [{t.text for t in (c.children if isinstance(c, Or) else (c,)) if isinstance(t, Term)}
                 for c in node.children]
        found.append((sides[0], sides[1]))
    for child in getattr(node, "children", ()):
        found += _groups(child)
    return found


def test_each_ambiguous_keyword_is_searched_only_with_every_term_of_its_context() -> None:
    from infra.fake_twitter.text import normalize

    catalogue = default_catalogue()
    groups = [g for q in pack_grouped(catalogue, 512) for g in _groups(parse(q.query))]
    for topic in catalogue.topics:
        for term in topic.ambiguous:
            forms = {normalize(f.strip('"')) for f in render_keyword(term).split(" OR ")}
            # A context term inside another keyword of the group is written the other way round, `(c (kw ...))`.
            context = set().union(*(ctx for amb, ctx in groups if forms <= amb),
                                  *(amb for amb, ctx in groups if forms <= ctx))
            # A context term that is the keyword itself, or part of it, confirms nothing (the matcher's rule).
            wanted = {normalize(f.strip('"')) for c in (*topic.context, *catalogue.global_context)
                      for f in render_keyword(c).split(" OR ") if normalize(c) not in normalize(term)}
            assert wanted <= context, (topic.name, term)
            assert not {normalize(c) for c in context} & forms, (topic.name, term)  # never itself as its context
    # and no strong keyword is tied to a context
    strong = {normalize(t) for topic in catalogue.topics for t in topic.strong}
    assert not strong & set().union(*(amb for amb, _ in groups))


def test_an_ambiguous_keyword_too_long_for_its_context_is_searched_alone() -> None:
    from activecare.keywords.catalogue import Catalogue, Topic

    context = tuple(f"文脈{i:02d}" for i in range(40))  # ~360 characters of context, one chunk of 220 and more
    long_term = "とても長いあいまいな言葉" * 20  # 240 characters: fits a query alone, not beside a context chunk
    topic = Topic("shops", "retail", "general", ("ショップ", long_term, "店頭で故障受付"), (),
                  ambiguous=("ショップ", long_term), context=context)
    queries = pack_grouped(Catalogue((topic,)), 512)
    assert all(len(q.query) <= 512 for q in queries)
    assert {t for q in queries for t in q.keywords} == {"ショップ", long_term, "店頭で故障受付"}
    assert any(f"OR {long_term} OR" in q.query or f"({long_term} OR" in q.query or f"OR {long_term})" in q.query
               for q in queries)  # alone in the OR group, not ANDed with a context


def test_an_ambiguous_keyword_never_confirms_itself_server_side() -> None:
    """圏外 is an ambiguous keyword of signal and one of its context terms: X must not return 「模試の結果、志望校は
    完全に圏外」 for it (the matcher drops it), but must return 圏外 beside another signal keyword or context term."""
    from activecare.keywords.matcher import Matcher
    from infra.fake_twitter.query import Doc, compile_query, evaluate
    from infra.fake_twitter.text import normalize

    catalogue = default_catalogue()
    nodes = [compile_query(q.query) for q in pack_grouped(catalogue, 512)]
    matcher = Matcher(catalogue)

    def fetched(text: str) -> bool:
        return any(evaluate(n, Doc(text=normalize(text), lang="ja")) for n in nodes)

    for look_alike in ("模試の結果、志望校は完全に圏外だった", "会議の話が全然繋がらない", "点と点が繋がらない"):
        assert matcher.match(look_alike) is None and not fetched(look_alike), look_alike
    for trouble in ("家の中だと圏外になる", "繋がらないし圏外だし", "地下鉄でずっと繋がらない"):
        assert matcher.match(trouble) is not None and fetched(trouble), trouble


def test_noisy_keywords_round_trip_and_only_they_are_grouped_by_default() -> None:
    from activecare.keywords.catalogue import Catalogue
    from activecare.keywords.matcher import Matcher
    from activecare.settings import Settings

    catalogue = default_catalogue()
    signal = catalogue.topic("signal")
    assert "圏外" in signal.noisy and set(signal.noisy) <= set(signal.ambiguous)
    again = Catalogue.from_items(catalogue.to_items())
    assert again.topic("signal").noisy == signal.noisy and again == catalogue
    assert Matcher(catalogue).match("模試の結果、志望校は完全に圏外だった") is None  # matched like ambiguous
    default = pack_for(catalogue, 512)
    assert default == pack_grouped(catalogue, 512, only_noisy=True) != pack_grouped(catalogue, 512)
    heads = [g for q in default for g in _groups(parse(q.query))]
    grouped_terms = set().union(*(amb for amb, _ in heads))
    assert "ショップ" in grouped_terms and "大規模障害" not in grouped_terms  # ambiguous, not noisy: alone
    # 機種変 is ambiguous, not noisy, but inside the noisy 機種変更: alone it would fetch all of 機種変更's look-alikes
    assert "機種変" in grouped_terms and "機種変" in catalogue.topic("handset_change").ambiguous
    # Pro: 30 searches a minute (the mentions are another endpoint): every query each minute, no rotation
    pro = Settings(access_level="pro")
    assert len(default) <= len(pack_for(catalogue, 512, max_queries=pro.query_slots)) < pro.searches_per_run
    assert Settings().x_group_ambiguous == "noisy"
    assert Settings(x_group_ambiguous="true").x_group_ambiguous == "all"  # the old flag
    assert Settings(x_group_ambiguous="false").x_group_ambiguous == "off"


def test_the_tiers_spare_searches_carry_exclusions_and_lose_no_tweet_the_matcher_keeps() -> None:
    """pack_for fills the searches a run may spend with room for the global exclusions: more queries, never more
    than allowed, and every hand-written tweet the matcher keeps is still returned (an exclusion only drops
    tweets the matcher drops)."""
    import json
    from pathlib import Path

    from activecare.keywords.matcher import Matcher
    from infra.fake_twitter.query import Doc, compile_query, evaluate
    from infra.fake_twitter.text import normalize

    catalogue = default_catalogue()
    tight = pack_for(catalogue, 512)
    filled = pack_for(catalogue, 512, max_queries=29)
    assert len(tight) < len(filled) <= 29 and all(len(q.query) <= 512 for q in filled)
    assert {t for q in filled for t in q.keywords} == set(catalogue.keywords())
    placed = {e for q in filled for e in q.exclusions}
    assert sum(len(q.exclusions) for q in filled) > 4 * sum(len(q.exclusions) for q in tight)
    assert {"【自動】", "タイムセール", "求人", "#PR", "【速報】"} <= set(filled[-1].exclusions) <= placed
    assert pack_for(catalogue, 512, max_queries=4) == tight  # Basic: no room to give, nothing changes
    data = Path(__file__).resolve().parents[1] / "data"
    texts = [json.loads(line)["text"] for name in ("relevance_eval.jsonl", "relevance_unseen.jsonl")
             for line in (data / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    matcher = Matcher(catalogue)
    kept = [Doc(text=normalize(t), lang="ja") for t in texts if matcher.match(t) is not None]
    nodes = {name: [compile_query(q.query) for q in queries] for name, queries in (("tight", tight),
                                                                                   ("filled", filled))}
    returned = {name: {i for i, doc in enumerate(kept) if any(evaluate(n, doc) for n in ns)}
                for name, ns in nodes.items()}
    assert returned["tight"] <= returned["filled"] and len(returned["filled"]) > 0.95 * len(kept)
    for bot in ("【自動】12:31現在「圏外」を含む投稿が増加中 #通信障害", "【急募】携帯ショップ店員 時給1,500円 #求人"):
        doc = Doc(text=normalize(bot), lang="ja")
        assert matcher.match(bot) is None and not any(evaluate(n, doc) for n in nodes["filled"]), bot
        assert any(evaluate(n, doc) for n in nodes["tight"]), bot  # the tight packing had no room for them
