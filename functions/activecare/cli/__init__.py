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

    activecare qa validate FILE | import FILE | export [FILE]   the skill standards (QA criteria, sampling)
    activecare qa figures [--day YYYY-MM-DD]                  the day's QA scores per agent
    activecare qa cases [--out out/cases]                     the case library as a training pack (masked)
    activecare qa weekly [--weeks 4] [--send [--to ADDR]]     the weekly team report (SES to QA_REPORT_TO)

    activecare posts validate FILE | import FILE | export [FILE]   the content calendar (scheduled posts)
    activecare posts plan --account A [--day YYYY-MM-DD] [--file FILE]   a day's posts and their status

    activecare campaign draw --campaign ID --tweet ID [--winners 100] [--dry-run] ...   the lottery
    activecare campaign status|certificate|retry|close ID ; campaign tick ; campaign verify FILE

    activecare secrets set-twitter [FILE|-]       store the X credentials (JSON; values never printed):
                                                  the bearer token and the accounts' posting tokens, apart
    activecare secrets set-bearer|set-posting [FILE|-]   store one of the two
    activecare secrets set-campaign-dm [FILE|-]   store the campaign's DM-capable tokens
    activecare secrets check                      which credentials are set (shape only)
    activecare dlq list [--max N] [--json]        the listen DLQ: ids, receives, tweet ids, reason
    activecare dlq replay [--max N] [--dry-run]   move DLQ messages back to the listen queue
    activecare figures [--day YYYY-MM-DD]         today's inquiries, replies, posts vs caps, DLQ depth (JST)
    activecare stack show                         the stack's outputs the CLI works on
    activecare erase --author @name|ID [--dry-run]   remove one customer's records (counts per kind, never text)
    activecare compliance status [--json] | sweep [--resume]   X's deletions: the daily sweep's progress, or run it

    activecare login [--username U] [--password-stdin]   sign in (Cognito); the session is kept for the shift
    activecare logout
    activecare staff add USER --email E --group agents [--group supervisors] [--print-password]
    activecare staff disable USER | enable USER | list [--json] | groups USER [--set agents,supervisors]

The desk commands act as the agent named by --agent or $ACTIVECARE_AGENT, and run the
same DeskService as the desk Lambda.

Global options (before the command): --stack NAME (or $ACTIVECARE_STACK) works on a deployed stack,
its tables, queues, secrets and functions found from the stack's outputs; --profile and --region
choose the AWS profile and region. Without a stack, names come from the environment as the SAM
template sets them for the functions (KEYWORD_TABLE, AWS_REGION, X_ACCESS_LEVEL ...).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from activecare.cli.common import CliError, report_app_error, target
from activecare.errors import AppError

# One module per command group, each with register(subparsers) and, when its domain raises errors of its own,
# ERRORS (their types) and report_error(exc) (default: `error: <exc>`, exit code 2).
# A feature adds its group here and in a module of its own.
GROUPS = ("keywords", "desk", "report", "posts", "campaign", "secrets", "dlq", "figures", "stack", "session",
          "staff", "erase", "compliance", "qa")


def _groups() -> list[ModuleType]:
    return [importlib.import_module(f"activecare.cli.{name}") for name in GROUPS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="activecare", description="activecare operations")
    parser.add_argument("--stack", help="the deployed stack to work on (default: $ACTIVECARE_STACK)")
    parser.add_argument("--profile", help="AWS profile (default: the usual AWS credential chain)")
    parser.add_argument("--region", help="AWS region of the stack (default: AWS_REGION / the profile's)")
    sub = parser.add_subparsers(dest="group", required=True)
    for group in _groups():
        group.register(sub)
    return parser


def _aws_reason(exc: BaseException) -> str | None:
    """A one-line reason when `exc` (or what it wraps: pynamodb keeps the botocore error) is an AWS problem."""
    from activecare.cli.outputs import explain

    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        reason = explain(seen)
        if reason:
            return reason
        seen = getattr(seen, "cause", None) or seen.__cause__
    return None


def _one_line(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    from activecare.settings import aws_environment, ops_stack_name

    args = build_parser().parse_args(argv)
    with aws_environment(args.profile, args.region):
        try:
            target.configure(ops_stack_name(args.stack), args.region, args.profile)
            return int(args.func(args))
        except CliError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except AppError as exc:  # the one error model: the same fields the APIs answer with
            return report_app_error(exc)
        except Exception as exc:
            for group in _groups():
                if isinstance(exc, getattr(group, "ERRORS", ())):
                    return int(getattr(group, "report_error", _one_line)(exc))
            reason = _aws_reason(exc)
            if reason:
                print(f"error: {reason}", file=sys.stderr)
                return 2
            raise


if __name__ == "__main__":
    sys.exit(main())
