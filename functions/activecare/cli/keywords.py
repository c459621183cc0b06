"""`activecare keywords ...`: validate, import, export the catalogue; show packed queries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from activecare.cli.common import settings as current_settings
from activecare.keywords.catalogue import Catalogue, CatalogueError, load_catalogue

ERRORS = (CatalogueError,)


def _load(path: str) -> Catalogue:
    return load_catalogue(Path(path))


def cmd_validate(args: argparse.Namespace) -> int:
    catalogue = _load(args.file)
    print(f"ok: {sum(len(t.keywords) for t in catalogue.topics)} keywords in {len(catalogue.topics)} topics")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from activecare.keywords.dynamo import replace_catalogue
    from activecare.storage.models import bind_tables

    catalogue = _load(args.file)  # validated before anything is written
    bind_tables(current_settings())
    written, deleted = replace_catalogue(catalogue)
    print(f"imported {catalogue.keyword_count} keywords in {written} topic items, removed {deleted} stale topics")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from activecare.keywords.dynamo import load_catalogue_rows
    from activecare.storage.models import bind_tables

    bind_tables(current_settings())
    text = Catalogue.from_items(load_catalogue_rows()).dump_csv()
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from activecare.keywords.catalogue import default_catalogue
    from activecare.keywords.grouped import pack_for

    settings = current_settings()
    catalogue = _load(args.file) if args.file else default_catalogue()
    queries = pack_for(catalogue, settings.query_length, group_ambiguous=settings.x_group_ambiguous,
                       max_queries=settings.query_slots)
    for q in queries:
        print(f"{q.key}\t{len(q.query)}\t{q.query}")
    print(f"{len(queries)} queries for {settings.access_level} ({settings.query_length} characters)")
    return 0



def register(sub: argparse._SubParsersAction) -> None:
    kw = sub.add_parser("keywords", help="the keyword catalogue").add_subparsers(dest="action", required=True)
    p = kw.add_parser("validate", help="check a catalogue file; errors name line and reason")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)
    p = kw.add_parser("import", help="make the keyword table hold exactly FILE's rows")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
    p = kw.add_parser("export", help="write the keyword table back as a catalogue file")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_export)
    p = kw.add_parser("queries", help="the packed search queries for X_ACCESS_LEVEL")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_queries)
