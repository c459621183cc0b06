"""The `activecare` command line for ops and agents.

    activecare keywords validate FILE     check a catalogue file (errors name line and reason)
    activecare keywords import FILE       make the keyword table hold exactly FILE's rows
    activecare keywords export [FILE]     write the keyword table back as a catalogue file
    activecare keywords queries           show the packed search queries for the access level

    activecare desk list [--status new] [--order priority] [--topic T] [--account A] [--min-age M]
    activecare desk show ID               history first, then the tweet, context and conversation
    activecare desk next | claim ID | release ID
    activecare desk reply ID (--text T | --template KEY) [--token TOKEN] [--override-hours]
    activecare desk confirm ID --token TOKEN      a reply sent by hand through the intent link
    activecare desk resolve ID --outcome answered|email_form|no_reply_needed
    activecare desk reopen ID [--reason R]
    activecare desk templates [--inquiry ID | --topic T]
    activecare desk figures [--day YYYY-MM-DD]

    activecare report preview [--at 2026-11-25T14:00] [--out out/reports] [--department D]
    activecare report status [--at T] [--windows N]    the ledger: sent / failed / in_doubt per department
    activecare report routing [FILE]                   check routing, list departments and recipients

    activecare posts validate FILE | import FILE | export [FILE]   the content calendar (scheduled posts)
    activecare posts plan --account A [--day YYYY-MM-DD] [--file FILE]   a day's posts and their status

    activecare campaign draw --campaign ID --tweet ID [--winners 100] [--dry-run] ...   the lottery
    activecare campaign status|certificate|retry|close ID ; campaign tick ; campaign verify FILE

The desk commands act as the agent named by --agent or $ACTIVECARE_AGENT, and run the
same DeskService as the desk Lambda.

Table names and region come from the environment (as set by the SAM template:
KEYWORD_TABLE, AWS_REGION, X_ACCESS_LEVEL ...).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from activecare.cli.common import CliError

# One module per command group, each with register(subparsers), ERRORS and report_error(exc).
# A feature adds its group here and in a module of its own.
GROUPS = ("keywords", "desk", "report", "posts", "campaign")


def _groups() -> list[ModuleType]:
    return [importlib.import_module(f"activecare.cli.{name}") for name in GROUPS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="activecare", description="activecare operations")
    sub = parser.add_subparsers(dest="group", required=True)
    for group in _groups():
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        for group in _groups():
            if isinstance(exc, group.ERRORS):
                return int(group.report_error(exc))
        raise


if __name__ == "__main__":
    sys.exit(main())
