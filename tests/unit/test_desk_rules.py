"""Pure desk rules: weighted length, service hours, personal data, tier rule, templates, cost."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from activecare.clock import JST
from activecare.desk.cost import posts_cost_usd
from activecare.desk.policy import api_may_reply, intent_url, personal_data
from activecare.desk.templates import default_templates
from activecare.hours import in_service_hours, jst_date
from activecare.twitter.text_rules import comparable, fits, has_url, weighted_length


@pytest.mark.parametrize("text, weight", [
    ("hello", 5),
    ("圏外", 4),
    ("ｱ", 2),  # half-width katakana is outside the light ranges
    ("“quoted”…", 10),  # “ ” (8220, 8221) weigh 1, … (8230) is outside the ranges and weighs 2
    ("詳しくは https://www.example.co.jp/support/form/very/long/path?x=1 へ", 8 + 1 + 23 + 1 + 2),
    ("😀", 2),
    ("が", 2),  # NFC: か + combining mark is one character
])
def test_weighted_length_follows_twitter_text(text: str, weight: int) -> None:
    assert weighted_length(text) == weight


def test_280_weighted_is_the_limit() -> None:
    assert fits("あ" * 140) and not fits("あ" * 141)
    assert fits("a" * 280) and not fits("a" * 281)
    assert has_url("see https://x.com/a") and not has_url("see x.comm")
    # twitter-text extracts a bare domain too (conformance/extract.yml, "Extract URLs without protocol on
    # (com|org|edu|gov|net) domains"): X links it and counts it 23, so it is a URL post.
    assert has_url("see x.com") and weighted_length("see x.com") == 4 + 23


def test_comparable_survives_tco_wrapping_and_reply_prefixes() -> None:
    assert comparable("@cust1 ご確認ください https://t.co/abc") == comparable("ご確認ください  https://www.example.co.jp/a")


@pytest.mark.parametrize("hh, mm, open_", [(8, 59, False), (9, 0, True), (19, 59, True), (20, 0, False),
                                           (23, 30, False)])
def test_service_hours_are_nine_to_eight_in_tokyo(hh: int, mm: int, open_: bool) -> None:
    assert in_service_hours(datetime(2026, 11, 25, hh, mm, tzinfo=JST)) is open_


def test_the_desk_day_is_the_japanese_date() -> None:
    assert jst_date(datetime.fromisoformat("2026-11-25T16:00:00+00:00")) == "2026-11-26"


@pytest.mark.parametrize("text, kinds", [
    ("090-1234-5678までお電話ください", ("phone",)),
    ("taro@example.com にご連絡を", ("email",)),
    ("東京都渋谷区神南1-2-3 のお客様", ("address",)),
    ("契約番号: 12345678 を確認しました", ("contract_number",)),
    ("お客様番号 9876543210 ですね", ("customer_number",)),
    ("0120-123-456（無料）までお電話ください。料金は2,980円です。", ()),
    ("詳しくは https://www.example.co.jp/support/form からどうぞ", ()),
])
def test_personal_data_in_a_reply(text: str, kinds: tuple[str, ...]) -> None:
    assert personal_data(text) == kinds


def test_tier_rule_for_api_replies() -> None:
    kw = {"account_username": "ac_help", "answers_us": False}
    assert api_may_reply("enterprise", target_text="圏外", **kw)
    for level in ("pro", "pay_per_use", "basic"):
        assert not api_may_reply(level, target_text="圏外です", **kw)
        assert api_may_reply(level, target_text="@AC_HELP 圏外です", **kw)
        assert not api_may_reply(level, target_text="@ac_helpdesk 圏外です", **kw)
        assert api_may_reply(level, target_text="ありがとう", account_username="ac_help", answers_us=True)


def test_intent_link_carries_the_thread_and_the_text() -> None:
    url = intent_url("1861000000000000001", "ご不便をおかけしております。 https://www.example.co.jp/a?b=1&c=2")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "x.com", "/intent/post")
    q = parse_qs(parts.query)
    assert q["in_reply_to"] == ["1861000000000000001"]
    assert q["text"] == ["ご不便をおかけしております。 https://www.example.co.jp/a?b=1&c=2"]


def test_templates_are_polite_japanese_fit_a_post_and_carry_no_personal_data() -> None:
    book = default_templates()
    keys = {t.key for t in book.templates}
    assert {"restart", "outage", "email_form"} <= keys
    assert book.get("restart").title == "再起動のご案内" and book.get("outage").title == "通信障害のお知らせ"
    assert book.email_form.title == "メールフォームのご案内" and book.form_url in book.email_form.text
    for t in book.templates:
        text = t.render("a_fifteen_chars")
        assert fits(text), (t.key, weighted_length(text))
        assert personal_data(text) == ()
        assert "ます" in text or "ございます" in text
        assert fits(f"{text} {t.link}" if t.link else text), t.key  # with its page added, it still fits
    # A URL costs $0.20 a post instead of $0.015: only where the customer needs the page to go on.
    assert sorted(t.key for t in book.templates if "https://" in t.text) == ["email_form", "shop"]
    assert book.get("wifi_router").link == "https://www.example.co.jp/support/wifi"
    assert book.get("restart").render("").startswith("お客さま")
    assert book.for_topic("wifi")[0].key == "wifi_router"


def test_cost_at_published_prices() -> None:
    assert posts_cost_usd(0, 0) == 0
    assert posts_cost_usd(10, 0) == 0.15
    assert posts_cost_usd(10, 4) == round(6 * 0.015 + 4 * 0.20, 4)
