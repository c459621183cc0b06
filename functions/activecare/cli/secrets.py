"""`activecare secrets ...`: put the X credentials into the stack's secrets. Values are read from a file or
stdin, checked for the shape the functions expect (wiring.py), and never printed, echoed or logged.

    activecare secrets set-twitter [FILE|-]       {"bearer_token": ..., "accounts": {"general": {...}, ...}}
                                                  writes both X secrets: the bearer token to the bearer secret,
                                                  the accounts' tokens to the posting secret
    activecare secrets set-bearer [FILE|-]        {"bearer_token": ...}  (listening: poller, worker, reads)
    activecare secrets set-posting [FILE|-]       {"accounts": {"general": {...}, ...}}  (desk, publisher)
    activecare secrets set-campaign-dm [FILE|-]   {"accounts": {"general": {"access_token": ...}, ...}}
    activecare secrets set-webhook [FILE|-]       {"consumer_secret": ...}  (X's webhook: the app's API key secret)
    activecare secrets check                      which parts are set (never the values)

Each account's credentials are an OAuth 2.0 user token {"access_token": ...} or OAuth 1.0a keys
{"consumer_key", "consumer_secret", "access_token", "access_token_secret"} (optionally with the app's
"bearer_token" for app-only calls; set-twitter copies the document's bearer token into OAuth 1.0a entries).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from activecare.cli.common import CliError, settings

OAUTH1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
PLACEHOLDERS = {"set-me", "changeme", "xxx", "todo"}


def _read(source: str) -> Any:
    """The JSON document from FILE or stdin ('-'); parse errors name the position, never the content."""
    try:
        text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()  # noqa: SIM115
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{'stdin' if source == '-' else source}: not JSON (line {exc.lineno}, column {exc.colno})"
                       ) from None


def _token(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and value.strip().lower() not in PLACEHOLDERS


def _account_kind(key: str, creds: object) -> str:
    """'OAuth 2.0' or 'OAuth 1.0a' for a valid account entry; CliError (naming fields, not values) otherwise."""
    if not isinstance(creds, dict):
        raise CliError(f"accounts.{key} must be an object")
    unknown = sorted(set(creds) - set(OAUTH1) - {"bearer_token"})
    if unknown:
        raise CliError(f"accounts.{key}: unknown fields {', '.join(unknown)}")
    if not _token(creds.get("access_token")):
        raise CliError(f"accounts.{key}.access_token is missing or empty")
    if "access_token_secret" in creds or "consumer_key" in creds or "consumer_secret" in creds:
        missing = [f for f in OAUTH1 if not _token(creds.get(f))]
        if missing:
            raise CliError(f"accounts.{key}: OAuth 1.0a keys need {', '.join(missing)}")
        return "OAuth 1.0a"
    return "OAuth 2.0"


def _accounts(doc: dict[str, Any], known: list[str], *, require_all: bool) -> dict[str, str]:
    accounts = doc.get("accounts")
    if not isinstance(accounts, dict) or not accounts:
        raise CliError("'accounts' must be an object of support account key -> credentials")
    unknown = sorted(set(accounts) - set(known))
    if unknown:
        raise CliError(f"unknown support accounts {', '.join(unknown)} (the stack has {', '.join(known)})")
    missing = [k for k in known if k not in accounts]
    if require_all and missing:
        raise CliError(f"no credentials for {', '.join(missing)}: the desk and the publisher post as every account")
    return {k: _account_kind(k, accounts[k]) for k in known if k in accounts}


def check_twitter(doc: object, known: list[str]) -> dict[str, str]:
    """The combined document set-twitter takes (bearer token and every account); account -> auth kind."""
    if not isinstance(doc, dict):
        raise CliError("the X credentials must be a JSON object")
    unknown = sorted(set(doc) - {"bearer_token", "accounts"})
    if unknown:
        raise CliError(f"unknown fields {', '.join(unknown)} (expected bearer_token, accounts)")
    check_bearer({"bearer_token": doc.get("bearer_token")}, known)
    return _accounts(doc, known, require_all=True)


def check_bearer(doc: object, known: list[str]) -> dict[str, str]:
    """The bearer secret's shape, as Runtime.twitter reads it (no accounts: it cannot post)."""
    if not isinstance(doc, dict):
        raise CliError("the bearer secret must be a JSON object")
    unknown = sorted(set(doc) - {"bearer_token"})
    if unknown:
        raise CliError(f"unknown fields {', '.join(unknown)} (expected bearer_token only)")
    if not _token(doc.get("bearer_token")):
        raise CliError("bearer_token is missing or empty (the app-only token the poller searches with)")
    return {}


def check_posting(doc: object, known: list[str]) -> dict[str, str]:
    """The posting secret's shape, as Runtime.poster reads it (every account's user tokens)."""
    if not isinstance(doc, dict):
        raise CliError("the posting credentials must be a JSON object")
    unknown = sorted(set(doc) - {"accounts"})
    if unknown:
        raise CliError(f"unknown fields {', '.join(unknown)} (expected accounts)")
    return _accounts(doc, known, require_all=True)


def split_twitter(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """set-twitter's document as the two secrets: {"bearer_token"} and {"accounts"} (OAuth 1.0a entries keep
    the app's bearer token for the app-only calls they make, as before the split)."""
    bearer = doc["bearer_token"]
    accounts = {k: ({"bearer_token": bearer, **v} if "access_token_secret" in v else dict(v))
                for k, v in doc["accounts"].items()}
    return {"bearer_token": bearer}, {"accounts": accounts}


def check_campaign_dm(doc: object, known: list[str]) -> dict[str, str]:
    """The campaign secret's shape, as Runtime.campaign reads it (DM-capable tokens of some accounts)."""
    if not isinstance(doc, dict):
        raise CliError("the DM credentials must be a JSON object")
    unknown = sorted(set(doc) - {"accounts"})
    if unknown:
        raise CliError(f"unknown fields {', '.join(unknown)} (expected accounts)")
    return _accounts(doc, known, require_all=False)


def check_webhook(doc: object, known: list[str]) -> dict[str, str]:
    """The webhook secret's shape, as Runtime._consumer_secret reads it (the HMAC key of X's signatures)."""
    if not isinstance(doc, dict) or set(doc) != {"consumer_secret"} or not _token(doc.get("consumer_secret")):
        raise CliError("the webhook secret must be {\"consumer_secret\": ...}: the X app's API key secret")
    return {}


def _store(secret_id: str, doc: dict[str, Any], region: str) -> str:
    import boto3

    from activecare.cli.outputs import aws_errors

    client = boto3.client("secretsmanager", region_name=region)
    with aws_errors(f"secret {secret_id}"):
        resp = client.put_secret_value(SecretId=secret_id, SecretString=json.dumps(doc, ensure_ascii=False))
    return str(resp.get("VersionId", ""))


def _kinds(kinds: dict[str, str]) -> str:
    return ", ".join(f"{k} ({kind})" for k, kind in kinds.items())


def cmd_set(args: argparse.Namespace) -> int:
    s = settings()
    known = [a.key for a in s.accounts]
    doc = _read(args.file)
    writes: list[tuple[str, dict[str, Any], str]] = []  # (secret id, value, what was stored)
    if args.action == "set-twitter":
        kinds = check_twitter(doc, known)
        bearer, posting = split_twitter(doc)
        writes = [(s.bearer_secret_id, bearer, "the bearer token (listening, read-only)"),
                  (s.posting_secret_id, posting, f"posting tokens of accounts {_kinds(kinds)}")]
    elif args.action == "set-bearer":
        check_bearer(doc, known)
        writes = [(s.bearer_secret_id, doc, "the bearer token (listening, read-only)")]
    elif args.action == "set-posting":
        kinds = check_posting(doc, known)
        writes = [(s.posting_secret_id, doc, f"posting tokens of accounts {_kinds(kinds)}")]
    elif args.action == "set-webhook":
        check_webhook(doc, known)
        writes = [(s.webhook_secret_id, doc, "the consumer secret (the account activity webhook's key)")]
    else:
        kinds = check_campaign_dm(doc, known)
        writes = [(s.campaign_secret_id, doc, f"DM credentials of accounts {_kinds(kinds)}")]
    for secret_id, value, what in writes:  # every document is checked before the first write
        version = _store(secret_id, value, s.region)
        print(f"stored {what} in {secret_id} (version {version[:8]})")
    print("functions pick the new value up within 5 minutes (their secret cache)")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Read each secret and say whether it has the expected shape; values stay in memory only."""
    import boto3

    from activecare.cli.outputs import aws_errors

    s = settings()
    known = [a.key for a in s.accounts]
    client = boto3.client("secretsmanager", region_name=s.region)
    problems = 0
    for secret_id, check in ((s.bearer_secret_id, check_bearer), (s.posting_secret_id, check_posting),
                             (s.campaign_secret_id, check_campaign_dm)):
        with aws_errors(f"secret {secret_id}"):
            text = client.get_secret_value(SecretId=secret_id).get("SecretString", "")
        try:
            kinds = check(json.loads(text), known)
        except (ValueError, CliError) as exc:
            problems += 1
            reason = exc if isinstance(exc, CliError) else "not JSON"
            print(f"{secret_id}: NOT SET correctly: {reason}")
            continue
        print(f"{secret_id}: ok, " + (f"accounts {_kinds(kinds)}" if kinds else "bearer token"))
    return 1 if problems else 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("secrets", help="store the X credentials (values never printed)").add_subparsers(
        dest="action", required=True)
    p = group.add_parser("set-twitter", help="both X secrets from one document (bearer + account tokens)")
    p.add_argument("file", nargs="?", default="-", help="JSON file, or - for stdin (default)")
    p.set_defaults(func=cmd_set)
    p = group.add_parser("set-bearer", help="the read-only app bearer token (poller, worker, desk/publisher reads)")
    p.add_argument("file", nargs="?", default="-", help="JSON file, or - for stdin (default)")
    p.set_defaults(func=cmd_set)
    p = group.add_parser("set-posting", help="the accounts' posting tokens (only the desk and the publisher)")
    p.add_argument("file", nargs="?", default="-", help="JSON file, or - for stdin (default)")
    p.set_defaults(func=cmd_set)
    p = group.add_parser("set-campaign-dm", help="the campaign's DM-capable account tokens (only it reads them)")
    p.add_argument("file", nargs="?", default="-", help="JSON file, or - for stdin (default)")
    p.set_defaults(func=cmd_set)
    p = group.add_parser("set-webhook", help="the X app's consumer secret (only the webhook function reads it)")
    p.add_argument("file", nargs="?", default="-", help="JSON file, or - for stdin (default)")
    p.set_defaults(func=cmd_set)
    p = group.add_parser("check", help="whether the three secrets are set with the expected shape")
    p.set_defaults(func=cmd_check)
