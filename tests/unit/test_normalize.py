"""Japanese normalisation table."""

from __future__ import annotations

import random

import pytest

from activecare.keywords.normalize import contains_term, normalize

TABLE = [
    # Wi-Fi spellings all meet.
    ("Wi-Fi", "wifi"),
    ("WiFi", "wifi"),
    ("WIFI", "wifi"),
    ("wi-fi", "wifi"),
    ("ＷｉＦｉ", "wifi"),
    ("Ｗｉ－Ｆｉ", "wifi"),
    ("Wi‐Fi", "wifi"),  # U+2010 hyphen
    ("Wi–Fi", "wifi"),  # en dash
    ("Wi・Fi", "wifi"),
    ("Wi･Fi", "wifi"),  # half-width middle dot
    ("Wiーfi", "wifi"),  # IME long-vowel mark between letters
    ("e-SIM", "esim"),
    # ワイファイ in every width and script.
    ("ワイファイ", "ワイフアイ"),
    ("ﾜｲﾌｧｲ", "ワイフアイ"),
    ("ワイフアイ", "ワイフアイ"),
    ("わいふぁい", "ワイフアイ"),
    # Full-width digits and letters.
    ("４Ｇ", "4g"),
    ("５Ｇ掴まない", "5g掴マナイ"),
    ("アンテナ１本", "アンテナ1本"),
    ("１２８ｋｂｐｓ", "128kbps"),
    # 圏外 variants.
    ("圏外", "圏外"),
    ("圏 外", "圏外"),
    ("圏\u200b外", "圏外"),  # zero-width space
    ("けんがい", "ケンガイ"),
    ("ケンガイ", "ケンガイ"),
    ("ｹﾝｶﾞｲ", "ケンガイ"),
    # Long vowels and wave dashes.
    ("ルーター", "ルーター"),
    ("ルーターーー", "ルーター"),
    ("ルータ-", "ルーター"),
    ("ﾙｰﾀｰ", "ルーター"),
    ("ルータ〜", "ルーター"),
    ("つながらな〜い", "ツナガラナイ"),
    ("つながらなーーい", "ツナガラナイ"),
    ("つながらない～～", "ツナガラナイ"),
    ("9時〜20時", "9時〜20時"),  # after kanji/digits a wave dash is a range: kept
    ("1-2", "1-2"),
    # Small kana, ヶ.
    ("ショップ", "シヨツプ"),
    ("しょっぷ", "シヨツプ"),
    ("3ヶ月", "3カ月"),
    ("3ヵ月", "3カ月"),
    # Whitespace: kept only between Latin words.
    ("電波　悪い", "電波悪イ"),
    ("電波\n悪い", "電波悪イ"),
    ("iPhone 不具合", "iphone不具合"),
    ("MacBook   Air", "macbook air"),
    ("SIM 2枚", "sim 2枚"),
    ("  ｿﾌﾄﾊﾞﾝｸ　ｴｱｰ ", "ソフトバンクエアー"),
    ("2.4GHz", "2.4ghz"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), TABLE)
def test_normalisation_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(("raw", "_expected"), TABLE)
def test_normalisation_is_idempotent(raw: str, _expected: str) -> None:
    assert normalize(normalize(raw)) == normalize(raw)


def test_idempotent_on_mixed_text() -> None:
    samples = [
        "ソフトバンク圏外すぎて草ｗｗｗ　Wi-Fiもつながらな〜い！！ https://t.co/x",
        "ｿﾌﾄﾊﾞﾝｸｴｱｰのランプが赤ーーーい",
        "らーめん食べたい〜 ＠ｓｏｆｔｂａｎｋ",
    ]
    for text in samples:
        assert normalize(normalize(text)) == normalize(text)


def test_idempotent_on_random_strings() -> None:
    """Fuzz with the characters the passes interact on (kana, dashes, marks, spaces)."""
    alphabet = "あいうぁっーｰ〜～-‐ aAbZ09１ワｲﾌｧﾞ・_\u200b\u3000\n圏外ヶゝ!.:ﾟ゛゜\u3099"
    rng = random.Random(1)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        once = normalize(text)
        assert normalize(once) == once, ascii(text)


def test_spacing_voicing_marks_compose() -> None:
    assert normalize("ウ゛ィ") == normalize("ヴィ") == "ヴイ"
    assert normalize("ｶﾞｲ") == normalize("か゛い") == "ガイ"


def test_contains_term_respects_latin_words() -> None:
    assert contains_term("sim2枚", "sim")
    assert contains_term("simカード", "sim")
    assert not contains_term("esim", "sim")
    assert not contains_term("simple", "sim")
    assert not contains_term("4gb", "4g")
    assert not contains_term("14g", "4g")
    assert contains_term("iphone15", "iphone")
    assert contains_term("圏外です", "圏外")
    assert not contains_term("圏外", "")
