"""`activecare campaign ...`: the campaign lottery, on the same CampaignService as the campaign Lambda.

    activecare campaign draw --campaign ID --tweet TWEET_ID [--account general] [--winners 100]
        [--exclude-user ID ...] [--exclude-file FILE] [--exclude-winners-of CAMPAIGN ...]
        [--min-followers N] [--min-account-age-days D] [--cutoff 2026-12-01T23:59:59+09:00]
        [--no-follow-required] [--message TEXT | --message-file FILE] [--salt S] [--dry-run]
        [--reply-phrase PHRASE] [--no-retweet-required]
        [--notify hand|claim|api] [--claim-phrase PHRASE] [--announce-at ISO] [--yes]
            hand (default): the desk's campaign page gives agents a DM link per winner to send by hand and confirm;
            claim: a public announcement asks winners to DM a claim phrase, the prize message answers them;
            api: the API DMs every winner unasked (asks for confirmation: X's rule, see API_DM_PROMPT)
    activecare campaign status ID          collection, draw record, DM queue progress
    activecare campaign tick               one scheduled run now: resume collections, send due DMs
    activecare campaign certificate ID [--out FILE]   the publishable draw certificate (JSON)
    activecare campaign verify FILE        re-run a certificate's draw; exit 1 if it does not reproduce
    activecare campaign retry ID           failed DMs back to the queue (sent ones are never resent)
    activecare campaign close ID [--force]

With --stack every action but verify is run by the deployed campaign function (Lambda Invoke).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from activecare.campaign.models import (
    DM_RULE,
    Action,
    CampaignProgress,
    Certificate,
    DrawOutcome,
    DryRun,
    Requeued,
    Tick,
)
from activecare.cli.common import CliError, remote_error

if TYPE_CHECKING:
    from activecare.campaign.service import CampaignService

T = TypeVar("T")

API_DM_PROMPT = (
    "--notify api: the API sends every winner a DM they did not ask for.\n"
    f"X's developer rules (2026): \"{DM_RULE}\" (bulk and welcome DMs are prohibited).\n"
    "Use api mode only where X allowed it for this campaign; `--notify claim` (winners DM us first) or the default "
    "`hand` (agents send each DM by hand) keep the rule.\n"
    "Type 'api' to send the winners' DMs through the API: ")


def _exclusions(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """--exclude-user values and --exclude-file lines: numeric ids, or @usernames."""
    values = list(args.exclude_user or [])
    if args.exclude_file:
        try:
            text = Path(args.exclude_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read {args.exclude_file}: {exc.strerror}") from None
        values += [line.split("#", 1)[0].strip() for line in text.splitlines()]
    values = [v for v in values if v]
    return [v for v in values if v.isdigit()], [v for v in values if not v.isdigit()]


def _request(args: argparse.Namespace) -> dict[str, Any]:
    ids, names = _exclusions(args)
    rules: dict[str, Any] = {"require_follow": not args.no_follow_required, "min_followers": args.min_followers,
                             "require_retweet": not args.no_retweet_required, "reply_phrase": args.reply_phrase,
                             "min_account_age_days": args.min_account_age_days, "exclude_user_ids": ids,
                             "exclude_usernames": names, "exclude_winners_of": args.exclude_winners_of or []}
    if args.cutoff:
        rules["cutoff"] = args.cutoff
    req: dict[str, Any] = {"campaign_id": args.campaign, "tweet_id": args.tweet, "account": args.account,
                           "winners": args.winners, "rules": rules, "salt": args.salt,
                           "salt_sha256": args.salt_sha256, "dry_run": args.dry_run, "notify": args.notify}
    if args.claim_phrase:
        req["claim_phrase"] = args.claim_phrase
    if args.announce_at:
        req["announce_at"] = args.announce_at
    if args.message_file:
        req["message"] = Path(args.message_file).read_text(encoding="utf-8").strip()
    elif args.message:
        req["message"] = args.message
    return req


def _status_text(s: CampaignProgress | DryRun) -> str:
    if isinstance(s, DryRun):
        entered = max(s.counts.get('retweeters', 0), s.counts.get('repliers', 0))
        return (f"[dry run] {s.campaign_id}: 応募 {entered} 件、有効 {s.entrants} 件、"
                f"当選予定 {s.would_win} 名（API {sum(s.api_calls.values())} 回）\n"
                f"内訳: {json.dumps(s.counts, ensure_ascii=False)}\nentrants sha256: {s.entrants_sha256}\n"
                + _cost_line(s.x_reads, s.x_read_cost_usd, s.follow_check, "この抽選の X 読み取り（本番でも同じ）"))
    c = s.collection
    lines = [f"{s.campaign_id} ({s.status}) tweet {s.tweet_id} account {s.account}",
             f"収集: {c.retweeters} 人 / {c.pages} ページ" + (" 完了" if c.done else " 継続中")
             + (f"（{c.resume_after} 以降に再開）" if c.resume_after else "")]
    if s.draw is not None:
        d = s.draw
        lines.append(f"抽選: 有効 {d.entrants} 名から {s.winners} 名（希望 {s.winners_wanted}）"
                     f" seed {d.seed[:16]}… entrants sha256 {d.entrants_sha256[:16]}…")
        lines.append(f"内訳: {json.dumps(d.counts, ensure_ascii=False)}")
        q, b = s.dms, s.dm_budget
        done = q["sent"] + q["failed"]
        lines.append(f"DM: 送信済 {q['sent']} / 失敗 {q['failed']} / 未送信 {q['pending'] + q['sending']}"
                     f"（{done}/{s.winners}）今の15分枠 {b.window_used}/{b.window_limit}、"
                     f"24時間 {b.day_used}/{b.day_limit}、費用 ${s.dm_cost_usd}")
        lines += [f"  失敗 #{f.rank} {f.user_id}: {f.error}" for f in s.failures or []]
        posted = f"（告知ポスト {s.announcement_tweet_id}）" if s.announcement_tweet_id else ""
        lines.append(f"通知: {s.notify}{posted}")
    lines.append(_cost_line(s.x_reads, s.x_read_cost_usd, s.follow_check, "X 読み取り"))
    return "\n".join(lines)


def _cost_line(reads: dict[str, int], usd: float, follow_check: str, label: str) -> str:
    parts = ", ".join(f"{k} {n:,}" for k, n in sorted(reads.items())) or "none"
    return f"{label}: {parts} = ${usd}" + (f"（フォロー確認: {follow_check}）" if follow_check else "")


def _operation(args: argparse.Namespace) -> tuple[Action, dict[str, Any]]:
    """The command as the campaign function's operation and its arguments."""
    if args.action == "draw":
        return "draw", _request(args)
    if args.action == "tick":
        return "tick", {}
    action: Action = "retry_failed" if args.action == "retry" else args.action
    return action, {"campaign_id": args.id, **({"force": args.force} if action == "close" else {})}


def _answer(action: Action, params: dict[str, Any]) -> dict[str, Any]:
    """The operation's JSON: the deployed campaign function's answer with --stack, else the local service's."""
    from activecare.cli.common import runtime, target

    stack = target.stack()
    if stack:
        return _InvokedCampaign(stack).invoke(action, params)
    service: CampaignService = runtime().campaign()
    return service.perform(action, params).model_dump(mode="json")


def _read(kind: TypeAdapter[T], answer: dict[str, Any]) -> T:
    """The answer as its result type (for the text output); an answer of another shape is a clear error."""
    try:
        return kind.validate_python(answer)
    except ValidationError as exc:
        raise CliError(f"the campaign answered with an unexpected result: {exc.error_count()} problem(s), first: "
                       f"{exc.errors()[0]['msg']}") from None


def cmd_campaign(args: argparse.Namespace) -> int:
    from activecare.campaign import draw as drawing

    if args.action == "salt":
        salt, commitment = drawing.new_salt()
        print(f"salt (secret until the draw; give it to `campaign draw --salt`): {salt}\n"
              f"salt sha256 (publish it in the campaign's announcement, before entries close): {commitment}")
        return 0
    if args.action == "verify":
        try:
            cert = json.loads(Path(args.file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CliError(f"cannot read certificate {args.file}: {exc}") from None
        problems = drawing.verify(cert)
        for p in problems:
            print(f"NG: {p}", file=sys.stderr)
        if not problems:
            print(f"OK: {cert['entrants_count']} entrants (sha256 {cert['entrants_sha256']}), seed {cert['seed']}: "
                  f"the draw reproduces {len(cert['winners'])} winners")
        return 1 if problems else 0

    action, params = _operation(args)
    unconfirmed = action == "draw" and params.get("notify") == "api" and not params.get("dry_run") and not args.yes
    if unconfirmed and input(API_DM_PROMPT).strip() != "api":
        raise CliError("not drawn: api mode needs the confirmation (or --yes)")
    result = _answer(action, params)
    if action == "tick":
        if args.json:
            print(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            tick = _read(TypeAdapter(Tick), result)
            print("\n\n".join(_status_text(r) if isinstance(r, CampaignProgress) else
                              json.dumps(r.model_dump(mode="json")) for r in tick.campaigns) or "open campaigns: none")
    elif action == "certificate":
        text = json.dumps(result, ensure_ascii=False, indent=2)
        if args.out:
            certificate = _read(TypeAdapter(Certificate), result)
            Path(args.out).write_text(text + "\n", encoding="utf-8")
            print(f"{args.out}: {certificate.entrants_count} entrants, {len(certificate.winners)} winners")
        else:
            print(text)
    elif action == "retry_failed":
        print(json.dumps(result) if args.json else
              f"{_read(TypeAdapter(Requeued), result).requeued} 件の失敗DMを再送キューに戻しました")
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else
              _status_text(_read(TypeAdapter[DrawOutcome](DrawOutcome), result)))
    return 0


class _InvokedCampaign:
    """CampaignService's operations run by the deployed campaign function (Lambda Invoke, synchronous).

    With --stack the draw runs where it runs on schedule: inside the campaign function, the only holder of
    the DM-capable secret, with its 300-second budget, the reserved concurrency of 1 that keeps the DM queue
    linear, and its log in CloudWatch. The operator needs lambda:InvokeFunction, not the DM tokens."""

    def __init__(self, stack: Any) -> None:
        self.function = stack.output("CampaignFunctionName")
        self.region = stack.region

    def invoke(self, action: Action, params: dict[str, Any]) -> dict[str, Any]:
        """The function's answer to {"action": ..., **params}, without its "ok" (a refusal is raised)."""
        import boto3
        from botocore.config import Config

        from activecare.cli.outputs import aws_errors

        event = {"action": action, **params}
        # The function may run its full 300 s; one attempt only: a timed-out draw is looked at, not re-sent.
        config = Config(read_timeout=330, retries={"total_max_attempts": 1})
        with aws_errors(f"campaign function {self.function}"):
            resp = boto3.client("lambda", region_name=self.region, config=config).invoke(
                FunctionName=self.function, InvocationType="RequestResponse",
                Payload=json.dumps(event, ensure_ascii=False).encode("utf-8"))
        raw = resp["Payload"].read()
        try:
            result = json.loads(raw)
        except ValueError:
            raise CliError(f"campaign function {self.function} answered with something that is not JSON") from None
        if resp.get("FunctionError") or not isinstance(result, dict):
            message = result.get("errorMessage", "") if isinstance(result, dict) else ""
            raise CliError(f"campaign function {self.function} failed: {message or resp.get('FunctionError')} "
                           f"(see its CloudWatch log)")
        if result.get("ok") is False:
            raise remote_error(result)
        result.pop("ok", None)
        return result


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON")
    group = sub.add_parser("campaign", help="the follow + retweet lottery").add_subparsers(dest="action",
                                                                                          required=True)

    def add(name: str, help: str, *, with_id: bool = False) -> argparse.ArgumentParser:
        p = group.add_parser(name, parents=[common], help=help)
        if with_id:
            p.add_argument("id", help="campaign id")
        p.set_defaults(func=cmd_campaign)
        return p

    p = add("draw", "collect eligible retweeters, draw the winners, start the DMs")
    p.add_argument("--campaign", required=True, help="campaign id (letters, digits, - and _)")
    p.add_argument("--tweet", required=True, help="the campaign tweet's id")
    p.add_argument("--account", default="general", help="support account key that posted it")
    p.add_argument("--winners", type=int, default=100)
    p.add_argument("--exclude-user", action="append", help="user id or @username (staff, known bots); repeatable")
    p.add_argument("--exclude-file", help="file of user ids / @usernames, one a line (# comments)")
    p.add_argument("--exclude-winners-of", action="append", help="an earlier campaign id; repeatable")
    p.add_argument("--min-followers", type=int, default=0)
    p.add_argument("--min-account-age-days", type=int, default=0)
    p.add_argument("--cutoff", help="entry cut-off, ISO 8601 with offset; the draw refuses to run before it")
    p.add_argument("--no-follow-required", action="store_true")
    p.add_argument("--message", help="DM template ({username}, {campaign})")
    p.add_argument("--message-file")
    p.add_argument("--salt", default="", help="the campaign's secret salt (`campaign salt`), revealed by the draw")
    p.add_argument("--salt-sha256", default="", help="its sha256, as published in the announcement")
    p.add_argument("--dry-run", action="store_true", help="collect and count, store and send nothing; prints the X "
                   "read cost")
    p.add_argument("--reply-phrase", default="", help="entrants replied to the campaign post with this phrase "
                   "(normalised Japanese matching)")
    p.add_argument("--no-retweet-required", action="store_true", help="entries by reply phrase only")
    p.add_argument("--notify", choices=["hand", "claim", "api"], default="hand",
                   help="how winners hear of it: hand (default, agents send DM links), claim (winners DM a phrase "
                   "first), api (unsolicited API DMs: asks for confirmation)")
    p.add_argument("--claim-phrase", default="", help="claim mode: the phrase winners DM us")
    p.add_argument("--announce-at", default="", help="claim mode: post the announcement at or after this time "
                   "(ISO 8601 with offset; default: with the draw)")
    p.add_argument("--yes", action="store_true", help="confirm api mode without the prompt")
    add("status", "progress of a campaign", with_id=True)
    add("tick", "one scheduled run now")
    p = add("certificate", "the publishable draw certificate", with_id=True)
    p.add_argument("--out")
    p = group.add_parser("salt", help="a fresh secret salt and the sha256 to publish before entries close")
    p.set_defaults(func=cmd_campaign)
    p = group.add_parser("verify", help="re-run a certificate's draw")
    p.add_argument("file")
    p.set_defaults(func=cmd_campaign)
    add("retry", "failed DMs back to the queue", with_id=True)
    p = add("close", "close a campaign (nothing more is drawn or sent)", with_id=True)
    p.add_argument("--force", action="store_true")

