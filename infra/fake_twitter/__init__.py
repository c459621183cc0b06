"""A faithful fake of the X API v2 endpoints activecare uses, over real HTTP on loopback.

    state = FakeTwitterState(clock, tier="pro")
    state.add_users([...]); state.add_tweets([...]); state.add_token("tok", user_id)
    with FakeTwitterServer(state) as server:
        gateway = make_gateway("tok", base_url=server.base_url)

Modules: query (search language), state (users, posts, posting), api (endpoints),
server (HTTP + /_fake/ admin),
billing (X's pay-per-use bill, deduplicated per UTC day), limits (tiers, rate limits, stats), faults, problems, text.
"""

from infra.fake_twitter.faults import FAULT_KINDS, Fault, Faults
from infra.fake_twitter.limits import LIMITS, QUERY_MAX_LENGTH, TIERS, Stats
from infra.fake_twitter.query import QueryError, compile_query, matches, matches_domain_tweet, parse
from infra.fake_twitter.server import FakeTwitterServer
from infra.fake_twitter.state import FakeTwitterState

__all__ = [
    "FAULT_KINDS",
    "LIMITS",
    "QUERY_MAX_LENGTH",
    "TIERS",
    "FakeTwitterServer",
    "FakeTwitterState",
    "Fault",
    "Faults",
    "QueryError",
    "Stats",
    "compile_query",
    "matches",
    "matches_domain_tweet",
    "parse",
]
