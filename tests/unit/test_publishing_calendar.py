"""The content calendar: validation with file:line: reason, and the pure day plan."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from datetime import date, time, timedelta

import pytest

from activecare.accounts import ACCOUNT_KEYS
from activecare.publishing.calendar import CalendarError, default_calendar, dump_csv, load_calendar
from activecare.publishing.plan import plan_day
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, comparable, has_url, weighted_length

HEADER = "kind,id,category,accounts,cap,hashtag,at,text\n"
BASE = HEADER + (
    "category,greeting,,,1,,,\n"
    "category,faq,,,2,#Faq_SB,10:00-18:00,\n"
    "post,hello-general,greeting,general,,,,おはようございます。{date}も9時から20時まで受け付けております。\n"
    "post,hello-signal,greeting,signal,,,,おはようございます。{date}も電波のご相談を承ります。\n"
    "post,hello-wifi,greeting,wifi,,,,おはようございます。{date}もWi-Fiのご相談を承ります。\n"
    "post,faq-a,faq,general,,,,料金の確認方法はこちらです。 https://www.example.co.jp/support/faq/a\n"
    "post,faq-a,,,,,,料金のご確認はMy SoftBankから。 https://www.example.co.jp/support/faq/a\n"
)
ROW = BASE.count("\n") + 2  # the line of a row added after BASE and a comment line


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
    assert [p.id for p in cal.posts] == ["hello-general", "hello-signal", "hello-wifi", "faq-a"]
    assert len(cal.posts[3].variants) == 2 and cal.posts[3].accounts == {"general"}
    assert load_calendar(dump_csv(cal)) == cal


@pytest.mark.parametrize(("row", "reason"), [
    ("post,faq-b,faqs,general,,,,答えはこちら https://www.example.co.jp/support/faq/b", "unknown category 'faqs'"),
    ("post,faq-b,faq,general,,,,料金についてはショップでご確認ください。", "must link its answer page"),
    ("post,faq-b,faq,general,,,21:00,答えはこちら https://www.example.co.jp/support/faq/b", "outside its category"),
    ("post,faq-b,faq,sigal,,,,答えはこちら https://www.example.co.jp/support/faq/b", "unknown account 'sigal'"),
    ("post,faq-b,faq,general,,,," + "長" * 140 + " https://www.example.co.jp/support/faq/b", "weighs"),
    ("post,faq-b,faq,general,,,,料金の確認方法はこちらです。 https://www.example.co.jp/support/faq/a",
     "repeats the text of post 'faq-a'"),
    ("category,tips,,,many,#Sitteta_SB,,", "cap 'many' must be a whole number"),
    ("category,tips,,,2,#Sitteta_SB,08:00-12:00,", "within service hours"),
    ("category,tips,,,2,Sitteta_SB,,", "hashtag 'Sitteta_SB'"),
    ("post,faq-a,tips,,,,,別の内容です。 https://www.example.co.jp/support/faq/x", "variant of post 'faq-a'"),
    ("tweet,x,,,,,,こんにちは", "unknown kind 'tweet'"),
    ("post,faq-b,faq,general,,,,{name}様、答えはこちら https://www.example.co.jp/support/faq/b",
     "unknown placeholder"),
    ("post,faq-b,faq,general,,,", "expected 8 fields, got 7"),
    # X's 2026 rules: no identical content across accounts
    ("post,faq-b,faq,*,,,,答えはこちら https://www.example.co.jp/support/faq/b",
     "post 'faq-b' has accounts '*': a post belongs to exactly one account"),
    ("post,faq-b,faq,general|signal,,,,答えはこちら https://www.example.co.jp/support/faq/b",
     "post 'faq-b' has accounts 'general|signal': a post belongs to exactly one account"),
    ("post,faq-b,faq,,,,,答えはこちら https://www.example.co.jp/support/faq/b",
     "post 'faq-b' has no account: a post belongs to exactly one account"),
    ("post,faq-b,faq,signal,,,,料金の確認方法はこちらです。 https://www.example.co.jp/support/faq/a",
     "post 'faq-b' of account 'signal' has the same text as post 'faq-a'"),
    # compared as X compares: whitespace and the URL (t.co on X) aside
    ("post,faq-b,faq,wifi,,,,料金の確認方法はこちらです。　  https://www.example.co.jp/support/faq/other",
     "post 'faq-b' of account 'wifi' has the same text as post 'faq-a' (line 7) of account 'general'"),
    ("post,hi-b,greeting,wifi,,,,おはようございます。 {date}も電波のご相談を承ります。",
     "post 'hi-b' of account 'wifi' has the same text as post 'hello-signal'"),
])
def test_an_invalid_entry_is_rejected_with_its_line_and_reason(row: str, reason: str) -> None:
    text = BASE + "# a comment line\n" + row + "\n"
    errors = errors_of(text)
    assert any(e.startswith(f"cal.csv:{ROW}: ") and reason in e for e in errors), errors


def test_every_problem_is_listed_not_just_the_first() -> None:
    text = BASE + "post,x,nope,general,,,,a\npost,y,faq,general,,,25:00,b https://www.example.co.jp/y\n"
    errors = errors_of(text)
    assert [e.split(":")[1] for e in errors] == [str(ROW - 1), str(ROW)]


def test_the_greeting_is_required_and_must_change_every_day() -> None:
    errors = errors_of(HEADER + "category,faq,,,2,#Faq_SB,,\n")
    assert any("no greeting category" in e for e in errors)
    errors = errors_of(HEADER + "category,greeting,,,1,,,\npost,hi,greeting,general,,,,おはようございます。\n")
    assert any(e.startswith("cal.csv:3: ") and "repeats every day" in e for e in errors)
    errors = errors_of(HEADER + "category,greeting,,,2,,,\npost,hi,greeting,general,,,,おはようございます{date}\n")
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


def test_no_text_is_planned_for_two_accounts_on_the_same_or_consecutive_days() -> None:
    """X's 2026 developer rules prohibit identical content across accounts: over more than a year of
    days, nothing one account posts (compared as X compares) is posted by another the same day or the
    day before or after."""
    cal = default_calendar()
    accounts = sorted(ACCOUNT_KEYS)
    same = functools.cache(comparable)

    def texts(account: str, day: date) -> set[str]:
        return {same(s.text) for s in plan_day(cal, account, day)}

    start = date(2026, 11, 1)
    previous = {a: texts(a, start - timedelta(days=1)) for a in accounts}
    for offset in range(400):
        day = start + timedelta(days=offset)
        today = {a: texts(a, day) for a in accounts}
        for a, b in itertools.permutations(accounts, 2):
            assert not today[a] & today[b], (day, a, b, today[a] & today[b])
            assert not today[a] & previous[b], (day, a, b, today[a] & previous[b])
        previous = today


def test_the_packaged_calendar_gives_every_post_one_account_and_fills_every_cap() -> None:
    cal = default_calendar()
    for post in cal.posts:
        assert len(post.accounts) == 1 and len(post.variants) >= 2, post.id
    for account in sorted(ACCOUNT_KEYS):
        for cat in cal.categories:
            assert len(cal.posts_for(cat.name, account)) >= cat.cap, (account, cat.name)
        slots = plan_day(cal, account, date(2026, 12, 2))
        assert len(slots) == sum(cal.caps.values()), account  # every cap filled


def test_the_planner_refuses_a_post_shared_by_two_accounts() -> None:
    cal = load_calendar(BASE)
    shared = dataclasses.replace(cal.posts[3], accounts=frozenset({"general", "signal"}))
    broken = dataclasses.replace(cal, posts=(*cal.posts[:3], shared))
    with pytest.raises(ValueError, match="identical content across accounts"):
        plan_day(broken, "signal", date(2026, 12, 2))
