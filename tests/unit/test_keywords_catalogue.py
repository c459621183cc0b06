"""Keyword catalogue: the packaged file, the loader's validation, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from activecare.accounts import ACCOUNT_KEYS
from activecare.keywords import Catalogue, CatalogueError, Topic, default_catalogue, load_catalogue
from activecare.keywords.normalize import normalize

HEADER = "topic,department,account,kind,term,note\n"


def _errors(text: str, **kwargs: object) -> list[tuple[int, str]]:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(text, name="keywords.csv", **kwargs)  # type: ignore[arg-type]
    return info.value.errors


def _single_error(text: str) -> tuple[int, str]:
    errors = _errors(text)
    assert len(errors) == 1, errors
    return errors[0]


# --- the packaged catalogue -------------------------------------------------------


def test_default_catalogue_has_280_plus_real_keywords() -> None:
    catalogue = default_catalogue()
    assert catalogue.keyword_count >= 280
    assert len(catalogue.keywords()) == catalogue.keyword_count
    # 繋がら / つながら: the verb stems, which cover つながらない, つながらなかった, つながらへん, つながらん.
    for term in ("圏外", "電波悪い", "アンテナ1本", "繋がら", "つながら", "パケ詰まり", "通信障害"):
        assert term in catalogue.topic("signal").keywords + catalogue.topic("outage").keywords + (
            catalogue.topic("mobile_data").keywords
        )
    assert "Wi-Fi" in catalogue.topic("wifi").keywords
    assert "ワイファイ" in catalogue.topic("wifi").keywords
    assert "料金" in catalogue.topic("billing").keywords
    assert "解約" in catalogue.topic("contracts").keywords
    assert "#PR" in catalogue.global_exclusions


def test_default_catalogue_accounts_follow_the_topics() -> None:
    catalogue = default_catalogue()
    for topic in catalogue.topics:
        assert topic.account in ACCOUNT_KEYS
        if topic.department == "home_internet":
            assert topic.account == "wifi", topic.name
        elif topic.name in {"signal", "mobile_data", "voice", "outage"}:
            assert topic.account == "signal", topic.name
        else:
            assert topic.account == "general", topic.name
    assert {t.account for t in catalogue.topics} == ACCOUNT_KEYS


def test_default_catalogue_keywords_are_unique_after_normalisation() -> None:
    norms = [normalize(term) for term in default_catalogue().keywords()]
    assert len(norms) == len(set(norms))


def test_topic_lookup() -> None:
    catalogue = default_catalogue()
    assert catalogue.topic("wifi").department == "home_internet"
    with pytest.raises(KeyError):
        catalogue.topic("nope")


# --- loading ------------------------------------------------------------------------


def test_comments_blank_lines_bom_and_column_order() -> None:
    text = (
        "\ufeff# a comment\n"
        "\n"
        "term,kind,topic,account,department\n"
        "  # indented comment\n"
        "圏外,keyword,signal,signal,network\n"
        '"電波 悪い",keyword,signal,signal,network\n'
        "恋愛圏外,exclude,signal,signal,network\n"
        "求人,exclude,*,,\n"
    )
    catalogue = load_catalogue(text)
    assert catalogue == Catalogue(
        (Topic("signal", "network", "signal", ("圏外", "電波 悪い"), ("恋愛圏外",)),),
        ("求人",),
    )


def test_load_from_path_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "kw.csv"
    path.write_text(HEADER + "signal,network,signal,keyword,圏外,\n", encoding="utf-8")
    assert load_catalogue(path).keywords() == ("圏外",)
    assert load_catalogue(str(path)).keywords() == ("圏外",)
    assert load_catalogue(path.read_bytes()).keywords() == ("圏外",)
    path.write_text(HEADER + "signal,network,sigal,keyword,圏外,\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"^kw\.csv:2: unknown account"):
        load_catalogue(path)


# --- validation: one test per rule ----------------------------------------------------


def test_unknown_account_message() -> None:
    text = HEADER + "signal,network,sigal,keyword,圏外,\n"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(text, name="keywords.csv")
    assert str(info.value) == "keywords.csv:2: unknown account 'sigal' (expected general, signal, wifi)"
    assert info.value.errors == [(2, "unknown account 'sigal' (expected general, signal, wifi)")]


@pytest.mark.parametrize(
    "header",
    [
        "topic,department,account,kind\n",  # term missing
        "topic,department,account,kind,term,colour\n",  # unknown column
        "topic,topic,department,account,kind,term\n",  # duplicated column
    ],
)
def test_bad_header(header: str) -> None:
    line, reason = _single_error("# comment\n" + header + "signal,network,signal,keyword,圏外\n")
    assert line == 2
    assert reason.startswith("bad header")


def test_missing_header() -> None:
    assert _single_error("# only comments\n")[1].startswith("missing header")


def test_unknown_kind() -> None:
    assert _single_error(HEADER + "signal,network,signal,keywrd,圏外,\n") == (
        2,
        "unknown kind 'keywrd' (expected keyword, ambiguous, noisy, context, exclude, optout)",
    )


def test_empty_term() -> None:
    assert _single_error(HEADER + "signal,network,signal,keyword,圏外,\nsignal,network,signal,keyword,,\n") == (
        3,
        "empty term",
    )


def test_term_empty_after_normalisation() -> None:
    text = HEADER + "signal,network,signal,keyword,圏外,\nsignal,network,signal,keyword,\u200b,\n"
    line, reason = _single_error(text)
    assert (line, reason) == (3, "term '\\u200b' is empty after normalisation")


def test_duplicate_term_exact_and_after_normalisation() -> None:
    text = (
        HEADER
        + "wifi,home_internet,wifi,keyword,Wi-Fi,\n"
        + "wifi,home_internet,wifi,keyword,ＷｉＦｉ,\n"
        + "signal,network,signal,keyword,圏外,\n"
        + "signal,network,signal,keyword,圏外,\n"
        + "billing,billing,general,keyword,ﾜｲﾌｧｲ,\n"
        + "billing,billing,general,keyword,ワイファイ,\n"
    )
    assert _errors(text) == [
        (3, "duplicate keyword 'ＷｉＦｉ' (same as 'Wi-Fi' on line 2 after normalisation)"),
        (5, "duplicate keyword '圏外' (first on line 4)"),
        (7, "duplicate keyword 'ワイファイ' (same as 'ﾜｲﾌｧｲ' on line 6 after normalisation)"),
    ]


def test_duplicate_exclusions() -> None:
    text = (
        HEADER
        + "signal,network,signal,keyword,圏外,\n"
        + "signal,network,signal,exclude,恋愛圏外,\n"
        + "signal,network,signal,exclude,恋愛圏外,\n"
        + "*,,,exclude,求人,\n"
        + "*,,,exclude,求人,\n"
        + "signal,network,signal,exclude,求人,\n"
    )
    assert _errors(text) == [
        (4, "duplicate exclusion '恋愛圏外' (first on line 3)"),
        (6, "duplicate global exclusion '求人' (first on line 5)"),
        (7, "exclusion '求人' is already a global exclusion"),
    ]


def test_inconsistent_department_and_account() -> None:
    text = (
        HEADER
        + "signal,network,signal,keyword,圏外,\n"
        + "signal,billing,signal,keyword,電波悪い,\n"
        + "signal,network,general,keyword,電波弱い,\n"
    )
    assert _errors(text) == [
        (3, "topic 'signal' department 'billing' differs from 'network' (line 2)"),
        (4, "topic 'signal' account 'general' differs from 'signal' (line 2)"),
    ]


def test_term_too_long_for_a_query() -> None:
    long_term = "圏" * 600
    line, reason = _single_error(HEADER + f"signal,network,signal,keyword,{long_term},\n")
    assert line == 2
    assert "too long" in reason and "512-character query" in reason
    # ...but it fits an Enterprise query.
    assert load_catalogue(HEADER + f"signal,network,signal,keyword,{long_term},\n", max_query_length=4096)


@pytest.mark.parametrize("term", ['"圏外"', "圏外(電波)", "圏外）", "圏外＂"])
def test_query_breaking_characters(term: str) -> None:
    quoted = '"' + term.replace('"', '""') + '"'
    line, reason = _single_error(HEADER + f"signal,network,signal,keyword,{quoted},\n")
    assert line == 2
    assert "query-breaking character" in reason


def test_spaces_colons_and_hyphens_are_handled_by_quoting() -> None:
    catalogue = load_catalogue(
        HEADER + "devices,devices,general,keyword,iPhone 不具合,\ndevices,devices,general,keyword,lang:ja,\n"
    )
    assert catalogue.keywords() == ("iPhone 不具合", "lang:ja")


def test_mention_terms_are_refused() -> None:
    assert "mention" in _single_error(HEADER + "signal,network,signal,keyword,@softbank,\n")[1]


def test_non_utf8_file() -> None:
    data = (HEADER + "signal,network,signal,keyword,圏外,\n").encode() + "電波悪い".encode("shift_jis") + b"\n"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(data, name="keywords.csv")
    [(line, reason)] = info.value.errors
    assert line == 3
    assert reason.startswith("not valid UTF-8")
    assert str(info.value).startswith("keywords.csv:3: not valid UTF-8")


def test_malformed_csv_and_field_count() -> None:
    text = HEADER + 'signal,network,signal,keyword,"圏外,\n' + "signal,network,signal,keyword\n"
    errors = _errors(text)
    assert errors[0][0] == 2 and errors[0][1].startswith("malformed CSV")
    assert errors[1] == (3, "expected 6 fields, got 4")


def test_global_rows() -> None:
    text = HEADER + "signal,network,signal,keyword,圏外,\n*,,,keyword,求人,\n*,network,,exclude,占い,\n"
    assert _errors(text) == [
        (3, "global topic '*' holds exclusions and context only (kind 'exclude' or 'context')"),
        (4, "global rows (topic '*') take no department or account"),
    ]
    assert _errors(HEADER + "signal,network,signal,keyword,圏外,\n*,,,ambiguous,ショップ,\n")[0][0] == 3


def test_exclusion_that_silences_own_keyword() -> None:
    text = HEADER + "billing,billing,general,keyword,電気料金,\nbilling,billing,general,exclude,料金,\n"
    assert _single_error(text) == (3, "exclusion '料金' would exclude topic 'billing''s own keyword '電気料金'")
    # Latin words are not split: the exclusion "sim" does not silence "eSIM".
    assert load_catalogue(HEADER + "sim,contracts,general,keyword,eSIM,\nsim,contracts,general,exclude,SIM,\n")


def test_global_exclusion_that_silences_a_keyword() -> None:
    text = HEADER + "signal,network,signal,keyword,圏外,\n*,,,exclude,圏,\n"
    assert _single_error(text) == (3, "exclusion '圏' would exclude topic 'signal''s own keyword '圏外'")


def test_topic_without_keywords_and_invalid_names() -> None:
    text = (
        HEADER
        + "signal,network,signal,keyword,圏外,\n"
        + "noise,network,signal,exclude,恋愛圏外,\n"
        + "Bad Topic,network,signal,keyword,電波,\n"
        + "wifi,Home Internet,wifi,keyword,Wi-Fi,\n"
    )
    assert _errors(text) == [
        (3, "topic 'noise' has no keywords"),
        (4, "invalid topic 'Bad Topic' (lowercase letters, digits, '_'; or '*' for global)"),
        (5, "invalid department 'Home Internet' (lowercase letters, digits, '_')"),
    ]


def test_every_error_is_reported_at_once() -> None:
    text = HEADER + "signal,network,sigal,keyword,圏外,\nsignal,network,signal,keywrd,電波,\nx,y,wifi,keyword,,\n"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(text, name="keywords.csv")
    assert [line for line, _ in info.value.errors] == [2, 3, 4]
    assert str(info.value).splitlines() == [
        "keywords.csv:2: unknown account 'sigal' (expected general, signal, wifi)",
        "keywords.csv:3: unknown kind 'keywrd' (expected keyword, ambiguous, noisy, context, exclude, optout)",
        "keywords.csv:4: empty term",
    ]


# --- round trips ------------------------------------------------------------------------


def test_csv_round_trip() -> None:
    catalogue = default_catalogue()
    dumped = catalogue.dump_csv()
    again = load_catalogue(dumped)
    assert again == catalogue
    assert again.notes == catalogue.notes
    assert again.dump_csv() == dumped
    assert catalogue.note("signal", "圏外") == ""
    assert catalogue.note("signal", "圏外から失礼") != ""


def test_dynamodb_items_round_trip() -> None:
    catalogue = default_catalogue()
    items = catalogue.to_items()
    assert all(isinstance(v, str) for item in items for v in item.values())
    pks = [item["pk"] for item in items]
    assert len(pks) == len(set(pks))
    assert "KW#signal#圏外" in pks
    assert "EX#signal#恋愛圏外" in pks
    assert "EX#*#求人" in pks
    assert "KW#shops#ショップ" in pks  # ambiguous keywords are keywords (kind tells)
    assert "CX#*#ソフトバンク" in pks
    assert "CX#shops#機種変更" in pks
    assert {item["kind"] for item in items} == {"keyword", "ambiguous", "noisy", "context", "exclude", "optout"}
    # A table scan returns items in any order; position restores the catalogue's.
    shuffled = sorted(items, key=lambda item: item["pk"])
    again = Catalogue.from_items(shuffled)
    assert again == catalogue
    assert again.notes == catalogue.notes


def test_items_with_numeric_or_no_position() -> None:
    """A table layer may store position as a number, or hand items back already ordered."""
    catalogue = default_catalogue()
    items = catalogue.to_items()
    numeric = [{**item, "position": number} for number, item in enumerate(items)]
    assert Catalogue.from_items(list(reversed(numeric))) == catalogue
    ordered = [{key: value for key, value in item.items() if key != "position"} for item in items]
    assert Catalogue.from_items(ordered) == catalogue


def test_items_are_validated() -> None:
    items = default_catalogue().to_items()
    items[0] = {**items[0], "account": "sigal"}
    items[1] = {**items[1], "pk": "KW#wrong#pk"}
    with pytest.raises(CatalogueError) as info:
        Catalogue.from_items(items)
    reasons = " / ".join(reason for _, reason in info.value.errors)
    assert "unknown account 'sigal'" in reasons
    assert "pk 'KW#wrong#pk' does not match" in reasons


# --- strength: ambiguous keywords and context -------------------------------------------


STRENGTH = (
    HEADER
    + "signal,network,signal,keyword,電波悪い,\n"
    + "signal,network,signal,ambiguous,圏外,needs context\n"
    + "signal,network,signal,exclude,恋愛,\n"
    + "signal,network,signal,context,困る,\n"
    + "*,,,context,スマホ,carrier word\n"
    + "*,,,exclude,求人,\n"
)


def test_ambiguous_keywords_and_context_load() -> None:
    catalogue = load_catalogue(STRENGTH)
    signal = catalogue.topic("signal")
    assert signal.keywords == ("電波悪い", "圏外")  # every keyword is searched
    assert signal.ambiguous == ("圏外",)
    assert signal.strong == ("電波悪い",)
    assert signal.context == ("困る",)
    assert catalogue.global_context == ("スマホ",)
    assert catalogue.global_exclusions == ("求人",)
    assert catalogue.keywords() == ("電波悪い", "圏外")
    assert catalogue.note("*", "スマホ") == "carrier word"


def test_old_format_means_every_keyword_is_strong() -> None:
    catalogue = load_catalogue(HEADER + "signal,network,signal,keyword,圏外,\n")
    assert catalogue.topic("signal").ambiguous == ()
    assert catalogue.topic("signal").strong == ("圏外",)
    assert catalogue.global_context == ()
    assert Topic("t", "d", "general", ("x",)).context == ()  # positional construction unchanged


def test_strength_round_trips() -> None:
    catalogue = load_catalogue(STRENGTH)
    again = load_catalogue(catalogue.dump_csv())
    assert again == catalogue and again.notes == catalogue.notes
    assert Catalogue.from_items(list(reversed(catalogue.to_items()))) == catalogue
    kinds = [(row["topic"], row["kind"], row["term"]) for row in catalogue.rows()]
    assert ("signal", "ambiguous", "圏外") in kinds
    assert ("*", "context", "スマホ") in kinds


def test_ambiguous_keyword_duplicates_a_strong_one() -> None:
    text = HEADER + "signal,network,signal,keyword,けんがい,\nsignal,network,signal,ambiguous,ケンガイ,\n"
    line, reason = _single_error(text)
    assert line == 3 and reason.startswith("duplicate keyword 'ケンガイ'")


def test_context_errors() -> None:
    text = (
        HEADER
        + "signal,network,signal,ambiguous,圏外,\n"  # 2
        + "signal,network,signal,context,こまる,\n"  # 3
        + "signal,network,signal,context,ｺﾏﾙ,\n"  # 4: duplicate after normalisation
        + "signal,network,signal,context,スマホ,\n"  # 5: already global
        + "signal,network,signal,exclude,恋愛,\n"  # 6
        + "signal,network,signal,context,恋愛,\n"  # 7: also an exclusion
        + "wifi,home_internet,wifi,keyword,Wi-Fi,\n"  # 8
        + "wifi,home_internet,wifi,context,遅い,\n"  # 9: nothing ambiguous to support
        + "*,,,context,スマホ,\n"  # 10
        + "*,,,context,@softbank,\n"  # 11: a mention
        + "voice,network,signal,context,通話,\n"  # 12: a topic of context only
    )
    errors = _errors(text)
    assert (4, "duplicate context 'ｺﾏﾙ' (same as 'こまる' on line 3 after normalisation)") in errors
    assert (5, "context 'スマホ' is already global context") in errors
    assert (7, "context '恋愛' is also an exclusion (line 6)") in errors
    assert (9, "context '遅い': topic 'wifi' has no ambiguous keywords to support") in errors
    assert any(line == 11 and "mention" in reason for line, reason in errors)
    assert (12, "topic 'voice' has no keywords") in errors
