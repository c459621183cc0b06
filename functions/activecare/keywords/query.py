"""X (Twitter) v2 search-query syntax for catalogue terms.

Rules followed (X docs): a space is AND and binds tighter than OR; ``-`` negates a
single term or quoted phrase (never a group); a quoted phrase is one term; ``lang:``
and ``is:`` need at least one standalone keyword. A term is written bare when it is
made only of letters and digits (any script, so ``圏外``, ``5G``, ``ギガ`` stay bare; a
leading ``#``/``@`` keeps its hashtag/mention meaning); anything else — spaces, ``:``,
``-``, ``.``, ``+``, ``!``, or the words ``OR``/``AND`` — is quoted. A double quote
cannot be escaped and parentheses break grouping, so terms containing them are
rejected by the catalogue validator (`query_breaking_character`).

Search forms: X does not fold ``Wi-Fi`` into ``WiFi`` (the hyphen splits the token),
so a term with a separator inside a Latin word is searched under both spellings
(``"Wi-Fi" OR WiFi``). Local matching folds them anyway (see `normalize`).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "DEFAULT_BASE_OPERATORS",
    "ENTERPRISE_QUERY_LIMIT",
    "SELF_SERVE_QUERY_LIMIT",
    "exclusion_size",
    "keyword_capacity",
    "keyword_size",
    "query_breaking_character",
    "render_exclusion",
    "render_keyword",
    "render_term",
    "search_forms",
]

SELF_SERVE_QUERY_LIMIT = 512  # Basic, Pro, pay-per-use
ENTERPRISE_QUERY_LIMIT = 4096
# No -is:retweet: since May 2026 keyword search returns no retweets (shared/reference), and the poller drops
# any it is given (listening/poll.py), so the operator would spend 12 characters of every query on nothing.
DEFAULT_BASE_OPERATORS = "lang:ja"

_BREAKING = '"()“”„‟«»'
_RESERVED_WORDS = frozenset({"OR", "AND"})
_LATIN_SEPARATOR = re.compile(r"(?<=[A-Za-z])[\-‐‑‒–—―−ー_・](?=[A-Za-z])")


def query_breaking_character(term: str) -> str | None:
    """The first character of `term` that cannot appear in a query (or None).

    Checked on the NFKC form too, so full-width ``＂（）`` are refused as well;
    control characters (tabs, newlines) are refused.
    """
    for ch in term + unicodedata.normalize("NFKC", term):
        if ch in _BREAKING or unicodedata.category(ch) == "Cc":
            return ch
    return None


def _is_bare(term: str) -> bool:
    body = term[1:] if term[:1] in "#@" and len(term) > 1 else term
    return bool(body) and body.isalnum() and term.upper() not in _RESERVED_WORDS


def render_term(term: str) -> str:
    """`term` as a single query term: bare if safe, else a quoted phrase."""
    return term if _is_bare(term) else f'"{term}"'


def search_forms(term: str) -> tuple[str, ...]:
    """Spellings to search for `term`: itself, plus its NFKC form with separators
    inside Latin words removed when that differs (``Wi-Fi`` → ``Wi-Fi``, ``WiFi``)."""
    joined = _LATIN_SEPARATOR.sub("", unicodedata.normalize("NFKC", term)).strip()
    return (term,) if joined == term or not joined else (term, joined)


def render_keyword(term: str) -> str:
    """`term`'s search forms, OR-ed (no parentheses: they sit inside the OR group)."""
    return " OR ".join(render_term(form) for form in search_forms(term))


def render_exclusion(term: str) -> str:
    """`term`'s search forms, each negated (``-x -y``)."""
    return " ".join(f"-{render_term(form)}" for form in search_forms(term))


def keyword_size(term: str) -> int:
    """Characters a keyword adds to an OR group, counting its `` OR `` joiner."""
    return len(render_keyword(term)) + len(" OR ")


def exclusion_size(term: str) -> int:
    """Characters an exclusion adds to a query, counting its leading space."""
    return len(render_exclusion(term)) + 1


def keyword_capacity(max_query_length: int, base_operators: str = DEFAULT_BASE_OPERATORS) -> int:
    """Sum of `keyword_size` values that fit in one query.

    A query is ``(k1 OR k2 ...) <base>``: its length is
    ``2 + (1 + len(base) if base else 0) - 4 + sum(keyword_size)``.
    """
    base = base_operators.strip()
    overhead = 2 + (1 + len(base) if base else 0)
    return max_query_length - overhead + len(" OR ")
