"""`activecare desk ...`: the same operations as the desk API, on the same DeskService."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import BaseModel

from activecare.cli.common import CliError
from activecare.desk.models import ORDERS, OUTCOMES, STATUSES


def _desk_agent(args: argparse.Namespace) -> str:
    import os

    agent = args.agent or os.environ.get("ACTIVECARE_AGENT", "")
    if not agent:
        raise CliError("name the agent with --agent or ACTIVECARE_AGENT")
    return agent


def cmd_desk(args: argparse.Namespace) -> int:
    import json
    import uuid

    from activecare.cli.common import runtime
    from activecare.desk import render

    desk = runtime().desk()
    action = args.action
    result: BaseModel
    if action == "list":
        result = desk.list(status=args.status, topic=args.topic, account=args.account, min_age_minutes=args.min_age,
                           limit=args.limit, cursor=args.cursor, order=args.order)
        text = render.list_text(_json(result))
    elif action == "show":
        result = desk.show(args.id)
        text = render.show_text(_json(result))
    elif action in ("next", "claim"):
        result = (desk.claim_next(_desk_agent(args), topic=args.topic, account=args.account) if action == "next"
                  else desk.claim(args.id, _desk_agent(args)))
        c = _json(result)
        text = f"{c['inquiry_id']} を {c['claimed_by']} が担当します（{c['claim_expires_at']} まで）"
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
                inq = desk.show(args.id).inquiry
                body = desk.templates.get(args.template).render(inq.author_username)
            if not body:
                raise CliError("give --text or --template")
            token = args.token or uuid.uuid4().hex
            print(f"client_token: {token}（再送するときは --token {token}）", file=sys.stderr)
            result = desk.reply(args.id, agent, body, token, override_hours=args.override_hours)
        text = render.reply_text(_json(result))
    elif action == "resolve":
        result = desk.resolve(args.id, _desk_agent(args), args.outcome)
        text = f"{args.id} を解決済みにしました（{_json(result)['outcome']}）"
    elif action == "reopen":
        result = desk.reopen(args.id, _desk_agent(args), args.reason)
        text = f"{args.id} を未対応に戻しました"
    elif action == "templates":
        result = desk.templates_for(inquiry_id=args.inquiry, topic=args.topic)
        text = "\n\n".join(f"[{t.key}] {t.title}\n{t.rendered or t.text}" for t in result.templates)
    else:  # figures
        result = desk.figures(args.day)
        text = render.figures_text(_json(result))
    print(json.dumps(_json(result), ensure_ascii=False, indent=2) if args.json else text)
    return 0


def _json(result: BaseModel) -> dict[str, Any]:
    """The result as the desk API answers it."""
    return result.model_dump(mode="json")


def register(sub: argparse._SubParsersAction) -> None:
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
    p.add_argument("--status", default="new", choices=STATUSES)
    p.add_argument("--order", default="age", choices=ORDERS)
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
    p.add_argument("--outcome", required=True, choices=OUTCOMES)
    p = add("reopen")
    p.add_argument("--reason", default="")
    p = add("templates", with_id=False, help="saved replies")
    p.add_argument("--inquiry")
    p.add_argument("--topic")
    p = add("figures", with_id=False, help="per-agent figures of a day")
    p.add_argument("--day")


