"""The day's X API cost of the desk's posts (prices: activecare/twitter/pricing.py).

Replies an agent sends by hand through an intent link are not API requests and cost nothing.
"""

from __future__ import annotations

from activecare.twitter.pricing import PRICE_PER_POST_USD, PRICE_PER_POST_WITH_URL_USD, posts_cost_usd

__all__ = ["PRICE_PER_POST_USD", "PRICE_PER_POST_WITH_URL_USD", "posts_cost_usd"]
