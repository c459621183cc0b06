"""The content calendar ops edit in a spreadsheet: post categories (daily cap per account,
hashtag, optional window) and posts (category, account, optional fixed time, text variants).

One CSV file, one record a row, `kind,id,category,accounts,cap,hashtag,at,text`:

    category,faq,,,12,#Faq_SB,09:30-19:30,          a category: cap per account per day, window
    post,faq-apn,faq,signal,,,,APN設定の確認方法は… https://…   a post (variant 1) of one account
    post,faq-apn,,,,,,APNの設定はこちらで…             the same id again: another variant
    post,tip-wifi,tips,wifi,,,15:00,…                   a post at a fixed time

Lines starting with `#` are comments. `{date}` in a text becomes 「11月25日（水）」. The
`greeting` category is required: cap 1, at the opening of service hours, one post (or more
variants) for every account. Loading validates everything and raises `CalendarError`, whose
message lists every problem as `file:line: reason`.

One account per post, and no text on two accounts: X's developer rules (2026) prohibit identical
content across multiple accounts. Variants rotate by date alike for every account of a post, so a
post of several accounts (`*`, `general|signal`) would send the same text from each the same day:
such a row is refused, and so is a variant whose text (after `{date}`, compared as X compares,
text_rules.comparable: URLs and leading @mentions aside, and whitespace ignored) is also a variant
of another account's post. Within one account, two posts may not share a text either.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import date, time
from importlib import resources

from activecare.accounts import ACCOUNT_KEYS
from activecare.file_errors import FileErrors, read_ops_text
from activecare.twitter.text_rules import MAX_WEIGHTED_LENGTH, comparable, has_url, weighted_length

COLUMNS = ("kind", "id", "category", "accounts", "cap", "hashtag", "at", "text")
DEFAULT_RESOURCE = "data/content_calendar.csv"
GREETING = "greeting"
OPENS = time(9, 0)
CLOSES = time(20, 0)
MAX_CAP = 50
URL_REQUIRED = frozenset({"faq"})  # FAQ posts link the answer page
WEEKDAYS = "月火水木金土日"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_POST_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_HASHTAG = re.compile(r"^#\w+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
PLACEHOLDERS = frozenset({"{date}"})
_LONGEST_DATE = "12月30日（水）"


class CalendarError(FileErrors):
    """The calendar is invalid. `errors` lists every problem as (line, reason)."""

    default_source = "<calendar>"


@dataclass(frozen=True)
class Category:
    name: str
    cap: int  # posts per account per day
    hashtag: str = ""
    window: tuple[time, time] = (OPENS, CLOSES)
    line: int = 0


@dataclass(frozen=True)
class Post:
    id: str
    category: str
    accounts: frozenset[str]
    variants: tuple[str, ...]
    at: time | None = None  # a fixed time; else spread in the category's window
    line: int = 0


@dataclass(frozen=True)
class Calendar:
    categories: tuple[Category, ...]
    posts: tuple[Post, ...]
    csv_text: str = ""

    def category(self, name: str) -> Category:
        for cat in self.categories:
            if cat.name == name:
                return cat
        raise KeyError(name)

    def posts_for(self, category: str, account: str) -> list[Post]:
        return [p for p in self.posts if p.category == category and account in p.accounts]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.csv_text.encode("utf-8")).hexdigest()[:16]

    @property
    def caps(self) -> dict[str, int]:
        return {c.name: c.cap for c in self.categories}


def render(text: str, hashtag: str, day: date) -> str:
    """The text as posted: placeholders filled, the category's hashtag on a line of its own."""
    body = text.replace("{date}", f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）")
    if hashtag and hashtag not in body:
        body = f"{body}\n{hashtag}"
    return body


def load_calendar(source: str | bytes | os.PathLike[str], *, name: str | None = None) -> Calendar:
    """Load and validate a calendar from a path, raw bytes or CSV text (a str with a newline)."""
    text, label = read_ops_text(source, name, CalendarError)
    return parse_calendar(text, label)


def default_calendar() -> Calendar:
    """The calendar packaged with activecare (``activecare/data/content_calendar.csv``)."""
    data = resources.files("activecare").joinpath(DEFAULT_RESOURCE).read_bytes()
    return load_calendar(data, name="content_calendar.csv")


def _rows(text: str, label: str) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    errors: list[tuple[int, str]] = []
    rows: list[tuple[int, dict[str, str]]] = []
    columns: list[str] | None = None
    reader = csv.reader(io.StringIO(text), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append((start, f"malformed CSV ({exc})"))
            raise CalendarError(errors, label) from None
        number, start = start, reader.line_num + 1
        if not fields or not "".join(fields).strip() or fields[0].lstrip().startswith("#"):
            continue
        if columns is None:
            columns = [f.strip().lower() for f in fields]
            if columns != list(COLUMNS):
                errors.append((number, f"bad header {','.join(fields)!r}: expected {','.join(COLUMNS)}"))
                raise CalendarError(errors, label)
            continue
        if len(fields) != len(columns):
            errors.append((number, f"expected {len(columns)} fields, got {len(fields)}"))
            continue
        rows.append((number, {c: v.strip() for c, v in zip(columns, fields, strict=True)}))
    if columns is None:
        raise CalendarError([(1, f"missing header: expected {','.join(COLUMNS)}")], label)
    return rows, errors


def _time(value: str) -> time | None:
    m = _TIME.match(value)
    return time(int(m.group(1)), int(m.group(2))) if m else None


def _in_hours(at: time) -> bool:
    return OPENS <= at < CLOSES


def parse_calendar(text: str, label: str = "<calendar>") -> Calendar:
    """Validate CSV text into a Calendar; raises CalendarError listing every problem."""
    rows, errors = _rows(text, label)
    categories: dict[str, Category] = {}
    drafts: dict[str, dict[str, object]] = {}  # post id -> fields and variants (with their lines)
    for line, row in rows:
        kind = row["kind"].lower()
        if kind == "category":
            cat = _category(line, row, errors)
            if cat is not None:
                if cat.name in categories:
                    errors.append((line, f"category {cat.name!r} is defined twice (first on line "
                                         f"{categories[cat.name].line})"))
                else:
                    categories[cat.name] = cat
        elif kind == "post":
            _post_row(line, row, drafts, errors)
        else:
            errors.append((line, f"unknown kind {row['kind']!r} (expected category or post)"))
    posts = _posts(drafts, categories, errors)
    _whole(categories, posts, errors)
    if errors:
        raise CalendarError(sorted(errors), label)
    return Calendar(tuple(categories.values()), tuple(posts), text)


def _category(line: int, row: dict[str, str], errors: list[tuple[int, str]]) -> Category | None:
    name = row["id"]
    ok = True
    if not _NAME.match(name):
        errors.append((line, f"category id {name!r} must be lowercase letters, digits and _"))
        ok = False
    for column in ("category", "accounts", "text"):
        if row[column]:
            errors.append((line, f"a category row leaves {column} empty"))
            ok = False
    cap = -1
    if not row["cap"].isdigit() or not 0 <= int(row["cap"]) <= MAX_CAP:
        errors.append((line, f"cap {row['cap']!r} must be a whole number 0-{MAX_CAP} (posts per account per day)"))
        ok = False
    else:
        cap = int(row["cap"])
    if row["hashtag"] and not _HASHTAG.match(row["hashtag"]):
        errors.append((line, f"hashtag {row['hashtag']!r} must look like #Faq_SB"))
        ok = False
    window = (OPENS, CLOSES)
    if row["at"]:
        start, _, end = row["at"].partition("-")
        lo, hi = _time(start.strip()), _time(end.strip())
        if lo is None or hi is None:
            errors.append((line, f"window {row['at']!r} must be HH:MM-HH:MM"))
            ok = False
        elif not (_in_hours(lo) and OPENS < hi <= CLOSES and lo < hi):
            errors.append((line, f"window {row['at']!r} must lie within service hours 09:00-20:00 JST"))
            ok = False
        else:
            window = (lo, hi)
    if name == GREETING and ok:
        if cap != 1:
            errors.append((line, "the greeting category's cap must be 1 (one greeting a day)"))
            ok = False
        if row["at"] and window[0] != OPENS:
            errors.append((line, "the greeting opens the day: its window must start at 09:00"))
            ok = False
    return Category(name, cap, row["hashtag"], window, line) if ok else None


def _post_row(line: int, row: dict[str, str], drafts: dict[str, dict[str, object]],
              errors: list[tuple[int, str]]) -> None:
    pid = row["id"]
    if not _POST_ID.match(pid):
        errors.append((line, f"post id {pid!r} must be lowercase letters, digits, - and _"))
        return
    for column in ("cap", "hashtag"):
        if row[column]:
            errors.append((line, f"a post row leaves {column} empty (it belongs to the category)"))
    if not row["text"]:
        errors.append((line, "the post has no text"))
        return
    draft = drafts.get(pid)
    if draft is None:
        drafts[pid] = {"line": line, "category": row["category"], "accounts": row["accounts"], "at": row["at"],
                       "variants": [(line, row["text"])]}
        return
    for column in ("category", "accounts", "at"):
        if row[column] and row[column] != draft[column]:
            errors.append((line, f"variant of post {pid!r} has {column} {row[column]!r}, but line "
                                 f"{draft['line']} says {draft[column]!r} (leave it empty in variant rows)"))
    variants = draft["variants"]
    assert isinstance(variants, list)
    variants.append((line, row["text"]))


def _posts(drafts: dict[str, dict[str, object]], categories: dict[str, Category],
           errors: list[tuple[int, str]]) -> list[Post]:
    posts: list[Post] = []
    for pid, draft in drafts.items():
        line = int(str(draft["line"]))
        cat = categories.get(str(draft["category"]))
        if cat is None:
            errors.append((line, f"post {pid!r}: unknown category {draft['category']!r} (categories: "
                                 f"{', '.join(categories) or 'none'})"))
            continue
        raw_accounts = str(draft["accounts"])
        accounts = frozenset(a.strip() for a in raw_accounts.split("|") if a.strip())
        unknown = sorted(accounts - ACCOUNT_KEYS - {"*"})
        if unknown:
            errors.append((line, f"post {pid!r}: unknown account {', '.join(map(repr, unknown))} (expected "
                                 f"one of {', '.join(sorted(ACCOUNT_KEYS))})"))
            continue
        if len(accounts) != 1 or "*" in accounts:
            named = "no account" if not accounts else f"accounts {raw_accounts!r}"
            errors.append((line, f"post {pid!r} has {named}: a post belongs to exactly one account "
                                 f"({', '.join(sorted(ACCOUNT_KEYS))}) - X prohibits identical content across "
                                 "accounts, so give each account its own post"))
            continue
        at = None
        if draft["at"]:
            at = _time(str(draft["at"]))
            if at is None:
                errors.append((line, f"post {pid!r}: time {draft['at']!r} must be HH:MM"))
                continue
            if not cat.window[0] <= at < cat.window[1]:
                errors.append((line, f"post {pid!r}: time {draft['at']} is outside its category's window "
                                     f"{cat.window[0]:%H:%M}-{cat.window[1]:%H:%M} (service hours 09:00-20:00)"))
                continue
        variants = draft["variants"]
        assert isinstance(variants, list)
        ok = True
        for vline, text in variants:
            for ph in _PLACEHOLDER.findall(text):
                if ph not in PLACEHOLDERS:
                    errors.append((vline, f"post {pid!r}: unknown placeholder {ph} (allowed: {{date}})"))
                    ok = False
            worst = render(text.replace("{date}", _LONGEST_DATE), cat.hashtag, date(2026, 12, 30))
            length = weighted_length(worst)
            if length > MAX_WEIGHTED_LENGTH:
                errors.append((vline, f"post {pid!r}: weighs {length} with its hashtag (Japanese characters "
                                      f"count 2, URLs 23); the maximum is {MAX_WEIGHTED_LENGTH}"))
                ok = False
            if cat.name in URL_REQUIRED and not has_url(text):
                errors.append((vline, f"post {pid!r}: a {cat.name} post must link its answer page (https://...)"))
                ok = False
        if ok:
            posts.append(Post(pid, cat.name, accounts, tuple(t for _, t in variants), at, line))
    return posts


def _whole(categories: dict[str, Category], posts: list[Post], errors: list[tuple[int, str]]) -> None:
    if GREETING not in categories:
        errors.append((1, "no greeting category: the day opens with 「おはようございます」 "
                          "(add `category,greeting,,,1,,,`)"))
    else:
        for account in sorted(ACCOUNT_KEYS):
            greetings = [p for p in posts if p.category == GREETING and account in p.accounts]
            if not greetings:
                errors.append((categories[GREETING].line, f"account {account!r} has no greeting post"))
        for post in posts:
            if post.category == GREETING and len(post.variants) < 2 and "{date}" not in post.variants[0]:
                errors.append((post.line, f"greeting {post.id!r} repeats every day: X refuses the same text within "
                                          "24 h - add {date} or a second variant"))
    seen: dict[str, Post] = {}  # comparable text -> the first post holding it
    for post in posts:
        for text in dict.fromkeys(same_text_key(t) for t in post.variants):
            first = seen.setdefault(text, post)
            if first is post:
                continue
            if first.accounts == post.accounts:
                errors.append((post.line, f"post {post.id!r} repeats the text of post {first.id!r} (line "
                                          f"{first.line}) for account {_one(post)!r}: X refuses duplicate "
                                          "content"))
            else:
                errors.append((post.line, f"post {post.id!r} of account {_one(post)!r} has the same text as "
                                          f"post {first.id!r} (line {first.line}) of account {_one(first)!r}: "
                                          "X prohibits identical content across accounts - write each "
                                          "account its own text"))


def _one(post: Post) -> str:
    return ",".join(sorted(post.accounts))


def same_text_key(text: str) -> str:
    """What two variants must not share: the text with {date} filled (the same on any one day),
    compared as X compares posts (text_rules.comparable: URLs, leading @mentions aside), and with no
    whitespace at all (a space more or less does not make a Japanese text another one)."""
    return re.sub(r"\s+", "", comparable(text.replace("{date}", _LONGEST_DATE)))


def dump_csv(calendar: Calendar) -> str:
    """The calendar as a file (the text it was imported from, when there is one)."""
    if calendar.csv_text:
        return calendar.csv_text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in calendar.categories:
        window = "" if c.window == (OPENS, CLOSES) else f"{c.window[0]:%H:%M}-{c.window[1]:%H:%M}"
        writer.writerow(["category", c.name, "", "", c.cap, c.hashtag, window, ""])
    for p in calendar.posts:
        accounts = "|".join(sorted(p.accounts))
        at = f"{p.at:%H:%M}" if p.at else ""
        for i, text in enumerate(p.variants):
            writer.writerow(["post", p.id, p.category if i == 0 else "", accounts if i == 0 else "", "", "",
                             at if i == 0 else "", text])
    return out.getvalue()
