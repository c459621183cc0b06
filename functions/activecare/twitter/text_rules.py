"""X's text rules by the book: the weighted length, validity and URLs of a post as twitter-text v3 defines
them (the counting X uses today: twitter-text's conformance suite, validate.yml sections
WeightedTweetsWithDiscountedEmojiCounterTest and UnicodeDirectionalMarkerCounterTest, passes in
tests/unit/test_text_conformance.py).

A post may weigh at most 280. After NFC normalisation every URL twitter-text extracts (with or without
`https://`, as X links both, up to 4096 characters with its domain punycode-encoded) weighs 23, every emoji
(a whole sequence: family, skin tone, flag, keycap) weighs 2, code points in 0-4351, 8192-8205, 8208-8223
and 8242-8247 weigh 1 and every other one (kana, kanji, full-width forms...) weighs 2. U+FFFE, U+FEFF and
U+FFFF make a post invalid, and so does an empty one.

Why a port (activecare.twitter.twitter_text) and not the PyPI package twitter-text-parser 3.0.0, which
agrees with those 24 cases too (a pure-Python py3-none-any wheel, MIT):
- it imports `pkg_resources` without declaring setuptools, which neither the artifacts (pinned wheels
  only) nor the runtime provide (tests/build: RUNTIME_PROVIDED), and setuptools 82 (February 2026) removed
  pkg_resources altogether: it could only ship with a setuptools<82 pinned into the desk and publisher;
- importing it costs 160-220 ms with a warm bytecode cache on this machine (`python -X importtime -c 'import
  twitter_text'`: pkg_resources ~63 ms, parsing its bundled 395 kB emoji-test.txt into an emoji regex ~40 ms,
  compiling the URL regexes ~50 ms), more from source as Lambda loads it; the desk handler's whole import is
  ~210 ms, and the desk imports this module when it starts;
- its emoji data is Unicode 12.0's (2019), it has not been released since 2023 and it has no type hints.
The port (activecare.twitter.twitter_text) is twitter-text 3.1.0's JavaScript, run with the regular
expressions of the very bundle the desk's browser counter loads (functions/desk/web/vendor/twitter-text.js;
tests/e2e/test_text_counter_browser.py compares both counters), so the browser and the server count alike.
It imports in ~3.5 ms and compiles its regexes on first use (~27 ms, once per Lambda container).
"""

from __future__ import annotations

import re
import unicodedata

from activecare.twitter.twitter_text import (
    MAX_WEIGHTED_TWEET_LENGTH,
    TRANSFORMED_URL_LENGTH,
    extract_urls_with_indices,
    from_units,
    parse_tweet,
    to_units,
)

MAX_WEIGHTED_LENGTH = MAX_WEIGHTED_TWEET_LENGTH
URL_WEIGHT = TRANSFORMED_URL_LENGTH


def weighted_length(text: str) -> int:
    """The length X charges a post's text against the 280 limit."""
    return parse_tweet(text).weighted_length


def fits(text: str) -> bool:
    """Whether X takes the text as a post: it weighs 1 to 280 and holds no invalid character."""
    return parse_tweet(text).valid


def has_url(text: str) -> bool:
    """Whether X finds a URL in the text (and links it, and bills the post as one with a URL): twitter-text's
    URL extraction, so `example.com/a` counts as well as `https://example.com/a`."""
    return bool(extract_urls_with_indices(to_units(unicodedata.normalize("NFC", text))))


def comparable(text: str) -> str:
    """A form of a post's text that survives X's rewriting: URLs (t.co-wrapped on X) become one
    token, leading @mentions (added to replies) and surrounding whitespace are dropped."""
    text = unicodedata.normalize("NFC", text).strip()
    text = re.sub(r"^(?:@\w{1,15}\s+)+", "", text)
    units = to_units(text)
    pieces, pos = [], 0
    for url in extract_urls_with_indices(units):
        pieces += [units[pos : url.start], "<url>"]
        pos = url.end
    pieces.append(units[pos:])
    return re.sub(r"\s+", " ", from_units("".join(pieces))).strip()
