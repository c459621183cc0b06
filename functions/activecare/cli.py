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

The desk commands act as the agent named by --agent or $ACTIVECARE_AGENT, and run the
same DeskService as the desk Lambda.

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


def _desk_agent(args: argparse.Namespace) -> str:
    import os

    agent = args.agent or os.environ.get("ACTIVECARE_AGENT", "")
    if not agent:
        raise DeskCliError("name the agent with --agent or ACTIVECARE_AGENT")
    return agent


class DeskCliError(Exception):
    pass


def cmd_desk(args: argparse.Namespace) -> int:
    import json
    import uuid

    from activecare.desk import render
    from activecare.wiring import runtime

    desk = runtime().desk()
    action = args.action
    if action == "list":
        result = desk.list(status=args.status, topic=args.topic, account=args.account, min_age_minutes=args.min_age,
                           limit=args.limit, cursor=args.cursor, order=args.order)
        text = render.list_text(result)
    elif action == "show":
        result = desk.show(args.id)
        text = render.show_text(result)
    elif action == "next":
        result = desk.claim_next(_desk_agent(args), topic=args.topic, account=args.account)
        text = f"{result['inquiry_id']} を {result['claimed_by']} が担当します（{result['claim_expires_at']} まで）"
    elif action == "claim":
        result = desk.claim(args.id, _desk_agent(args))
        text = f"{result['inquiry_id']} を {result['claimed_by']} が担当します（{result['claim_expires_at']} まで）"
    elif action == "release":
        result = desk.release(args.id, _desk_agent(args))
        text = f"{args.id} の担当を外しました"
    elif action in ("reply", "confirm"):
        agent = _desk_agent(args)
        if action == "confirm":
            result = desk.confirm(args.id, agent, args.token)
        else:
            body = args.text
            if args.template:
                inq = desk.show(args.id)["inquiry"]
                body = desk.templates.get(args.template).render(inq["author_username"])
            if not body:
                raise DeskCliError("give --text or --template")
            token = args.token or uuid.uuid4().hex
            print(f"client_token: {token}（再送するときは --token {token}）", file=sys.stderr)
            result = desk.reply(args.id, agent, body, token, override_hours=args.override_hours)
        text = render.reply_text(result)
    elif action == "resolve":
        result = desk.resolve(args.id, _desk_agent(args), args.outcome)
        text = f"{args.id} を解決済みにしました（{result['outcome']}）"
    elif action == "reopen":
        result = desk.reopen(args.id, _desk_agent(args), args.reason)
        text = f"{args.id} を未対応に戻しました"
    elif action == "templates":
        result = desk.templates_for(inquiry_id=args.inquiry, topic=args.topic)
        text = "\n\n".join(f"[{t['key']}] {t['title']}\n{t.get('rendered', t['text'])}" for t in result["templates"])
    else:  # figures
        result = desk.figures(args.day)
        text = render.figures_text(result)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else text)
    return 0


def _desk_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--agent", help="the agent acting (default: $ACTIVECARE_AGENT)")
    common.add_argument("--json", action="store_true", help="print the API's JSON instead of text")
    desk = sub.add_parser("desk", help="the agent desk").add_subparsers(dest="action", required=True)

    def add(name: str, *, with_id: bool = True, help: str = "") -> argparse.ArgumentParser:
        p = desk.add_parser(name, parents=[common], help=help)
        if with_id:
            p.add_argument("id", help="inquiry id (the id of the tweet that opened it)")
        p.set_defaults(func=cmd_desk)
        return p

    p = add("list", with_id=False, help="inquiries by status, oldest first (or by priority)")
    p.add_argument("--status", default="new", choices=["new", "replied", "resolved"])
    p.add_argument("--order", default="age", choices=["age", "priority"])
    p.add_argument("--topic")
    p.add_argument("--account")
    p.add_argument("--min-age", type=int, help="only inquiries at least this many minutes old")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--cursor")
    add("show", help="history first, then the tweet, context and conversation")
    p = add("next", with_id=False, help="claim the most urgent inquiry")
    p.add_argument("--topic")
    p.add_argument("--account")
    add("claim")
    add("release")
    p = add("reply", help="reply in the open thread")
    p.add_argument("--text")
    p.add_argument("--template", help="a saved reply's key (see `desk templates`)")
    p.add_argument("--token", help="client token; reuse it to retry safely")
    p.add_argument("--override-hours", action="store_true", help="reply outside 09:00-20:00 JST")
    p = add("confirm", help="record a reply sent by hand through the intent link")
    p.add_argument("--token", required=True)
    p = add("resolve")
    p.add_argument("--outcome", required=True, choices=["answered", "email_form", "no_reply_needed"])
    p = add("reopen")
    p.add_argument("--reason", default="")
    p = add("templates", with_id=False, help="saved replies")
    p.add_argument("--inquiry")
    p.add_argument("--topic")
    p = add("figures", with_id=False, help="per-agent figures of a day")
    p.add_argument("--day")


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
    _desk_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DeskCliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from activecare.desk.errors import DeskError

        if not isinstance(exc, DeskError):
            raise
        print(f"error ({exc.status} {exc.code}): {exc.reason}", file=sys.stderr)
        if "offer" in exc.extra:
            print(f"代わりにこちらをどうぞ [{exc.extra['offer']['template']}]:\n{exc.extra['offer']['text']}",
                  file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
