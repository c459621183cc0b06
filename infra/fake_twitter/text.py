"""Text helpers shared by the fake: normalisation for matching, entity extraction and the
weighted post length of twitter-text v3."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23

MENTION_RE = re.compile(r"(?<![A-Za-z0-9_!#$%&*@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@＠])")
HASHTAG_RE = re.compile(r"(?<![\w&#＃])[#＃](\w*[^\W\d]\w*)")
URL_RE = re.compile(r"https?://[^\s\u3000<>\"]+")

# twitter-text v3: these code point ranges weigh 1, everything else (CJK, emoji...) weighs 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def normalize(text: str) -> str:
    """NFKC + casefold: full-width/half-width and case differences do not matter."""
    return unicodedata.normalize("NFKC", text).casefold()


def is_word_char(ch: str) -> bool:
    """ASCII letters, digits and underscore: the characters a keyword boundary splits on."""
    return ch.isascii() and (ch.isalnum() or ch == "_")


def detect_lang(text: str) -> str:
    """A crude stand-in for X's language detection: kana/kanji -> ja, Latin -> en."""
    body = URL_RE.sub("", MENTION_RE.sub("", text))
    if any(_is_japanese(ch) for ch in body):
        return "ja"
    if any(ch.isascii() and ch.isalpha() for ch in body):
        return "en"
    return "und"


def _is_japanese(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\uff66" <= ch <= "\uff9f"


def weighted_length(text: str) -> int:
    """Length as X counts it: URLs are 23, CJK and emoji weigh 2, Latin weighs 1."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for match in URL_RE.finditer(text):
        total += _weigh(text[pos : match.start()]) + URL_WEIGHT
        pos = match.end()
    return total + _weigh(text[pos:])


def _weigh(chunk: str) -> int:
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in _LIGHT_RANGES) else 2 for ch in chunk)


def extract_entities(text: str, user_ids: Mapping[str, str]) -> dict[str, Any]:
    """The v2 `entities` object (code point offsets); `user_ids` maps lower-case usernames to ids."""
    entities: dict[str, Any] = {}
    mentions = []
    for m in MENTION_RE.finditer(text):
        item: dict[str, Any] = {"start": m.start(), "end": m.end(), "username": m.group(1)}
        if m.group(1).lower() in user_ids:
            item["id"] = user_ids[m.group(1).lower()]
        mentions.append(item)
    hashtags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in HASHTAG_RE.finditer(text)]
    urls = [
        {
            "start": m.start(),
            "end": m.end(),
            "url": m.group(0),
            "expanded_url": m.group(0),
            "display_url": m.group(0).split("://", 1)[1][:40],
        }
        for m in URL_RE.finditer(text)
    ]
    for key, items in (("mentions", mentions), ("hashtags", hashtags), ("urls", urls)):
        if items:
            entities[key] = items
    return entities
