"""`activecare --stack NAME [--profile P] [--region R] stack show`: the outputs the CLI uses."""

from __future__ import annotations

import argparse

from activecare.cli.common import require_stack


def cmd_show(args: argparse.Namespace) -> int:
    stack = require_stack("stack show")
    print(f"{stack.name} ({stack.region})")
    for key in sorted(stack.outputs):
        print(f"  {key:<26} {stack.outputs[key]}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("stack", help="the deployed stack").add_subparsers(dest="action", required=True)
    p = group.add_parser("show", help="the stack's outputs (what the CLI works on)")
    p.set_defaults(func=cmd_show)
