"""`activecare erase --author <@name|id> [--dry-run]`: remove one customer's records (a deletion request).

What it covers and what not: activecare.storage.erasure. Prints counts per kind, never text; a second run
removes nothing and says so. Works on the environment's tables or, with --stack, the stack's.
"""

from __future__ import annotations

import argparse
import sys

from activecare.cli.common import CliError, runtime
from activecare.storage.erasure import KINDS, AmbiguousAuthor

ERRORS = (AmbiguousAuthor,)


def cmd_erase(args: argparse.Namespace) -> int:
    from activecare.storage.erasure import erase, resolve

    author = args.author.strip()
    if not author.removeprefix("@"):
        raise CliError("--author needs a @username or a numeric X user id")
    if not author.startswith("@") and not author.isdigit():
        raise CliError(f"--author {author!r}: give @{author} for a username or the numeric X user id")
    runtime()  # the tables: the stack's with --stack, else the environment's
    author_id = resolve(author)
    if author_id is None:
        print(f"nothing stored for {author}: 0 removed")
        return 0
    report = erase(author_id, dry_run=args.dry_run)
    shown = author if author.startswith("@") else author_id
    if report.total == 0:
        print(f"nothing stored for {shown} (user id {author_id}): 0 removed")
        return 0
    verb = "would remove" if args.dry_run else "removed"
    print(f"{shown} (user id {author_id}): {verb}")
    for kind in KINDS:
        print(f"  {kind:<20} {report.counts[kind]}")
    print(f"  {'total':<20} {report.total}")
    return 0


def report_error(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("erase", help="remove one customer's inquiries, reply records and campaign records")
    p.add_argument("--author", required=True, help="@username or numeric X user id")
    p.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")
    p.set_defaults(func=cmd_erase)
