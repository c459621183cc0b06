"""The keyword catalogue: which words the listener searches for, grouped by topic.

File format (``data/keywords.csv``): UTF-8 CSV (a BOM from Excel is accepted), one
term a row, header ``topic,department,account,kind,term,note`` (columns in any
order; ``note`` optional). Lines whose first non-blank character is ``#`` and blank
lines are ignored. CSV was kept because ops edit it in a spreadsheet and review it in
a diff: one row per term, every row self-describing, sortable and filterable.

``kind`` is one of:

- ``keyword``: a *strong* keyword — alone, it says the tweet is about carrier trouble
  (``通信障害``, ``パケ詰まり``, ``電波が悪い``). Searched and matched.
- ``ambiguous``: an *ambiguous* keyword — searched like any keyword, but a local hit only
  counts when the same tweet also has supporting context (``ショップ``, ``請求``, ``圏外``,
  ``乗り換え``, ``繋がらない``: each has common meanings that are not about the carrier).
- ``noisy``: an ambiguous keyword that is mostly used for other things (``料金``, ``予約``,
  ``ショップ``): matched like ``ambiguous``, and X is asked for it only together with its
  context (``keywords/grouped.py``), so its look-alikes are not read (and billed) at all.
  Mark a term noisy when `activecare figures` shows its reads mostly dropped.
- ``context``: a supporting term, never searched: a carrier/service word (``スマホ``,
  ``回線``, ``ソフトバンク``) or, per topic, a trouble cue (``直らない``, ``困る``). A
  topic's context rows support that topic's ambiguous keywords; global ones (topic
  ``*``) support every topic's.
- ``exclude``: noise — drops the topic's hits (a global one drops the tweet).
- ``optout``: an opt-out phrase (``返信不要``, ``絡まないで``), global only (topic ``*``),
  never searched: a reply to one of our accounts holding one marks its author
  do-not-contact (`Matcher.opts_out`).

Topic ``*`` holds global exclusions and global context (department and account left
empty). Files with only ``keyword``/``exclude`` rows (the original format) load
unchanged: every keyword is then strong. The matcher's rule is in `matcher`.

Order matters and is preserved: topics in order of first appearance (it breaks
ties in the matcher and fixes the packer's output), terms in file order.

Validation reports every problem at once as ``file:line: reason``: header, malformed
CSV or field count, non-UTF-8 bytes, unknown kind or account, invalid topic or
department name, empty term (also after normalisation), duplicate keyword anywhere
or duplicate exclusion in a topic (after normalisation), a topic whose department or
account differs between lines, a term too long for one query, a query-breaking
character (double quote, parentheses, control characters), an ``@mention`` term, a
global-topic row that is not a bare exclusion, an exclusion already global, an
exclusion that would silence its own topic's keyword (or, if global, any keyword),
a topic with exclusions but no keywords; for context terms: duplicates, context
already global, a term that is both context and exclusion in one scope, and topic
context for a topic without ambiguous keywords. (A context term may be, or be part
of, an ambiguous keyword: the matcher never lets an occurrence confirm itself.)
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TypeVar

from activecare.accounts import ACCOUNT_KEYS
from activecare.file_errors import FileErrors, read_ops_text
from activecare.keywords.normalize import contains_term, normalize
from activecare.keywords.query import (
    DEFAULT_BASE_OPERATORS,
    SELF_SERVE_QUERY_LIMIT,
    exclusion_size,
    keyword_capacity,
    keyword_size,
    query_breaking_character,
)

__all__ = [
    "COLUMNS",
    "GLOBAL_TOPIC",
    "Catalogue",
    "CatalogueError",
    "Topic",
    "default_catalogue",
    "load_catalogue",
]

COLUMNS = ("topic", "department", "account", "kind", "term", "note")
REQUIRED_COLUMNS = COLUMNS[:5]
GLOBAL_TOPIC = "*"
KEYWORD = "keyword"
AMBIGUOUS = "ambiguous"
NOISY = "noisy"  # ambiguous, and a word mostly used for other things: searched only together with its context
CONTEXT = "context"
EXCLUDE = "exclude"
OPTOUT = "optout"
KINDS = (KEYWORD, AMBIGUOUS, NOISY, CONTEXT, EXCLUDE, OPTOUT)
SEARCHED = (KEYWORD, AMBIGUOUS, NOISY)
DEFAULT_RESOURCE = "data/keywords.csv"

_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Strong and ambiguous keywords share "KW": a keyword is unique in the whole catalogue.
_ITEM_PREFIX = {KEYWORD: "KW", AMBIGUOUS: "KW", NOISY: "KW", CONTEXT: "CX", EXCLUDE: "EX", OPTOUT: "OO"}


class CatalogueError(FileErrors):
    """The catalogue is invalid. `errors` lists every problem as (line, reason)."""

    default_source = "<catalogue>"


@dataclass(frozen=True)
class Topic:
    """A group of keywords owned by one department and answered by one account.

    `keywords` lists every keyword, strong and ambiguous, in file order (all of them
    are searched); `ambiguous` is the subset that needs context; `noisy` the part of
    `ambiguous` that X is asked for only together with its context (keywords/grouped.py);
    `context` the topic's own supporting terms (never searched).
    """

    name: str
    department: str
    account: str
    keywords: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    noisy: tuple[str, ...] = ()

    @property
    def strong(self) -> tuple[str, ...]:
        """The keywords that need no context, in file order."""
        weak = set(self.ambiguous)
        return tuple(term for term in self.keywords if term not in weak)


@dataclass(frozen=True)
class Catalogue:
    """Topics in catalogue order plus exclusions and context that apply to every topic."""

    topics: tuple[Topic, ...]
    global_exclusions: tuple[str, ...] = ()
    notes: Mapping[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)
    global_context: tuple[str, ...] = ()
    optouts: tuple[str, ...] = ()

    def topic(self, name: str) -> Topic:
        """The topic called `name` (KeyError if absent)."""
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise KeyError(name)

    def keywords(self) -> tuple[str, ...]:
        """Every keyword, in catalogue order (``len(c.keywords())`` is the count)."""
        return tuple(term for topic in self.topics for term in topic.keywords)

    @property
    def keyword_count(self) -> int:
        """Number of keywords over all topics."""
        return sum(len(topic.keywords) for topic in self.topics)

    def note(self, topic: str, term: str) -> str:
        """The ops note attached to a term ("" if none)."""
        return self.notes.get((topic, term), "")

    def rows(self) -> list[dict[str, str]]:
        """One dict per term (the CSV columns), topic by topic, globals last."""
        out: list[dict[str, str]] = []
        for topic in self.topics:
            weak, noisy = set(topic.ambiguous), set(topic.noisy)
            terms = [(NOISY if term in noisy else AMBIGUOUS if term in weak else KEYWORD, term)
                     for term in topic.keywords]
            terms += [(EXCLUDE, term) for term in topic.exclusions]
            terms += [(CONTEXT, term) for term in topic.context]
            for kind, term in terms:
                out.append(
                    {
                        "topic": topic.name,
                        "department": topic.department,
                        "account": topic.account,
                        "kind": kind,
                        "term": term,
                        "note": self.note(topic.name, term),
                    }
                )
        globals_ = [(EXCLUDE, term) for term in self.global_exclusions]
        globals_ += [(CONTEXT, term) for term in self.global_context]
        globals_ += [(OPTOUT, term) for term in self.optouts]
        for kind, term in globals_:
            out.append(
                {
                    "topic": GLOBAL_TOPIC,
                    "department": "",
                    "account": "",
                    "kind": kind,
                    "term": term,
                    "note": self.note(GLOBAL_TOPIC, term),
                }
            )
        return out

    def to_items(self) -> list[dict[str, str]]:
        """Flat string-only items for a DynamoDB table keyed by ``pk``.

        ``pk`` is ``KW#<topic>#<term>`` for keywords (strong or ambiguous: ``kind``
        tells), ``EX#<topic>#<term>`` for exclusions and ``CX#<topic>#<term>`` for
        context terms (``EX#*#<term>``, ``CX#*#<term>`` for global ones); ``position``
        (zero-padded) keeps catalogue order, which a table scan does not.
        """
        return [
            {"pk": f"{_ITEM_PREFIX[row['kind']]}#{row['topic']}#{row['term']}", "position": f"{i:06d}", **row}
            for i, row in enumerate(self.rows())
        ]

    @classmethod
    def from_items(cls, items: Iterable[Mapping[str, object]]) -> Catalogue:
        """Rebuild a catalogue from `to_items` output, validating it.

        Items are put back in catalogue order by their ``position`` (a string or a
        number); items without one keep the order they are given in.
        """
        ordered = [item for _, item in sorted(enumerate(items), key=lambda pair: _position(*pair))]
        rows: list[tuple[int, dict[str, str]]] = []
        errors: list[tuple[int, str]] = []
        for number, item in enumerate(ordered, start=1):
            row = {column: str(item.get(column, "") or "") for column in COLUMNS}
            expected = f"{_ITEM_PREFIX.get(row['kind'].lower(), '?')}#{row['topic']}#{row['term']}"
            if "pk" in item and item["pk"] != expected:
                errors.append((number, f"pk {item['pk']!r} does not match its row (expected {expected!r})"))
            rows.append((number, row))
        return _build(rows, "<items>", errors)

    def dump_csv(self) -> str:
        """The catalogue in the file format (comments are not preserved)."""
        buffer = io.StringIO()
        buffer.write("# activecare keyword catalogue: one term per row (see keywords/catalogue.py)\n")
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows())
        return buffer.getvalue()


def load_catalogue(
    source: str | bytes | os.PathLike[str],
    *,
    name: str | None = None,
    max_query_length: int = SELF_SERVE_QUERY_LIMIT,
    base_operators: str = DEFAULT_BASE_OPERATORS,
) -> Catalogue:
    """Load and validate a catalogue from a path, raw bytes or CSV text.

    A ``str`` is CSV text when it contains a newline, else a path.
    Every term must fit, alone, in a `max_query_length` query with `base_operators`.
    Raises `CatalogueError` listing every problem found.
    """
    text, label = read_ops_text(source, name, CatalogueError)
    return _parse(text, label, max_query_length, base_operators)


_default: tuple[bytes, Catalogue] | None = None


def default_catalogue() -> Catalogue:
    """The catalogue packaged with activecare (``activecare/data/keywords.csv``); parsed once per version of the
    file (a Catalogue is immutable), not on every call (~0.1 s: every local stack and cold start asks)."""
    global _default
    data = resources.files("activecare").joinpath(DEFAULT_RESOURCE).read_bytes()
    if _default is None or _default[0] != data:
        _default = (data, load_catalogue(data, name="keywords.csv"))
    return _default[1]


def _parse(text: str, label: str, max_query_length: int, base_operators: str) -> Catalogue:
    errors: list[tuple[int, str]] = []
    columns: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(text.split("\n"), start=1):  # not splitlines: keep U+2028 etc. in place
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            fields = next(csv.reader([line], strict=True))
        except csv.Error as exc:
            errors.append((number, f"malformed CSV ({exc})"))
            continue
        if columns is None:
            columns = [f.strip().lower() for f in fields]
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            unknown = [c for c in columns if c not in COLUMNS]
            if missing or unknown or len(set(columns)) != len(columns):
                errors.append((number, f"bad header {fields!r}: expected columns {','.join(COLUMNS)}"))
                raise CatalogueError(errors, label)
            continue
        if len(fields) != len(columns):
            errors.append((number, f"expected {len(columns)} fields, got {len(fields)}"))
            continue
        row = {column: "" for column in COLUMNS}
        row.update({c: v.strip() for c, v in zip(columns, fields, strict=True)})
        rows.append((number, row))
    if columns is None:
        errors.append((1, f"missing header: expected columns {','.join(COLUMNS)}"))
        raise CatalogueError(errors, label)
    return _build(rows, label, errors, max_query_length, base_operators)


@dataclass
class _TopicDraft:
    line: int
    department: str
    account: str
    keywords: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    noisy: list[str] = field(default_factory=list)


def _build(
    rows: list[tuple[int, dict[str, str]]],
    label: str,
    errors: list[tuple[int, str]],
    max_query_length: int = SELF_SERVE_QUERY_LIMIT,
    base_operators: str = DEFAULT_BASE_OPERATORS,
) -> Catalogue:
    """Validate parsed rows (line number, columns) and assemble the catalogue."""
    capacity = keyword_capacity(max_query_length, base_operators)
    drafts: dict[str, _TopicDraft] = {}
    globals_: list[str] = []
    global_context: list[str] = []
    optouts: list[str] = []
    seen_optouts: dict[str, tuple[int, str]] = {}  # normalised -> (line, term)
    notes: dict[tuple[str, str], str] = {}
    seen_keywords: dict[str, tuple[int, str]] = {}  # normalised -> (line, term)
    seen_exclusions: dict[tuple[str, str], tuple[int, str]] = {}  # (topic, normalised) -> ...
    topic_keyword_norms: dict[str, dict[str, int]] = {}
    seen_context: dict[tuple[str, str], tuple[int, str]] = {}  # (topic, normalised) -> (line, term)

    for line, row in rows:
        topic, department, account = row["topic"], row["department"], row["account"]
        kind, term = row["kind"].lower(), row["term"]
        problems: list[str] = []
        if topic != GLOBAL_TOPIC and not _NAME.fullmatch(topic):
            problems.append(f"invalid topic {topic!r} (lowercase letters, digits, '_'; or '*' for global)")
        if kind not in KINDS:
            problems.append(f"unknown kind {row['kind']!r} (expected {', '.join(KINDS)})")
        if topic == GLOBAL_TOPIC:
            if kind in SEARCHED:
                problems.append("global topic '*' holds exclusions and context only (kind 'exclude' or 'context')")
            if department or account:
                problems.append("global rows (topic '*') take no department or account")
        elif kind == OPTOUT:
            problems.append("opt-out phrases are global: topic '*' (kind 'optout')")
        elif topic:
            if not _NAME.fullmatch(department):
                problems.append(f"invalid department {department!r} (lowercase letters, digits, '_')")
            if account not in ACCOUNT_KEYS:
                problems.append(f"unknown account {account!r} (expected {', '.join(sorted(ACCOUNT_KEYS))})")
        norm = normalize(term)
        if not term:
            problems.append("empty term")
        elif not norm:
            problems.append(f"term {term!r} is empty after normalisation")
        else:
            bad = query_breaking_character(term)
            if bad is not None:
                problems.append(f"term {term!r} contains a query-breaking character {bad!r}")
            elif term.startswith(("@", "＠")):
                problems.append(f"term {term!r} is a mention (mentions are stripped before matching)")
            else:
                size = keyword_size(term) if kind in SEARCHED else exclusion_size(term)
                if size > capacity:
                    shown = term if len(term) <= 20 else term[:20] + "…"
                    problems.append(
                        f"term {shown!r} is too long: needs {size} characters in a query, "
                        f"at most {capacity} fit in a {max_query_length}-character query"
                    )
        if problems:
            errors.extend((line, p) for p in problems)
            continue

        if kind == OPTOUT:
            if _repeated(seen_optouts, norm, line, term, "opt-out phrase", errors):
                continue
            optouts.append(term)
        elif kind == CONTEXT:
            key = (topic, norm)
            if _repeated(seen_context, key, line, term, "context", errors, record=False):
                continue
            if topic != GLOBAL_TOPIC:
                draft = drafts.get(topic)
                if draft is None:
                    draft = drafts[topic] = _TopicDraft(line, department, account)
                    topic_keyword_norms[topic] = {}
                if not _consistent(topic, department, account, draft, line, errors):
                    continue
                draft.context.append(term)
            else:
                global_context.append(term)
            seen_context[key] = (line, term)
        elif topic == GLOBAL_TOPIC:
            if _repeated(seen_exclusions, (GLOBAL_TOPIC, norm), line, term, "global exclusion", errors):
                continue
            globals_.append(term)
        else:
            draft = drafts.get(topic)
            if draft is None:
                draft = drafts[topic] = _TopicDraft(line, department, account)
                topic_keyword_norms[topic] = {}
            if not _consistent(topic, department, account, draft, line, errors):
                continue
            if kind in SEARCHED:
                if norm in seen_keywords:
                    first_line, first = seen_keywords[norm]
                    errors.append((line, f"duplicate keyword {term!r} ({_same(first, term, first_line)})"))
                    continue
                seen_keywords[norm] = (line, term)
                topic_keyword_norms[topic][norm] = line
                draft.keywords.append(term)
                if kind in (AMBIGUOUS, NOISY):
                    draft.ambiguous.append(term)
                if kind == NOISY:
                    draft.noisy.append(term)
            else:
                key = (topic, norm)
                if key in seen_exclusions:
                    first_line, first = seen_exclusions[key]
                    errors.append((line, f"duplicate exclusion {term!r} ({_same(first, term, first_line)})"))
                    continue
                seen_exclusions[key] = (line, term)
                draft.exclusions.append(term)
        if row["note"]:
            notes[(topic, term)] = row["note"]

    # Cross-row checks that need the whole file.
    for (topic, norm), (line, term) in seen_exclusions.items():
        if topic != GLOBAL_TOPIC and (GLOBAL_TOPIC, norm) in seen_exclusions:
            errors.append((line, f"exclusion {term!r} is already a global exclusion"))
            continue
        # An exclusion inside one of its own topic's keywords would silence that keyword.
        scope = topic_keyword_norms.items() if topic == GLOBAL_TOPIC else [(topic, topic_keyword_norms[topic])]
        for owner, keyword_norms in scope:
            victim = next((k for k in keyword_norms if contains_term(k, norm)), None)
            if victim is not None:
                keyword = seen_keywords[victim][1]
                errors.append((line, f"exclusion {term!r} would exclude topic {owner!r}'s own keyword {keyword!r}"))
                break
    for (topic, norm), (line, term) in seen_context.items():
        if topic != GLOBAL_TOPIC and (GLOBAL_TOPIC, norm) in seen_context:
            errors.append((line, f"context {term!r} is already global context"))
            continue
        clash = seen_exclusions.get((topic, norm)) or seen_exclusions.get((GLOBAL_TOPIC, norm))
        if clash is not None:
            errors.append((line, f"context {term!r} is also an exclusion (line {clash[0]})"))
            continue
        if topic != GLOBAL_TOPIC and topic in drafts and not drafts[topic].ambiguous:
            errors.append((line, f"context {term!r}: topic {topic!r} has no ambiguous keywords to support"))
            continue
    for topic, draft in drafts.items():
        if not draft.keywords:
            errors.append((draft.line, f"topic {topic!r} has no keywords"))
    if not errors and not drafts:
        errors.append((0, "catalogue has no keywords"))
    if errors:
        errors.sort(key=lambda e: e[0])
        raise CatalogueError(errors, label)
    topics = tuple(
        Topic(
            name,
            draft.department,
            draft.account,
            tuple(draft.keywords),
            tuple(draft.exclusions),
            tuple(draft.ambiguous),
            tuple(draft.context),
            tuple(draft.noisy),
        )
        for name, draft in drafts.items()
    )
    return Catalogue(topics, tuple(globals_), notes, tuple(global_context), tuple(optouts))


def _consistent(
    topic: str, department: str, account: str, draft: _TopicDraft, line: int, errors: list[tuple[int, str]]
) -> bool:
    """True when the row's department and account are the topic's (else record why not)."""
    ok = True
    for column, value, expected in (("department", department, draft.department), ("account", account, draft.account)):
        if value != expected:
            errors.append((line, f"topic {topic!r} {column} {value!r} differs from {expected!r} (line {draft.line})"))
            ok = False
    return ok


def _position(index: int, item: Mapping[str, object]) -> tuple[float, int]:
    """Sort key of a table item: its ``position`` if it has a numeric one, else `index`."""
    try:
        return float(str(item["position"])), index
    except (KeyError, ValueError):
        return float(index), index


_K = TypeVar("_K", str, tuple[str, str])


def _repeated(seen: dict[_K, tuple[int, str]], key: _K, line: int, term: str, what: str,
              errors: list[tuple[int, str]], *, record: bool = True) -> bool:
    """True (and the error noted) when `key` was seen on an earlier line; else remember it (unless not `record`:
    the caller does once the row is accepted)."""
    if key in seen:
        first_line, first = seen[key]
        errors.append((line, f"duplicate {what} {term!r} ({_same(first, term, first_line)})"))
        return True
    if record:
        seen[key] = (line, term)
    return False


def _same(first: str, term: str, line: int) -> str:
    if first == term:
        return f"first on line {line}"
    return f"same as {first!r} on line {line} after normalisation"
