"""Query packing figures: requests per poll for the real catalogue and a synthetic
2,000-keyword one, at 512 (self-serve) and 4,096 (Enterprise) characters, against the
lower bound. Prints figures; asserts nothing about time.

Run: .venv/bin/python tests/bench/bench_packing.py [--keywords N]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from activecare.keywords import (
    ENTERPRISE_QUERY_LIMIT,
    SELF_SERVE_QUERY_LIMIT,
    Catalogue,
    default_catalogue,
    optimum_queries,
    pack_queries,
    packing_report,
    synthetic_catalogue,
)


def first_keywords(catalogue: Catalogue, n: int) -> Catalogue:
    """The catalogue cut to its first n keywords (the issue's 280-keyword case, with real words)."""
    topics, left = [], n
    for topic in catalogue.topics:
        kept = topic.keywords[:left]
        left -= len(kept)
        if kept:
            topics.append(dataclasses.replace(topic, keywords=kept,
                                              ambiguous=tuple(k for k in topic.ambiguous if k in kept)))
    return dataclasses.replace(catalogue, topics=tuple(topics))


# Searches per 15 minutes per app (X docs): what one poll per minute costs against them.
_BUDGETS = {"Basic": 60, "Pro / pay-per-use": 450}


def run(synthetic_size: int = 2000) -> None:
    """Print the packing report, timings and the per-tier polling budget."""
    catalogue = default_catalogue()
    start = time.perf_counter()
    report = packing_report(catalogue, synthetic_size=synthetic_size)
    print(report)
    print(f"(report computed in {time.perf_counter() - start:.2f} s)")
    synthetic = synthetic_catalogue(synthetic_size, base=catalogue)
    first_280 = first_keywords(catalogue, 280)
    for label, cat in (("first 280", first_280), ("catalogue", catalogue), (f"synthetic {synthetic_size}", synthetic)):
        for limit in (SELF_SERVE_QUERY_LIMIT, ENTERPRISE_QUERY_LIMIT):
            start = time.perf_counter()
            queries = pack_queries(cat, limit)
            elapsed = (time.perf_counter() - start) * 1000
            longest = max(len(q.query) for q in queries)
            budget = ", ".join(
                f"{tier}: every {max(1.0, len(queries) * 15 / per_15_min):.1f} min"
                for tier, per_15_min in _BUDGETS.items()
            )
            optimum = optimum_queries(cat, limit)
            print(
                f"{label:<16} limit {limit:>5}: {len(queries):>3} queries (optimum {optimum:>3}), longest {longest:>4} "
                "chars, "
                f"packed in {elapsed:6.1f} ms; each query can run {budget}"
            )


def test_bench_packing() -> None:
    """Pytest entry point (prints figures with -s)."""
    run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keywords", type=int, default=2000, help="size of the synthetic catalogue")
    run(parser.parse_args().keywords)
