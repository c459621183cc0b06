"""Normalisation of Japanese tweet text for keyword matching.

`normalize` is applied to every catalogue term once and to every tweet, so both
sides of a comparison go through exactly the same folding. The choices:

1. **NFKC** — full-width ASCII becomes half-width (``ＷｉＦｉ`` → ``WiFi``,
   ``４Ｇ`` → ``4G``), half-width katakana becomes full-width with voicing marks
   composed (``ﾜｲﾌｧｲ`` → ``ワイファイ``), ``ｰ`` → ``ー``, ideographic space → space.
2. **casefold** — ``WIFI``/``Wifi`` → ``wifi``.
3. **Invisible characters** (zero-width space/joiner, BOM, soft hyphen, emoji
   variation selectors) are removed so they cannot split a word.
4. **Long-vowel marks and wave dashes after kana.** A run of ``ー ｰ 〜 ～ ~ - ‐ – — ― −
   ─ ━`` right after a *katakana* becomes one ``ー`` (``ルータ-`` and ``ルーターーー``
   → ``ルーター``); right after a *hiragana* it is dropped, because in hiragana it is
   almost always emphatic elongation (``つながらな〜い`` → ``つながらない``). After
   kanji, digits or Latin letters dashes are left alone (``9時〜20時``).
   The word-final ``ー`` is *not* dropped (``エラー`` would fold into ``えら`` and hit
   ``えらい``); write the shorter spelling in the catalogue (``ルータ`` matches both
   ``ルータ`` and ``ルーター`` as a substring).
5. **Hiragana → katakana** and **small kana → full size** (``ぁ``/``ァ``→``ア``,
   ``っ``/``ッ``→``ツ``, ``ゃ``→``ヤ``, ``ヶ``/``ヵ``→``カ``): ``ワイファイ``, ``ﾜｲﾌｧｲ``,
   ``ワイフアイ`` and ``わいふぁい`` all become ``ワイフアイ``; ``けんがい`` meets
   ``ケンガイ``. Katakana is the target (not hiragana) so that the result contains no
   hiragana followed by ``ー`` and step 4 leaves it unchanged: normalising twice is a
   no-op. Folding is lossy (``きって``/``きつて`` meet) but only ever merges
   spellings, which is what a listener wants.
6. **Separators inside Latin words** — a hyphen (any dash variant), ``ー``, ``_`` or
   ``・`` between two ASCII letters is removed: ``Wi-Fi``, ``Wi‐Fi``, ``Wi・Fi``,
   ``WiFi``, ``ＷｉＦｉ`` → ``wifi``; ``e-SIM`` → ``esim``. Between digits it stays
   (``1-2``), and ``.`` stays (``2.4ghz``).
7. **Whitespace** — runs collapse to one space, kept only between two ASCII letters or
   digits (a Latin word boundary: ``macbook air``); everywhere else Japanese spacing
   is arbitrary and removed (``電波 悪い`` → ``電波悪い``, ``iPhone 不具合`` →
   ``iphone不具合``). Leading and trailing spaces go.

Order of the passes: NFKC + casefold, invisible characters, whitespace, hiragana
elongation, kana folding (then NFC when a spacing ``゛``/``゜`` left a combining mark:
``ウ゛`` → ``ヴ``), katakana long vowels, Latin separators. This order makes the
function idempotent: ``normalize(normalize(s)) == normalize(s)`` (fuzz-tested).
Kanji are never folded (``繋がらない`` and ``つながらない`` are different catalogue
entries). About 10-15 µs for a 50-character tweet (``tests/bench/bench_matcher.py``).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["contains_term", "is_latin_alnum", "normalize", "on_word_edges"]

# Dash-like characters that stand for a long vowel after kana.
_DASHES = "\\-‐‑‒–—―−~〜〰ー─━"
_HIRAGANA = "ぁ-ゖゝゞ"
_KATAKANA = "ァ-ヺヽヾ"

# Patterns start with the character they act on (not with a look-behind) so that the
# regex engine can skip ahead quickly; the look-behind then checks the context.
_HIRA_ELONGATION = re.compile(f"[{_DASHES}](?<=[{_HIRAGANA}][{_DASHES}])[{_DASHES}]*")
_KATA_ELONGATION = re.compile(f"[{_DASHES}](?<=[{_KATAKANA}][{_DASHES}])[{_DASHES}]*")
_LATIN_SEPARATOR = re.compile(r"[\-‐‑‒–—―−ー_・](?<=[a-z].)(?=[a-z])")
_WHITESPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff\ufe0e\ufe0f]")
_LOOSE_SPACE = re.compile(r" (?:(?<![0-9a-z] )|(?![0-9a-z]))")
# Cheap pre-check: only run the elongation regexes when a dash-like char is present.
_HAS_DASH = re.compile(f"[{_DASHES}]")


class _Table(dict[int, int | None]):
    """A str.translate table that remembers unmapped characters as themselves, so
    lookups stop raising (and catching) KeyError after the first sight of a char."""

    def __missing__(self, key: int) -> int:
        self[key] = key
        return key


def _build_table() -> _Table:
    table = _Table()
    # Hiragana ぁ..ゖ (U+3041..U+3096) map onto katakana ァ..ヶ (U+30A1..U+30F6).
    for code in range(0x3041, 0x3097):
        table[code] = code + 0x60
    table[ord("ゝ")] = ord("ヽ")
    table[ord("ゞ")] = ord("ヾ")
    small = {
        "ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ", "ッ": "ツ",
        "ャ": "ヤ", "ュ": "ユ", "ョ": "ヨ", "ヮ": "ワ", "ヵ": "カ", "ヶ": "カ",
    }  # fmt: skip
    for small_kana, big in small.items():
        table[ord(small_kana)] = ord(big)
        table[ord(small_kana) - 0x60] = ord(big)  # ぁ→ア directly, not via ァ
    return table


_TABLE = _build_table()


def normalize(text: str) -> str:
    """Fold `text` into the canonical form used on both sides of keyword matching."""
    s = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).casefold())
    # Whitespace first: dropping a space may put a dash right after a kana.
    s = _LOOSE_SPACE.sub("", _WHITESPACE.sub(" ", s))
    dashes = _HAS_DASH.search(s) is not None
    if dashes:
        s = _HIRA_ELONGATION.sub("", s)  # before kana folding: it needs to see hiragana
    s = s.translate(_TABLE)
    if "\u3099" in s or "\u309a" in s:  # a spacing ゛/゜ became combining: compose (ウ゛ -> ヴ)
        s = unicodedata.normalize("NFC", s)
    if dashes:
        s = _KATA_ELONGATION.sub("ー", s)  # every kana is katakana now
    return _LATIN_SEPARATOR.sub("", s)


def is_latin_alnum(ch: str) -> bool:
    """True for an ASCII letter or digit (the characters that form Latin words)."""
    return ch.isascii() and ch.isalnum()


def _joins(a: str, b: str) -> bool:
    """True when `a` followed by `b` is inside one ASCII word or number."""
    return a.isascii() and b.isascii() and ((a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit()))


def contains_term(haystack: str, needle: str) -> bool:
    """`needle` occurs in `haystack` without splitting an ASCII word or number.

    The same rule the matcher applies (``sim`` is in ``sim2枚`` but not in ``esim``);
    both arguments should already be normalised.
    """
    if not needle:
        return False
    start = haystack.find(needle)
    while start >= 0:
        if on_word_edges(haystack, start, start + len(needle)):
            return True
        start = haystack.find(needle, start + 1)
    return False


def on_word_edges(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` neither starts nor ends inside an ASCII word or number."""
    return not (start and _joins(text[start - 1], text[start])) and not (
        end < len(text) and _joins(text[end - 1], text[end])
    )
