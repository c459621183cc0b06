"""`activecare desk ...`: the desk API from a terminal, as the signed-in staff member (`activecare login`).

Every command is a request to the same API the web desk uses, with the cached access token: who acts is the
token's user, checked by the API; there is no path around it. The API is the stack's DeskApiUrl output (with
--stack) or DESK_API_URL (the local desk `make desk` serves).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any

from activecare.cli.common import CliError, remote_error, settings, stack_or_setting
from activecare.desk.models import ORDERS, OUTCOMES, STATUSES

TIMEOUT_S = 35  # above the API's own 30-second limit


class DeskApi:
    """The desk API over HTTPS with the session's bearer token; refusals come back as the one error model."""

    def __init__(self, base_url: str, token: str) -> None:
        import requests

        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             **params: str | int | None) -> dict[str, Any]:
        import requests

        query = {k: v for k, v in params.items() if v is not None}
        try:
            resp = self.http.request(method, self.base + path, json=body, params=query, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            raise CliError(f"the desk API at {self.base} did not answer ({type(exc).__name__})") from None
        if resp.status_code == 401:
            raise CliError("the desk API refused the session (expired or signed out): run `activecare login`")
        try:
            data = resp.json()
        except ValueError:
            raise CliError(f"the desk API answered {resp.status_code} with something that is not JSON") from None
        if resp.status_code == 403 and isinstance(data, dict) and "code" not in data:
            raise CliError("the desk API refused the token (API Gateway: forbidden); run `activecare login`")
        if resp.status_code >= 400:
            raise remote_error(data if isinstance(data, dict) else {"error": str(data), "status": resp.status_code})
        if not isinstance(data, dict):
            raise CliError("the desk API answered with something that is not a JSON object")
        return data


def _api() -> DeskApi:
    from activecare.cli.session import bearer_token

    url = stack_or_setting("DeskApiUrl", settings().desk_api_url, "DESK_API_URL")
    return DeskApi(url, bearer_token())


def cmd_desk(args: argparse.Namespace) -> int:
    from activecare.desk import render

    api = _api()
    action = args.action
    path = f"/inquiries/{args.id}" if getattr(args, "id", None) else ""
    if action == "list":
        result = api.call("GET", "/inquiries", status=args.status, topic=args.topic, account=args.account,
                          min_age_minutes=args.min_age, limit=args.limit, cursor=args.cursor, order=args.order)
        text = render.list_text(result)
    elif action == "show":
        result = api.call("GET", path)
        text = render.show_text(result)
    elif action in ("next", "claim"):
        result = (api.call("POST", "/queue/next", {"topic": args.topic, "account": args.account}) if action == "next"
                  else api.call("POST", f"{path}/claim"))
        text = f"{result['inquiry_id']} を {result['claimed_by']} が担当します（{result['claim_expires_at']} まで）"
    elif action == "release":
        result = api.call("POST", f"{path}/release")
        text = f"{args.id} の担当を外しました"
    elif action == "confirm":
        result = api.call("POST", f"{path}/confirm", {"client_token": args.token})
        text = render.reply_text(result)
    elif action == "reply":
        body = args.text
        if args.template:
            found = [t for t in api.call("GET", f"{path}/templates")["templates"] if t["key"] == args.template]
            if not found:
                raise CliError(f"no template {args.template!r} (see `activecare desk templates`)")
            body = found[0]["rendered"] or found[0]["text"]
        if not body:
            raise CliError("give --text or --template")
        token = args.token or uuid.uuid4().hex
        print(f"client_token: {token}（再送するときは --token {token}）", file=sys.stderr)
        result = api.call("POST", f"{path}/reply", {"text": body, "client_token": token,
                                                    "override_hours": args.override_hours})
        text = render.reply_text(result)
    elif action == "resolve":
        result = api.call("POST", f"{path}/resolve", {"outcome": args.outcome})
        text = f"{args.id} を解決済みにしました（{result['outcome']}）"
    elif action == "reopen":
        result = api.call("POST", f"{path}/reopen", {"reason": args.reason})
        text = f"{args.id} を未対応に戻しました"
    elif action == "reassign":
        result = api.call("POST", f"{path}/reassign", {"to": args.to})
        text = f"{args.id} を {result['claimed_by']} に割り当てました（前の担当: {result['previous'] or '-'}）"
    elif action == "templates":
        result = (api.call("GET", f"/inquiries/{args.inquiry}/templates") if args.inquiry
                  else api.call("GET", "/templates", topic=args.topic))
        text = "\n\n".join(f"[{t['key']}] {t['title']}\n{t.get('rendered') or t['text']}" for t in result["templates"])
    elif action == "me":
        result = api.call("GET", "/me")
        text = f"{result['username']}（{', '.join(result['roles'])}）"
    else:  # figures
        result = api.call("GET", "/figures", day=args.day)
        text = render.figures_text(result)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else text)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the API's JSON instead of text")
    desk = sub.add_parser("desk", help="the agent desk, as the signed-in staff member (activecare login)"
                          ).add_subparsers(dest="action", required=True)

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
    p.add_argument("--override-hours", action="store_true", help="reply outside service hours (supervisors)")
    p = add("confirm", help="record a reply sent by hand through the intent link")
    p.add_argument("--token", required=True)
    p = add("resolve")
    p.add_argument("--outcome", required=True, choices=OUTCOMES)
    p = add("reopen")
    p.add_argument("--reason", default="")
    p = add("reassign", help="give the inquiry to another agent (supervisors)")
    p.add_argument("--to", required=True, help="the agent's user name")
    p = add("templates", with_id=False, help="saved replies")
    p.add_argument("--inquiry")
    p.add_argument("--topic")
    add("me", with_id=False, help="who the session is, with its roles")
    p = add("figures", with_id=False, help="the day's figures (agents: their own; supervisors: the team)")
    p.add_argument("--day")
