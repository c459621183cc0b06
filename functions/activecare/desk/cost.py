"""The day's X API cost at the published pay-per-use prices (posts created through the API).

Replies an agent sends by hand through an intent link are not API requests and cost nothing.
"""

from __future__ import annotations

PRICE_PER_POST_USD = 0.015
PRICE_PER_POST_WITH_URL_USD = 0.20


def posts_cost_usd(api_posts: int, api_posts_with_url: int) -> float:
    """`api_posts` counts every post created; `api_posts_with_url` those of them holding a URL."""
    plain = max(api_posts - api_posts_with_url, 0)
    return round(plain * PRICE_PER_POST_USD + api_posts_with_url * PRICE_PER_POST_WITH_URL_USD, 4)
