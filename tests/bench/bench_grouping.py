"""What the packed queries fetch from X on a generated day: every keyword alone against ambiguous keywords
grouped with their context (keywords/grouped.py), evaluated by the fake X API's own query evaluator.

For one generated day (the seed generator, as bench_relevance) every packed query is evaluated over every
non-retweet tweet (X's search returns no retweets) with infra/fake_twitter/query.py. Printed per packing:
queries, distinct tweets fetched (X bills each post once per UTC day), fetched per relevant tweet, tweets the
local matcher accepts, and relevant tweets the queries did not fetch (the mentions read brings the mentions);
then, on the hand-written sets (tests/data/relevance_eval.jsonl and relevance_unseen.jsonl), how many of the
tweets the matcher keeps each packing's queries return at all (what X drops, the matcher never sees).
Packings: every keyword alone ("off"), the catalogue's noisy keywords with their context ("noisy"), the same
with each query's room for global exclusions widened while Pro's searches allow ("noisy+room", what the poller
runs: keywords/grouped.py pack_for with Settings.query_slots), every ambiguous keyword with its context ("all").
"reads" counts a tweet once per query that returns it (what the poller reads); "fetched" once (what X bills).
"noise" is how many of the hand-written tweets the matcher drops the queries still return.

Run: .venv/bin/python tests/bench/bench_grouping.py [--seed 7] [--tweets 50000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from activecare.clock import JST  # noqa: E402
from activecare.keywords import Matcher, default_catalogue, optimum_queries, pack_queries  # noqa: E402
from activecare.keywords.grouped import grouped_optimum, pack_for, pack_grouped  # noqa: E402
from activecare.settings import Settings  # noqa: E402
from infra.fake_twitter.query import Doc, compile_query, evaluate  # noqa: E402
from infra.fake_twitter.state import FakeTwitterState  # noqa: E402
from infra.fake_twitter.text import normalize  # noqa: E402
from infra.seed import generate_day  # noqa: E402

START = datetime(2026, 11, 25, 9, 0, tzinfo=JST)
END = datetime(2026, 11, 25, 20, 0, tzinfo=JST)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tweets", type=int, default=50_000)
    args = parser.parse_args()
    day = generate_day(args.seed, START, END, args.tweets)
    state = FakeTwitterState(lambda: END)
    state.add_users(day.users)
    state.add_tweets(day.tweets)
    ids = [str(t["id"]) for t in day.tweets if not str(t["text"]).startswith("RT @")]
    docs = [(tid, state.doc(tid)) for tid in ids]
    catalogue = default_catalogue()
    matcher = Matcher(catalogue)
    mention_ids = {tid for tid in ids if day.truth[tid].kind == "mention"}
    relevant = {tid for tid in ids if day.truth[tid].relevant} - mention_ids
    print(f"seed {args.seed}: {len(ids):,} tweets on X (retweets aside), {len(relevant)} relevant besides the "
          f"{len(mention_ids)} mentions")
    print(f"{'packing':<11}{'queries':>8}{'optimum':>8}{'reads':>7}{'fetched':>9}{'per relevant':>13}{'matched':>9}"
          f"{'relevant missed':>16}{'eval s':>8}")  # optimum: a lower bound on the queries
    evals = [json.loads(line) for name in ("relevance_eval.jsonl", "relevance_unseen.jsonl")
             for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [normalize(e["text"]) for e in evals if matcher.match(e["text"]) is not None]
    dropped = [normalize(e["text"]) for e in evals if matcher.match(e["text"]) is None]
    slots = Settings(access_level="pro").query_slots
    for label, queries, optimum in (
        ("off", pack_queries(catalogue, 512), optimum_queries(catalogue, 512)),
        ("noisy", pack_grouped(catalogue, 512, only_noisy=True), grouped_optimum(catalogue, 512, only_noisy=True)),
        ("noisy+room", pack_for(catalogue, 512, max_queries=slots), grouped_optimum(catalogue, 512, only_noisy=True)),
        ("all", pack_grouped(catalogue, 512), grouped_optimum(catalogue, 512)),
    ):
        started = time.perf_counter()
        nodes = [compile_query(q.query) for q in queries]
        hits = [sum(1 for n in nodes if evaluate(n, doc)) if doc.is_retweet is False else 0 for _, doc in docs]
        fetched = {tid for (tid, _), n in zip(docs, hits, strict=True) if n}
        texts = {str(t["id"]): str(t["text"]) for t in day.tweets}
        matched = {tid for tid in fetched if matcher.match(texts[tid]) is not None}
        missed = relevant - fetched
        missed_matchable = {tid for tid in missed if matcher.match(texts[tid]) is not None}
        per = len(fetched) / max(1, len(relevant))
        returned = sum(1 for text in kept if any(evaluate(n, Doc(text=text, lang="ja")) for n in nodes))
        noise = sum(1 for text in dropped if any(evaluate(n, Doc(text=text, lang="ja")) for n in nodes))
        print(f"{label:<11}{len(queries):>8}{optimum:>8}{sum(hits):>7,}{len(fetched):>9,}{per:>13.2f}"
              f"{len(matched):>9,}{len(missed):>9} ({len(missed_matchable)} matchable)"
              f"{time.perf_counter() - started:>6.1f}   hand-written: {returned} of the {len(kept)} the matcher "
              f"keeps returned, {noise} of the {len(dropped)} it drops")


if __name__ == "__main__":
    main()
