"""Per-agent figures for quality review, from the day's tallies."""

from __future__ import annotations

import statistics
from collections.abc import Mapping

from activecare.desk.cost import posts_cost_usd
from activecare.desk.models import ApiCost, FigureRow, Figures, Refusals

REFUSAL_FIELDS = {
    "refused_personal_data": "personal_data",
    "refused_out_of_hours": "out_of_service_hours",
    "refused_too_long": "too_long",
    "refused_duplicate": "duplicate_content",
    "refused_do_not_contact": "do_not_contact",
}


def _int(counts: Mapping[str, object], key: str) -> int:
    value = counts.get(key, 0)
    return int(value) if isinstance(value, int | float | str) else 0


def _row(counts: Mapping[str, object]) -> FigureRow:
    raw = counts.get("first_response_s") or []
    times = [float(x) for x in raw] if isinstance(raw, list) else []
    return FigureRow(
        replies=_int(counts, "replies"), api_posts=_int(counts, "api_posts"),
        manual_posts=_int(counts, "manual_posts"), email_form_guidance=_int(counts, "email_form"),
        resolved=_int(counts, "resolved"), reopened=_int(counts, "reopened"), first_responses=len(times),
        median_first_response_s=round(statistics.median(times), 1) if times else None,
        refusals=Refusals(**{label: _int(counts, key) for key, label in REFUSAL_FIELDS.items()}),
    )


def day_figures(day: str, tallies: Mapping[str, Mapping[str, object]], *, only: str | None = None) -> Figures:
    """The desk's totals, each agent's row (with `only`, that agent's alone) and the API cost of the day."""
    total = tallies.get("", {})
    api_posts, with_url = _int(total, "api_posts"), _int(total, "posts_with_url")
    agents = {agent: _row(c) for agent, c in sorted(tallies.items()) if agent and (only is None or agent == only)}
    return Figures(day=day, desk=_row(total), agents=agents,
                   api_cost=ApiCost(posts=api_posts, posts_with_url=with_url,
                                    usd=posts_cost_usd(api_posts, with_url)))
