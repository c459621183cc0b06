"""`activecare staff ...`: the desk's staff in the stack's Cognito user pool, managed with the operator's own AWS
credentials (cognito-idp Admin* calls; no function of the stack holds such rights).

    activecare staff add USER --email E --group agents [--group supervisors] [--print-password]
    activecare staff disable USER | enable USER
    activecare staff list [--json]
    activecare staff groups USER [--set agents,supervisors]

`add` lets Cognito e-mail the invitation with a temporary password; with --print-password the password is
made here, printed once and never stored (hand it over yourself). Either way the member sets their own at the
first sign-in. The pool is the stack's output UserPoolId, or $USER_POOL_ID without a stack.
"""

from __future__ import annotations

import argparse
import json

from activecare.cli.common import cognito_client, settings, stack_or_setting
from activecare.staff.models import GROUPS, StaffMember
from activecare.staff.service import StaffService


def _service() -> tuple[StaffService, str]:
    from activecare.staff.cognito import CognitoStaffDirectory

    pool = stack_or_setting("UserPoolId", settings().user_pool_id, "USER_POOL_ID")
    return StaffService(CognitoStaffDirectory(cognito_client(), pool)), pool


def _row(m: StaffMember) -> str:
    state = "有効" if m.enabled else "無効"
    return (f"{m.username:<20} {m.email:<32} {','.join(m.groups) or '-':<26} {state:<3} {m.status:<22} "
            f"{m.created_at:%Y-%m-%d}")


def _as_dict(m: StaffMember) -> dict[str, object]:
    return {"username": m.username, "email": m.email, "enabled": m.enabled, "status": m.status,
            "groups": list(m.groups), "created_at": m.created_at.isoformat()}


def cmd_staff(args: argparse.Namespace) -> int:
    from activecare.cli.outputs import aws_errors

    service, pool = _service()
    with aws_errors(f"user pool {pool}"):
        if args.action == "add":
            added = service.add(args.user, args.email, args.group, print_password=args.print_password)
            print(f"added {added.member.username} ({', '.join(added.member.groups)}) to user pool {pool}")
            if added.temporary_password is None:
                print(f"Cognito e-mails the invitation with a temporary password to {added.member.email}")
            else:
                print(f"temporary password (shown once, valid 3 days): {added.temporary_password}")
        elif args.action in ("disable", "enable"):
            getattr(service, args.action)(args.user)
            done = "disabled (no new sign-in; tokens already issued expire within the hour)"
            print(f"{args.user}: {done if args.action == 'disable' else 'enabled'}")
        elif args.action == "list":
            members = service.list()
            if args.json:
                print(json.dumps([_as_dict(m) for m in members], ensure_ascii=False, indent=2))
            else:
                for m in members:
                    print(_row(m))
        else:  # groups
            groups = service.groups(args.user) if args.set is None else service.set_groups(args.user, [args.set])
            print(f"{args.user}: {', '.join(groups) or '(no group)'}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = sub.add_parser("staff", help="staff in the user pool (agents, supervisors, admins)").add_subparsers(
        dest="action", required=True)
    p = group.add_parser("add", help="create a member (Cognito e-mails a temporary password)")
    p.add_argument("user", help="user name (sign-in name and the agent's name on the desk)")
    p.add_argument("--email", required=True)
    p.add_argument("--group", action="append", required=True, help=f"one of {', '.join(GROUPS)}; repeat for more")
    p.add_argument("--print-password", action="store_true",
                   help="make the temporary password here and print it once instead of e-mailing it")
    p.set_defaults(func=cmd_staff)
    for action, text in (("disable", "no more sign-ins"), ("enable", "allow sign-ins again")):
        p = group.add_parser(action, help=text)
        p.add_argument("user")
        p.set_defaults(func=cmd_staff)
    p = group.add_parser("list", help="every member with groups and status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_staff)
    p = group.add_parser("groups", help="a member's groups, or set them with --set")
    p.add_argument("user")
    p.add_argument("--set", metavar="GROUPS", help="comma-separated, e.g. agents,supervisors (exactly these)")
    p.set_defaults(func=cmd_staff)
