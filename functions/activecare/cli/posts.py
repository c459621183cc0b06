"""`activecare posts ...`: the content calendar (validate, import, export) and a day's plan."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from activecare.accounts import ACCOUNT_KEYS
from activecare.publishing.calendar import CalendarError, load_calendar
from activecare.publishing.service import CalendarMissing

ERRORS = (CalendarError, CalendarMissing)


def cmd_validate(args: argparse.Namespace) -> int:
    calendar = load_calendar(Path(args.file))
    print(f"ok: {len(calendar.posts)} posts ({sum(len(p.variants) for p in calendar.posts)} texts) in "
          f"{len(calendar.categories)} categories")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from activecare.cli.common import runtime

    calendar = load_calendar(Path(args.file))  # validated before anything is written
    stored = runtime().publisher().import_calendar(calendar, Path(args.file).name)
    print(f"imported {len(calendar.posts)} posts in {len(calendar.categories)} categories (version {stored.digest})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from activecare.cli.common import runtime
    from activecare.publishing.calendar import dump_csv

    text = dump_csv(runtime().publisher().calendar())
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    """The day's plan for an account: from FILE (offline), or the imported calendar with each slot's status."""
    from activecare.clock import to_jst
    from activecare.publishing.plan import plan_day
    from activecare.publishing.service import slot_status

    day = args.day
    if day is None:
        from activecare.clock import system_clock

        day = to_jst(system_clock()).strftime("%Y-%m-%d")
    try:
        when = datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError:
        from activecare.cli.common import CliError

        raise CliError(f"--day {day!r} must be YYYY-MM-DD") from None
    if args.file:
        calendar = load_calendar(Path(args.file))
        rows = [slot_status(s) for s in plan_day(calendar, args.account, when)]
        caps = calendar.caps
    else:
        from activecare.cli.common import runtime

        publisher = runtime().publisher()
        rows = publisher.day_status(args.account, day)
        caps = publisher.calendar().caps
    if args.json:
        slots = [r.model_dump(mode="json") for r in rows]
        print(json.dumps({"account": args.account, "day": day, "slots": slots, "caps": caps}, ensure_ascii=False,
                         indent=2))
        return 0
    print(f"{day} @{args.account}: {len(rows)} posts")
    for r in rows:
        first = r.text.split("\n")[0]
        print(f"{r.at}  {r.category:<10} {r.status:<9} {r.post_id} (v{r.variant}, "
              f"{r.weighted_length}/280)  {first[:40]}…")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.category] = counts.get(r.category, 0) + 1
    print("  " + ", ".join(f"{c} {counts.get(c, 0)}/{cap}" for c, cap in caps.items()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    posts = sub.add_parser("posts", help="scheduled posts: the content calendar").add_subparsers(
        dest="action", required=True)
    p = posts.add_parser("validate", help="check a calendar file; errors name line and reason")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)
    p = posts.add_parser("import", help="load a calendar file into the state table (no deploy)")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
    p = posts.add_parser("export", help="write the imported calendar back as a file")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_export)
    p = posts.add_parser("plan", help="preview a day's posts for an account (and their status)")
    p.add_argument("--account", required=True, choices=sorted(ACCOUNT_KEYS))
    p.add_argument("--day", help="JST date YYYY-MM-DD (default: today in Japan)")
    p.add_argument("--file", help="plan from this calendar file instead of the imported one")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan)
