"""The `activecare` command line for ops and agents.

    activecare keywords validate FILE     check a catalogue file (errors name line and reason)
    activecare keywords import FILE       make the keyword table hold exactly FILE's rows
    activecare keywords export [FILE]     write the keyword table back as a catalogue file
    activecare keywords queries           show the packed search queries for the access level

Table names and region come from the environment (as set by the SAM template:
KEYWORD_TABLE, AWS_REGION, X_ACCESS_LEVEL ...).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from activecare.keywords.catalogue import Catalogue, CatalogueError, load_catalogue
from activecare.settings import Settings


def _load(path: str) -> Catalogue:
    return load_catalogue(Path(path))


def cmd_validate(args: argparse.Namespace) -> int:
    catalogue = _load(args.file)
    print(f"ok: {sum(len(t.keywords) for t in catalogue.topics)} keywords in {len(catalogue.topics)} topics")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from activecare.storage.keywords import replace_catalogue_items
    from activecare.storage.models import bind_tables

    catalogue = _load(args.file)  # validated before anything is written
    bind_tables(Settings.from_env())
    written, deleted = replace_catalogue_items(catalogue.to_items())
    print(f"imported {written} rows, removed {deleted} stale rows")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from activecare.storage.keywords import load_catalogue_items
    from activecare.storage.models import bind_tables

    bind_tables(Settings.from_env())
    text = Catalogue.from_items(load_catalogue_items()).dump_csv()
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from activecare.keywords.catalogue import default_catalogue
    from activecare.keywords.packing import pack_queries

    settings = Settings.from_env()
    catalogue = _load(args.file) if args.file else default_catalogue()
    queries = pack_queries(catalogue, settings.query_length)
    for q in queries:
        print(f"{q.key}\t{len(q.query)}\t{q.query}")
    print(f"{len(queries)} queries for {settings.access_level} ({settings.query_length} characters)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="activecare", description="activecare operations")
    sub = parser.add_subparsers(dest="group", required=True)
    kw = sub.add_parser("keywords", help="the keyword catalogue").add_subparsers(dest="action", required=True)
    p = kw.add_parser("validate")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)
    p = kw.add_parser("import")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
    p = kw.add_parser("export")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_export)
    p = kw.add_parser("queries")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_queries)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
