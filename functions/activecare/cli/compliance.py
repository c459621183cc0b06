"""`activecare compliance status|sweep`: the daily compliance sweep (X's deletions honoured within 24 hours).

`status` prints the sweep's progress record (counts and ids of runs only, never content); `sweep` runs it here as
the function would (`--resume`: only an unfinished run, as the hourly schedule does), against the environment's
tables or, with --stack, the stack's; it reads X with the stack's bearer token.
"""

from __future__ import annotations

import argparse

from activecare.cli.common import runtime


def cmd_status(args: argparse.Namespace) -> int:
    from activecare.compliance.dynamo import DynamoRuns

    runtime()  # the tables: the stack's with --stack, else the environment's
    run = DynamoRuns().load()
    if run is None:
        print("no compliance sweep has run yet")
        return 0
    if args.json:
        print(run.model_dump_json(indent=2))
        return 0
    print(f"run {run.run_id} ({run.mode}): {run.phase}" + (f", stopped: {run.stopped}" if run.stopped else ""))
    print(f"  started   {run.started_at.isoformat()}")
    print(f"  finished  {run.finished_at.isoformat() if run.finished_at else '-'}")
    for kind in ("users", "tweets"):
        print(f"  {kind:<9} checked {run.checked.get(kind, 0)}, gone {run.gone.get(kind, 0)}")
    print("  erased    " + (", ".join(f"{k} {n}" for k, n in sorted(run.erased.items())) or "0"))
    print(f"  X         {run.requests} requests, ${run.cost_usd:.2f} (pay-per-use prices)")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    report = runtime().compliance().sweep(start=not args.resume)
    state = "complete" if report.complete else f"not complete (stopped: {report.stopped or '-'})"
    print(f"run {report.run_id or '-'} ({report.mode}): {report.action}, {state}; erased now {report.erased_now}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compliance", help="the daily compliance sweep: X's deletions erased within 24 hours")
    cmds = p.add_subparsers(dest="compliance_command", required=True)
    status = cmds.add_parser("status", help="the latest sweep's progress and figures")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    sweep = cmds.add_parser("sweep", help="run the sweep now (or continue an unfinished one)")
    sweep.add_argument("--resume", action="store_true", help="only continue an unfinished run")
    sweep.set_defaults(func=cmd_sweep)
