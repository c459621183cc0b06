"""The content calendar: validation with file:line: reason, and the pure day plan."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

import pytest

from activecare.accounts import ACCOUNT_KEYS
from activecare.publishing.calendar import CalendarError, default_calendar, dump_csv, load_calendar
from activecare.publishing.plan import plan_day
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, has_url, weighted_length

HEADER = "kind,id,category,accounts,cap,hashtag,at,text\n"
BASE = HEADER + (
    "category,greeting,,,1,,,\n"
    "category,faq,,,2,#Faq_SB,10:00-18:00,\n"
    "post,hello,greeting,*,,,,おはようございます。{date}も9時から20時まで受け付けております。\n"
    "post,faq-a,faq,*,,,,料金の確認方法はこちらです。 https://www.example.co.jp/support/faq/a\n"
    "post,faq-a,,,,,,料金のご確認はMy SoftBankから。 https://www.example.co.jp/support/faq/a\n"
)


def errors_of(text: str) -> list[str]:
    with pytest.raises(CalendarError) as info:
        load_calendar(text, name="cal.csv")
    return str(info.value).splitlines()


def test_the_packaged_calendar_is_valid_and_covers_every_category() -> None:
    cal = default_calendar()
    assert {c.name for c in cal.categories} == {"greeting", "faq", "tips", "service", "corp", "press", "mainte",
                                                "mysoftbank", "coffee"}
    hashtags = {c.name: c.hashtag for c in cal.categories}
    assert hashtags["faq"] == "#Faq_SB" and hashtags["tips"] == "#Sitteta_SB" and hashtags["press"] == "#Press_SB"
    assert 10 <= cal.category("faq").cap <= 15 and 3 <= cal.category("coffee").cap <= 4
    for account in ACCOUNT_KEYS:
        faq = cal.posts_for("faq", account)
        assert len(faq) >= cal.category("faq").cap
        assert all(has_url(v) and len(p.variants) >= 2 for p in faq for v in p.variants)


def test_a_valid_small_calendar_round_trips() -> None:
    cal = load_calendar(BASE)
    assert [p.id for p in cal.posts] == ["hello", "faq-a"] and len(cal.posts[1].variants) == 2
    assert load_calendar(dump_csv(cal)) == cal


@pytest.mark.parametrize(("row", "line", "reason"), [
    ("post,faq-b,faqs,*,,,,答えはこちら https://www.example.co.jp/support/faq/b", 8, "unknown category 'faqs'"),
    ("post,faq-b,faq,*,,,,料金についてはショップでご確認ください。", 8, "must link its answer page"),
    ("post,faq-b,faq,*,,,21:00,答えはこちら https://www.example.co.jp/support/faq/b", 8, "outside its category"),
    ("post,faq-b,faq,sigal,,,,答えはこちら https://www.example.co.jp/support/faq/b", 8, "unknown account 'sigal'"),
    ("post,faq-b,faq,*,,,," + "長" * 140 + " https://www.example.co.jp/support/faq/b", 8, "weighs"),
    ("post,faq-b,faq,*,,,,料金の確認方法はこちらです。 https://www.example.co.jp/support/faq/a", 8,
     "repeats the text of post 'faq-a'"),
    ("category,tips,,,many,#Sitteta_SB,,", 8, "cap 'many' must be a whole number"),
    ("category,tips,,,2,#Sitteta_SB,08:00-12:00,", 8, "within service hours"),
    ("category,tips,,,2,Sitteta_SB,,", 8, "hashtag 'Sitteta_SB'"),
    ("post,faq-a,tips,,,,,別の内容です。 https://www.example.co.jp/support/faq/x", 8, "variant of post 'faq-a'"),
    ("tweet,x,,,,,,こんにちは", 8, "unknown kind 'tweet'"),
    ("post,faq-b,faq,*,,,,{name}様、答えはこちら https://www.example.co.jp/support/faq/b", 8, "unknown placeholder"),
    ("post,faq-b,faq,*,,,", 8, "expected 8 fields, got 7"),
])
def test_an_invalid_entry_is_rejected_with_its_line_and_reason(row: str, line: int, reason: str) -> None:
    text = BASE + "# a comment line\n" + row + "\n"
    errors = errors_of(text)
    assert any(e.startswith(f"cal.csv:{line}: ") and reason in e for e in errors), errors


def test_every_problem_is_listed_not_just_the_first() -> None:
    text = BASE + "post,x,nope,*,,,,a\npost,y,faq,*,,,25:00,b https://www.example.co.jp/y\n"
    errors = errors_of(text)
    assert [e.split(":")[1] for e in errors] == ["7", "8"]


def test_the_greeting_is_required_and_must_change_every_day() -> None:
    errors = errors_of(HEADER + "category,faq,,,2,#Faq_SB,,\n")
    assert any("no greeting category" in e for e in errors)
    errors = errors_of(HEADER + "category,greeting,,,1,,,\npost,hi,greeting,*,,,,おはようございます。\n")
    assert any(e.startswith("cal.csv:3: ") and "repeats every day" in e for e in errors)
    errors = errors_of(HEADER + "category,greeting,,,2,,,\npost,hi,greeting,*,,,,おはようございます{date}\n")
    assert any("cap must be 1" in e for e in errors)
    errors = errors_of(HEADER + "category,greeting,,,1,,,\npost,hi,greeting,general,,,,おはようございます{date}\n")
    assert any("account 'signal' has no greeting post" in e for e in errors)


def test_the_plan_opens_with_the_greeting_and_stays_in_hours_under_caps() -> None:
    cal = default_calendar()
    for account in sorted(ACCOUNT_KEYS):
        for offset in range(14):
            day = date(2026, 11, 20) + timedelta(days=offset)
            slots = plan_day(cal, account, day)
            assert slots[0].category == "greeting" and slots[0].at.time() == time(9, 0)
            assert slots[0].text.startswith("おはようございます")
            assert sum(s.category == "greeting" for s in slots) == 1
            assert all(time(9, 0) <= s.at.time() < time(20, 0) and s.at.date() == day for s in slots)
            assert all(s.at > slots[0].at for s in slots[1:])
            counts = {c.name: sum(s.category == c.name for s in slots) for c in cal.categories}
            assert all(counts[c] <= cap for c, cap in cal.caps.items())
            assert 10 <= counts["faq"] <= 15 and 3 <= counts["coffee"] <= 4
            assert all(weighted_length(s.text) <= MAX_WEIGHTED_LENGTH for s in slots)
            assert len({s.post_id for s in slots}) == len(slots)
            assert slots == plan_day(cal, account, day)  # pure


def test_no_text_repeats_on_consecutive_days_so_x_never_sees_a_duplicate() -> None:
    cal = default_calendar()
    for account in sorted(ACCOUNT_KEYS):
        previous = {s.text for s in plan_day(cal, account, date(2026, 11, 1))}
        for offset in range(1, 60):
            texts = {s.text for s in plan_day(cal, account, date(2026, 11, 1) + timedelta(days=offset))}
            assert not texts & previous
            previous = texts


def test_faq_posts_are_spread_across_the_day() -> None:
    slots = [s for s in plan_day(default_calendar(), "general", date(2026, 11, 25)) if s.category == "faq"]
    gaps = [(b.at - a.at).total_seconds() / 60 for a, b in itertools.pairwise(slots)]
    assert min(gaps) >= 30 and slots[-1].at.hour >= 18 and slots[0].at.hour <= 10
