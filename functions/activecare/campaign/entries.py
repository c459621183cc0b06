"""Who entered: the collection phases, phrase matching and the follow check chosen by its X read cost.

A campaign collects in phases, one cursor for all of them ("<phase>|<X pagination token>"; a bare token,
as recorded before the phases existed, is a retweeted_by token):

    r  replies to the campaign post that contain the phrase (search `conversation_id:<id> is:reply`)
    e  retweeters (GET /2/tweets/:id/retweeted_by with connection_status: who follows us comes with them)
    f  the account's own followers list, kept only for the candidates (an owned read)
    u  GET /2/users?ids= with connection_status on each candidate, 100 a request

Follows are known for free with the retweeters (`e`); a reply-only campaign that requires a follow reads
them the cheaper way for its size: N candidates x $0.010 (u) against F followers x $0.001 (f).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from activecare.campaign.models import Entrant, Rules
from activecare.keywords.normalize import normalize

# X pay-per-use read prices (PITFALLS.md, 2026): a post read, a user read, an owned read (own followers).
READ_PRICES_USD = {"posts": 0.005, "users": 0.010, "owned": 0.001}
USERS_PER_LOOKUP = 100


def read_cost(reads: Mapping[str, int]) -> float:
    return round(sum(READ_PRICES_USD[k] * n for k, n in reads.items() if k in READ_PRICES_USD), 3)


def phrase_matches(phrase: str, text: str) -> bool:
    """Normalised matching (NFKC, width, case, kana folding): 「プレゼント希望」 meets 「ぷれぜんと　きぼう」."""
    wanted = normalize(phrase)
    return bool(wanted) and wanted in normalize(text)


def phases(rules: Rules) -> list[str]:
    """The entry phases a campaign reads before its follow check (which is chosen when they are done)."""
    out = []
    if rules.reply_phrase.strip():
        out.append("r")
    if rules.require_retweet:
        out.append("e")
    return out


def parse_cursor(cursor: str | None, rules: Rules) -> tuple[str, str | None]:
    """(phase, X token); None: the first phase from its start."""
    if cursor is None:
        return phases(rules)[0], None
    if "|" not in cursor:
        return "e", cursor
    phase, token = cursor.split("|", 1)
    return phase, token or None


def cursor(phase: str, token: str | None) -> str:
    return f"{phase}|{token or ''}"


def candidates(rules: Rules, entrants: Iterable[Entrant]) -> list[str]:
    """Entrants who qualify by their entry (before the follow check), sorted by numeric id."""
    phrase = bool(rules.reply_phrase.strip())
    return sorted((e.user_id for e in entrants
                   if (e.replied or not phrase) and (e.retweeted or not rules.require_retweet)), key=int)


def follow_plan(n_candidates: int, followers: int) -> tuple[str, dict[str, float]]:
    """The cheaper follow check for a reply-only campaign, with both estimates (USD)."""
    est = {"connection_status": round(n_candidates * READ_PRICES_USD["users"], 3),
           "followers": round(followers * READ_PRICES_USD["owned"], 3)}
    return ("followers" if est["followers"] < est["connection_status"] else "connection_status"), est
