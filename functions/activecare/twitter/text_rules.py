"""Weighted post length as X counts it (twitter-text v3 config).

Code points in 0-4351, 8192-8205, 8208-8223 and 8242-8247 weigh 1, every other code
point (kana, kanji, full-width forms, emoji...) weighs 2; each URL counts 23 whatever
its length. A post may weigh at most 280. Text is NFC-normalised first, as X does.
"""

from __future__ import annotations

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
URL_RE = re.compile(r"https?://[^\s\u3000<>\"「」（）()]+")
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _weight(ch: str) -> int:
    cp = ord(ch)
    return 1 if any(lo <= cp <= hi for lo, hi in _LIGHT) else 2


def weighted_length(text: str) -> int:
    """The length X charges a post's text against the 280 limit."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for m in URL_RE.finditer(text):
        total += sum(_weight(c) for c in text[pos : m.start()]) + URL_WEIGHT
        pos = m.end()
    return total + sum(_weight(c) for c in text[pos:])


def fits(text: str) -> bool:
    return weighted_length(text) <= MAX_WEIGHTED_LENGTH


def has_url(text: str) -> bool:
    return URL_RE.search(text) is not None


def comparable(text: str) -> str:
    """A form of a post's text that survives X's rewriting: URLs (t.co-wrapped on X) become one
    token, leading @mentions (added to replies) and surrounding whitespace are dropped."""
    text = unicodedata.normalize("NFC", text).strip()
    text = re.sub(r"^(?:@\w{1,15}\s+)+", "", text)
    return re.sub(r"\s+", " ", URL_RE.sub("<url>", text)).strip()
