"""twitter-text 3.1.0's `parseTweet` and `extractUrlsWithIndices`, ported line by line from its JavaScript
(Apache-2.0, Copyright Twitter, Inc.), with the very regular expressions of the bundle the desk's browser runs
(twitter_text_regexen, generated from functions/desk/web/vendor/twitter-text.js).

JavaScript strings are UTF-16: the regexes match code units and every index and length below is in code
units. The text is converted to a Python string of code units (lone surrogates for characters outside the
BMP) before matching, so the regexes run unchanged and the arithmetic is JavaScript's.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import cache

from activecare.twitter import twitter_text_regexen as rx

MAX_WEIGHTED_TWEET_LENGTH = 280  # configs.defaults (version 3)
SCALE = 100
DEFAULT_WEIGHT = 200
TRANSFORMED_URL_LENGTH = 23
RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))

DEFAULT_PROTOCOL = "https://"
MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
MAX_DOMAIN_LABEL_LENGTH = 63
PUNYCODE_ENCODED_DOMAIN_PREFIX = "xn--"
_PUNYCODE_SEPARATORS = re.compile("[\x2e\u3002\uff0e\uff61]")  # punycode.js 1.4.1 mapDomain
# Python's re.IGNORECASE folds these (NFC-stable) letters onto ASCII ones (I, S), JavaScript's `i` flag does
# not: the URL regexes see a stand-in instead, a caseless letter of the same classes (Latin Extended-A, ĸ).
_JS_CASELESS = str.maketrans({"\u0130": "\u0138", "\u0131": "\u0138", "\u017f": "\u0138"})


@dataclass(frozen=True)
class Parsed:
    weighted_length: int
    valid: bool  # within 1..280 and free of the invalid characters U+FFFE, U+FEFF, U+FFFF


@dataclass(frozen=True)
class Url:
    url: str
    start: int  # UTF-16 code units, as twitter-text's indices
    end: int


class _Regexen:
    """Compiled on first use: the URL regexes hold every TLD and take some milliseconds to compile, which
    only the functions that count or compare post texts should pay."""

    def __init__(self) -> None:
        def flags(ignorecase: bool) -> int:
            return re.IGNORECASE if ignorecase else 0

        self.extract_url = re.compile(rx.EXTRACT_URL, flags(rx.EXTRACT_URL_IGNORECASE))
        self.valid_ascii_domain = re.compile(rx.VALID_ASCII_DOMAIN, flags(rx.VALID_ASCII_DOMAIN_IGNORECASE))
        self.valid_tco_url = re.compile(rx.VALID_TCO_URL, flags(rx.VALID_TCO_URL_IGNORECASE))
        self.invalid_chars = re.compile(rx.INVALID_CHARS, flags(rx.INVALID_CHARS_IGNORECASE))
        self.invalid_preceding = re.compile(rx.INVALID_URL_WITHOUT_PROTOCOL_PRECEDING_CHARS,
                                            flags(rx.INVALID_URL_WITHOUT_PROTOCOL_PRECEDING_CHARS_IGNORECASE))
        self.emoji = re.compile(rx.EMOJI)


@cache
def _rx() -> _Regexen:
    return _Regexen()


def to_units(text: str) -> str:
    """`text` as JavaScript sees it: one character per UTF-16 code unit."""
    if all(ord(ch) < 0x10000 for ch in text):
        return text
    return "".join(map(chr, array("H", text.encode("utf-16-le", "surrogatepass"))))


def from_units(units: str) -> str:
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _to_ascii(domain: str) -> str | None:
    """lib/idna.js toAscii with punycode.js 1.4.1's toASCII per label; None for an invalid domain."""
    if domain[:4] == PUNYCODE_ENCODED_DOMAIN_PREFIX and not _rx().valid_ascii_domain.search(
            domain.translate(_JS_CASELESS)):
        return None  # punycode encoded url cannot contain non ASCII characters
    labels = domain.split(".")
    for label in labels:
        if not 1 <= len(_punycode_to_ascii(label)) <= MAX_DOMAIN_LABEL_LENGTH:
            return None  # DNS label has invalid length
    return ".".join(labels)


def _punycode_to_ascii(units: str) -> str:
    """punycode.js toASCII (no nameprep): each non-ASCII label becomes xn-- and its RFC 3492 encoding."""
    parts = _PUNYCODE_SEPARATORS.sub(".", units).split(".")
    out = []
    for part in parts:
        if re.search("[^\x20-\x7e]", part):
            out.append(PUNYCODE_ENCODED_DOMAIN_PREFIX + from_units(part).encode("punycode").decode("ascii"))
        else:
            out.append(part)
    return ".".join(out)


def _is_valid_url(url: str, protocol: str, domain: str) -> bool:
    puny = _to_ascii(domain)
    if not puny:
        return False
    return len(protocol) + len(url) + len(puny) - len(domain) <= MAX_URL_LENGTH


def extract_urls_with_indices(units: str) -> list[Url]:
    """extractUrlsWithIndices(text) with its default extractUrlsWithoutProtocol: true, over code units."""
    if not units or "." not in units:
        return []
    r = _rx()
    probe = units.translate(_JS_CASELESS)  # what the regexes see; strings are cut from `units`, index for index
    urls: list[Url] = []
    for m in r.extract_url.finditer(probe):
        before, url, protocol, domain, path = (m.group(2), units[m.start(3) : m.end(3)], m.group(4),
                                                units[m.start(5) : m.end(5)], m.group(7))
        end = m.end()
        start = end - len(url)
        if not _is_valid_url(url, protocol or DEFAULT_PROTOCOL, domain):
            continue
        if not protocol:  # extract ASCII-only domains
            if r.invalid_preceding.search(before):
                continue
            last: Url | None = None
            ascii_end = 0
            probe_domain = domain.translate(_JS_CASELESS)
            for ascii_match in r.valid_ascii_domain.finditer(probe_domain):
                ascii_start = probe_domain.find(ascii_match.group(0), ascii_end)
                ascii_domain = domain[ascii_start : ascii_start + len(ascii_match.group(0))]
                ascii_end = ascii_start + len(ascii_domain)
                last = Url(ascii_domain, start + ascii_start, start + ascii_end)
                urls.append(last)
            if last is None:
                continue  # no ASCII-only domain found: skip the entire URL
            if path:  # the last one only holds the domain: add the path and query
                urls[-1] = Url(url.replace(domain, last.url, 1), last.start, end)
        else:
            tco = r.valid_tco_url.search(url.translate(_JS_CASELESS))  # t.co URLs: no more path characters
            if tco:
                slug = tco.group(1)
                if slug and len(slug) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = url[: tco.end()]
                end = start + len(url)
            urls.append(Url(url, start, end))
    return urls


def _character_weight(unit: str) -> int:
    cp = ord(unit)
    for lo, hi, weight in RANGES:
        if lo <= cp <= hi:
            return weight
    return DEFAULT_WEIGHT


def _is_surrogate_pair(units: str, i: int) -> bool:
    return i < len(units) - 1 and 0xD800 <= ord(units[i]) <= 0xDBFF and 0xDC00 <= ord(units[i + 1]) <= 0xDFFF


def parse_tweet(text: str) -> Parsed:
    """parseTweet(text) with configs.defaults (version 3, emoji parsing enabled): weightedLength and valid."""
    units = to_units(unicodedata.normalize("NFC", text))
    r = _rx()
    url_at = {u.start: u for u in extract_urls_with_indices(units)}
    emoji_at = {m.start(): m.group(0) for m in r.emoji.finditer(units)}
    weighted, valid, i = 0, True, 0
    while i < len(units):
        if i in url_at:
            weighted += TRANSFORMED_URL_LENGTH * SCALE
            i += len(url_at[i].url) - 1
        elif i in emoji_at:
            weighted += DEFAULT_WEIGHT
            i += len(emoji_at[i]) - 1
        else:
            i += 1 if _is_surrogate_pair(units, i) else 0
            weighted += _character_weight(units[i])
        if valid:
            valid = not r.invalid_chars.search(units[i : i + 1])
        i += 1
    length = weighted // SCALE
    return Parsed(length, valid and 0 < length <= MAX_WEIGHTED_TWEET_LENGTH)
