"""Per-agent figures for quality review, from the day's tallies."""

from __future__ import annotations

import statistics
from typing import Any

from activecare.desk.cost import posts_cost_usd

REFUSAL_FIELDS = {
    "refused_personal_data": "personal_data",
    "refused_out_of_hours": "out_of_service_hours",
    "refused_too_long": "too_long",
    "refused_duplicate": "duplicate_content",
}


def _row(counts: dict[str, Any]) -> dict[str, Any]:
    times = [float(x) for x in counts.get("first_response_s") or []]
    return {
        "replies": int(counts.get("replies", 0)),
        "api_posts": int(counts.get("api_posts", 0)),
        "manual_posts": int(counts.get("manual_posts", 0)),
        "email_form_guidance": int(counts.get("email_form", 0)),
        "resolved": int(counts.get("resolved", 0)),
        "reopened": int(counts.get("reopened", 0)),
        "first_responses": len(times),
        "median_first_response_s": round(statistics.median(times), 1) if times else None,
        "refusals": {label: int(counts.get(key, 0)) for key, label in REFUSAL_FIELDS.items()},
    }


def day_figures(day: str, tallies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """{"day", "desk": totals, "agents": {agent: figures}, "api_cost": {...}}."""
    total = tallies.get("", {})
    api_posts = int(total.get("api_posts", 0))
    with_url = int(total.get("posts_with_url", 0))
    return {
        "day": day,
        "desk": _row(total),
        "agents": {agent: _row(c) for agent, c in sorted(tallies.items()) if agent},
        "api_cost": {"posts": api_posts, "posts_with_url": with_url,
                     "usd": posts_cost_usd(api_posts, with_url)},
    }
