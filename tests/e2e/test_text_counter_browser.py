"""The web desk's counter and the server's agree: the vendored twitter-text bundle
(functions/desk/web/vendor/twitter-text.js), loaded into a blank page of Debian's headless Chromium through
Playwright, gives `twttr.txt.parseTweet(text).weightedLength` equal to activecare's weighted_length, and the
same validity and URL finding, on every case of the conformance sections text_rules follows and on Japanese
support texts with URLs and emoji. Playwright drives /usr/bin/chromium (`apt-get install chromium`); it never
downloads a browser."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page

from activecare.twitter import twitter_text_regexen as rx
from activecare.twitter.text_rules import fits, has_url, weighted_length

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "functions" / "desk" / "web" / "vendor" / "twitter-text.js"
VALIDATE_YML = ROOT / "tests" / "data" / "twitter-text" / "validate.yml"
SECTIONS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")

JAPANESE = [
    "電波が悪いです https://example.com/x 🙇‍♂️",
    "ご不便をおかけしております。詳しくは https://www.example.co.jp/support/form/long/path?x=1&y=2 をご覧ください"
    "👨‍👩‍👧‍👦",
    "圏外です😭 example.co.jp/faq でご確認ください",
    "「https://example.com/（障害情報）」をご確認ください🙏🏻",
    "＠ac_help ﾃｻﾞﾘﾝｸﾞできません💦 #電波 http://日本語.jp/a",
    "5G が使えない… t.co/abc123 と 1⃣2⃣3⃣ と 🇯🇵",
    "か\u3099ぎ\u202a https://example.com/a\u202c\u200f 通信障害のお知らせ",
    "あ" * 128 + " https://example.com/" + "a" * 300 + " 以上です",
    "お客さま、ご連絡ありがとうございます。example.comとhttps://example.org/a?b=c#d、どちらも🙆‍♀️",
]


# Pieces that stress the URL, emoji, normalisation and case rules (İ ı ſ fold onto ASCII letters in Python's
# re.IGNORECASE, not in JavaScript's), joined at random.
PIECES = [
    "a", "Z", " ", "\n", ".", "/", "-", "_", "@", "#", "$", "(", ")", "?", "=", "&",
    "電波", "あ", "ｱ", "。", "「", "）",
    "example.com", "x.com", "t.co/abc", "https://", "http://", "HTTPS://", "www.", "ドメイン.jp", "xn--wgv71a119e.jp",
    ".co.jp", "/path", "?q=1", "#frag", "😷", "👨‍👩‍👧‍👦", "🙇‍♂️", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "1⃣", "❤️‍🔥", "\u200d", "\ufe0f",
    "\u202a", "\u200f", "\ufeff", "\uffff", "ſ", "İ", "ı", "\u212a", "foo.рф", "ПРИМЕР.РФ", "a" * 64 + ".com",
    "e\u0301", "か\u3099", ":8080", "…", "“", "\u3000", ".com", "bit.ly/x", "@user",
]


def _cases() -> list[Any]:
    tests = yaml.safe_load(VALIDATE_YML.read_text(encoding="utf-8"))["tests"]
    cases = [pytest.param(c["text"], id=c["description"]) for s in SECTIONS for c in tests[s]]
    return cases + [pytest.param(text, id=f"ja-{i}") for i, text in enumerate(JAPANESE, 1)]


@pytest.fixture(scope="session")
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
        page.add_script_tag(path=str(BUNDLE))
        assert page.evaluate("typeof twttr.txt.parseTweet") == "function"
        yield page
    finally:
        page.close()


@pytest.mark.parametrize("text", _cases())
def test_the_browser_counts_as_the_server(page: Page, text: str) -> None:
    js = page.evaluate("""text => {
        const parsed = twttr.txt.parseTweet(text);
        return {weightedLength: parsed.weightedLength, valid: parsed.valid,
                urls: twttr.txt.extractUrls(text.normalize()).length};
    }""", text)
    assert weighted_length(text) == js["weightedLength"]
    assert fits(text) is js["valid"]
    assert has_url(text) is (js["urls"] > 0)


def test_random_texts_count_alike(page: Page) -> None:
    rng = random.Random(20261125)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))) for _ in range(2000)]
    js = page.evaluate("""texts => texts.map(text => {
        const parsed = twttr.txt.parseTweet(text);
        return [parsed.weightedLength, parsed.valid, twttr.txt.extractUrls(text.normalize()).length > 0];
    })""", texts)
    differ = [(t, [weighted_length(t), fits(t), has_url(t)], j) for t, j in zip(texts, js, strict=True)
              if [weighted_length(t), fits(t), has_url(t)] != j]
    assert not differ, f"{len(differ)} of {len(texts)} differ, e.g. {differ[:3]}"


def test_the_server_runs_the_bundles_regexes(page: Page) -> None:
    """twitter_text_regexen holds the sources of the loaded bundle's regexen (over UTF-16 code units)."""
    names = {"EXTRACT_URL": "extractUrl", "VALID_ASCII_DOMAIN": "validAsciiDomain", "VALID_TCO_URL": "validTcoUrl",
             "INVALID_CHARS": "invalidChars",
             "INVALID_URL_WITHOUT_PROTOCOL_PRECEDING_CHARS": "invalidUrlWithoutProtocolPrecedingChars"}
    # The sources come back as lists of UTF-16 code units: JSON would pair up the surrogates.
    js = page.evaluate("""names => Object.fromEntries(names.map(n => {
        const r = twttr.txt.regexen[n], units = [];
        for (let i = 0; i < r.source.length; i++) units.push(r.source.charCodeAt(i));
        return [n, {units, ignoreCase: r.ignoreCase}];
    }))""", list(names.values()))
    for name, js_name in names.items():
        assert [ord(ch) for ch in getattr(rx, name)] == js[js_name]["units"], name
        assert getattr(rx, f"{name}_IGNORECASE") is js[js_name]["ignoreCase"], name
