"""The X search query language: tokenizer, parser and evaluator.

Grammar (as documented for X API v2 search)::

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*        # AND (a space) binds tighter than OR
    and_expr:= unary+
    unary   := "-" atom | atom                  # a group may not be negated
    atom    := "(" or_expr ")" | '"phrase"' | name ":" value | keyword

Matching choice: the real API tokenises post text; this fake matches a keyword or phrase as
a substring of the NFKC-normalised, case-folded text, except that an edge of the keyword that
is an ASCII letter/digit/underscore must sit on a word boundary ("cat" does not match
"category", but "圏外" matches "ずっと圏外です"). Full-width and half-width forms are equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from infra.fake_twitter.text import MENTION_RE, detect_lang, is_word_char, normalize

if TYPE_CHECKING:
    from activecare.twitter.models import Tweet

OPERATORS_DOC = "https://developer.x.com/en/docs/x-api/posts/search/integrate/build-a-query#list"
# Operators that may stand alone, and those that need a standalone clause beside them.
STANDALONE = frozenset({"from", "to", "url", "conversation_id", "retweets_of", "in_reply_to_tweet_id"})
CONJUNCTION_REQUIRED = {
    "is": frozenset({"retweet", "reply", "quote", "verified", "nullcast"}),
    "has": frozenset({"links", "mentions", "hashtags", "media", "images"}),
    "lang": frozenset(),  # any BCP47 tag
}
_OPERATOR_RE = re.compile(r"^([a-z_]+):(.*)$", re.S)


class QueryError(ValueError):
    """The query does not parse or breaks a rule; `position` is 1-based like the API's."""

    def __init__(self, message: str, position: int = 1) -> None:
        super().__init__(message)
        self.position = position


# --- AST -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A keyword or a quoted phrase (stored normalised)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Operator:
    name: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Operator | Not | And | Or


# --- tokenizer -------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # LPAREN RPAREN OR NEG WORD PHRASE OPERATOR
    value: str
    pos: int
    extra: str = ""


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens; raises QueryError on an unterminated quote or a lone '-'."""
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token("LPAREN" if ch == "(" else "RPAREN", ch, i + 1))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError("There were errors processing your request: no viable alternative at "
                                 f"character '\"' (at position {i + 1})", i + 1)
            tokens.append(Token("PHRASE", query[i + 1 : end], i + 1))
            i = end + 1
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise QueryError("There were errors processing your request: no viable alternative at "
                                 f"character '-' (at position {i + 1})", i + 1)
            tokens.append(Token("NEG", "-", i + 1))
            i += 1
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"':
                i += 1
            word = query[start:i]
            op = _OPERATOR_RE.match(word)
            if word == "OR":
                tokens.append(Token("OR", word, start + 1))
            elif op:
                value = op.group(2)
                if not value and i < n and query[i] == '"':
                    end = query.find('"', i + 1)
                    if end < 0:
                        raise QueryError("There were errors processing your request: unterminated quote "
                                         f"(at position {i + 1})", i + 1)
                    value, i = query[i + 1 : end], end + 1
                tokens.append(Token("OPERATOR", op.group(1), start + 1, value))
            else:
                tokens.append(Token("WORD", word, start + 1))
    return tokens


# --- parser ----------------------------------------------------------------------------


@dataclass
class _Parser:
    tokens: list[Token]
    pos: int = 0
    query_len: int = field(default=0)

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def error(self, what: str, token: Token | None) -> QueryError:
        at = token.pos if token else self.query_len + 1
        return QueryError(f"There were errors processing your request: {what} (at position {at})", at)

    def parse(self) -> Node:
        node = self.or_expr()
        if (tok := self.peek()) is not None:
            raise self.error(f"extraneous input '{tok.value}'", tok)
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.pos += 1
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "RPAREN"):
            children.append(self.unary())
        if not children:
            raise self.error("missing keyword, operator or group", self.peek())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "NEG":
            self.pos += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("LPAREN", "OR", "RPAREN", "NEG"):
                raise self.error("negation must be followed by a keyword or operator; "
                                 "negated groups are not supported", nxt)
            return Not(self.atom())
        return self.atom()

    def atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.error("unexpected end of query", None)
        self.pos += 1
        if tok.kind == "LPAREN":
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise self.error("missing ')'", close)
            self.pos += 1
            return node
        if tok.kind == "PHRASE":
            if not normalize(tok.value).strip():
                raise self.error("empty phrase", tok)
            return Term(normalize(tok.value), phrase=True)
        if tok.kind == "OPERATOR":
            return _operator(tok, self)
        if tok.kind == "WORD":
            return Term(normalize(tok.value))
        raise self.error(f"mismatched input '{tok.value}'", tok)


def _operator(tok: Token, parser: _Parser) -> Operator:
    name, value = tok.value, tok.extra
    if not value:
        raise parser.error(f"operator '{name}:' needs a value", tok)
    if name in CONJUNCTION_REQUIRED:
        allowed = CONJUNCTION_REQUIRED[name]
        if allowed and value not in allowed:
            raise QueryError(f"Reference to invalid operator '{name}:{value}'. Operator is not available in "
                             f"current product or product packaging. Please refer to complete available "
                             f"operator list at {OPERATORS_DOC}. (at position {tok.pos})", tok.pos)
        return Operator(name, value.lower())
    if name not in STANDALONE:
        raise QueryError(f"Reference to invalid operator '{name}'. Operator is not available in current "
                         f"product or product packaging. Please refer to complete available operator list "
                         f"at {OPERATORS_DOC}. (at position {tok.pos})", tok.pos)
    return Operator(name, value.lstrip("@").lower() if name in ("from", "to") else value)


def _has_standalone(node: Node) -> bool:
    if isinstance(node, Term):
        return True
    if isinstance(node, Operator):
        return node.name in STANDALONE
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_standalone(c) for c in node.children)
    return all(_has_standalone(c) for c in node.children)


def _has_positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And | Or):
        return any(_has_positive(c) for c in node.children)
    return True


def parse(query: str) -> Node:
    """Parse a query into an AST; raises QueryError like the API's 400 messages."""
    if not query.strip():
        raise QueryError("The `query` query parameter can not be empty")
    node = _Parser(tokenize(query), query_len=len(query)).parse()
    if not _has_positive(node):
        raise QueryError("There were errors processing your request: Rules must contain a non-negation "
                         "term (at position 1)")
    if not _has_standalone(node):
        raise QueryError("There were errors processing your request: Rules must contain a "
                         "non-conjunction-required operator or keyword (at position 1)")
    return node


@lru_cache(maxsize=512)
def compile_query(query: str) -> Node:
    """`parse` with a cache: the poller sends the same few queries every minute."""
    return parse(query)


# --- evaluator -------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """What the evaluator needs to know about one post (text already normalised)."""

    text: str
    lang: str = "und"
    author_username: str = ""
    is_retweet: bool = False
    is_reply: bool = False
    is_quote: bool = False
    verified: bool = False
    mentions: frozenset[str] = frozenset()
    hashtags: frozenset[str] = frozenset()
    urls: tuple[str, ...] = ()
    has_media: bool = False
    conversation_id: str = ""
    in_reply_to_username: str = ""
    referenced: frozenset[tuple[str, str]] = frozenset()
    retweeted_author: str = ""


def contains_term(haystack: str, needle: str) -> bool:
    """Substring match; an ASCII-word edge of `needle` must fall on a word boundary."""
    if not needle:
        return False
    left, right = is_word_char(needle[0]), is_word_char(needle[-1])
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        ok_left = not left or start == 0 or not is_word_char(haystack[start - 1])
        ok_right = not right or end == len(haystack) or not is_word_char(haystack[end])
        if ok_left and ok_right:
            return True
        start = haystack.find(needle, start + 1)
    return False


_WORD = "[A-Za-z0-9_]"  # is_word_char, as a regex class
_OR_TERMS: dict[int, tuple[Or, re.Pattern[str] | None, tuple[Node, ...]]] = {}


def _or_terms(node: Or) -> tuple[re.Pattern[str] | None, tuple[Node, ...]]:
    """An OR group's plain terms as one compiled alternation (same rule as `contains_term`: an ASCII-word edge
    sits on a word boundary), and its other children. Kept per node (queries are compiled once and cached):
    the packed queries OR dozens of terms, evaluated over every post of the day."""
    entry = _OR_TERMS.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1], entry[2]
    terms = sorted({c.text for c in node.children if isinstance(c, Term) and c.text}, key=len, reverse=True)
    rest = tuple(c for c in node.children if not isinstance(c, Term))
    parts = [(f"(?<!{_WORD})" if is_word_char(t[0]) else "") + re.escape(t)
             + (f"(?!{_WORD})" if is_word_char(t[-1]) else "") for t in terms]
    pattern = re.compile("|".join(parts)) if parts else None
    if len(_OR_TERMS) > 4096:
        _OR_TERMS.clear()
    _OR_TERMS[id(node)] = (node, pattern, rest)
    return pattern, rest


def evaluate(node: Node, doc: Doc) -> bool:
    """Does the post described by `doc` match the query AST?"""
    if isinstance(node, Term):
        return contains_term(doc.text, node.text)
    if isinstance(node, Not):
        return not evaluate(node.child, doc)
    if isinstance(node, And):
        return all(evaluate(c, doc) for c in node.children)
    if isinstance(node, Or):
        pattern, rest = _or_terms(node)
        return bool(pattern and pattern.search(doc.text)) or any(evaluate(c, doc) for c in rest)
    return _OPERATOR_EVAL[node.name](node.value, doc)


def _is(value: str, doc: Doc) -> bool:
    return {
        "retweet": doc.is_retweet,
        "reply": doc.is_reply,
        "quote": doc.is_quote,
        "verified": doc.verified,
        "nullcast": False,
    }[value]


def _has(value: str, doc: Doc) -> bool:
    return {
        "links": bool(doc.urls),
        "mentions": bool(doc.mentions),
        "hashtags": bool(doc.hashtags),
        "media": doc.has_media,
        "images": doc.has_media,
    }[value]


_OPERATOR_EVAL: dict[str, Callable[[str, Doc], bool]] = {
    "is": _is,
    "has": _has,
    "lang": lambda v, d: d.lang.lower() == v,
    "from": lambda v, d: d.author_username == v,
    "to": lambda v, d: d.in_reply_to_username == v,
    "url": lambda v, d: any(normalize(v) in normalize(u) for u in d.urls),
    "conversation_id": lambda v, d: d.conversation_id == v,
    "retweets_of": lambda v, d: d.is_retweet and d.retweeted_author == v.lstrip("@").lower(),
    "in_reply_to_tweet_id": lambda v, d: ("replied_to", v) in d.referenced,
}


def matches(query: str, doc: Doc) -> bool:
    """Parse (cached) and evaluate in one call."""
    return evaluate(compile_query(query), doc)


def doc_from_domain(tweet: Tweet) -> Doc:
    """A Doc for a domain `Tweet` (for unit-test fakes that want the full query language)."""
    text = normalize(tweet.text)
    return Doc(
        text=text,
        lang=tweet.lang or detect_lang(tweet.text),
        author_username=(tweet.author.username.lower() if tweet.author else ""),
        is_retweet=tweet.is_retweet,
        is_reply=tweet.replied_to is not None,
        is_quote=any(kind == "quoted" for kind, _ in tweet.referenced_tweets),
        mentions=frozenset(m.group(1).lower() for m in MENTION_RE.finditer(tweet.text)),
        conversation_id=tweet.conversation_id or tweet.id,
        referenced=frozenset(tweet.referenced_tweets),
    )


def matches_domain_tweet(query: str, tweet: Tweet) -> bool:
    """`matches` for a domain Tweet: plug into InMemoryTwitter(matcher=...)."""
    return matches(query, doc_from_domain(tweet))
