"""`activecare report ...`: preview a window's reports as HTML files, see what was sent, check routing."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from activecare.cli.common import CliError
from activecare.reporting.routing import RoutingError

ERRORS = (RoutingError,)


def _at(value: str | None) -> datetime | None:
    from activecare.clock import JST

    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"--at {value!r} is not a time (e.g. 2026-11-25T14:00, read as JST)") from None
    return at if at.tzinfo else at.replace(tzinfo=JST)


def cmd_preview(args: argparse.Namespace) -> int:
    from activecare.cli.common import runtime
    from activecare.reporting.files import write_reports

    reporter = runtime().reporter()
    window = reporter.schedule.window_at(_at(args.at) or reporter.clock())
    reports = reporter.build(window)
    if args.department:
        reports = [r for r in reports if r.department in args.department]
        if not reports:
            raise CliError(f"no such department (known: {', '.join(reporter.routing.departments)})")
    paths = write_reports(reports, Path(args.out) / window.id)
    print(f"{window.label}: {sum(r.total for r in reports)}件のお声、{len(paths)}部署")
    for report, path in zip(reports, paths, strict=True):
        print(f"  {report.department:<14} {report.total:>5}件  {path}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from activecare.cli.common import runtime
    from activecare.reporting.dynamo import DynamoReportLedger
    from activecare.reporting.service import record_key

    reporter = runtime().reporter()
    window = reporter.schedule.window_at(_at(args.at) or reporter.clock())
    windows = reporter.schedule.recent(window, args.windows)
    keys = [record_key(w.id, d) for w in windows for d in reporter.routing.departments]
    records = DynamoReportLedger().get_many(keys)
    for w in windows:
        print(w.label)
        for dept in reporter.routing.departments:
            rec = records.get(record_key(w.id, dept))
            state = rec.status if rec else "—"
            extra = f" {rec.message_id or rec.last_error or ''}" if rec else ""
            print(f"  {dept:<14} {state:<9}{extra}")
    return 0


def cmd_routing(args: argparse.Namespace) -> int:
    from activecare.cli.common import settings
    from activecare.reporting.routing import load_routing

    routing = load_routing(args.file or settings().report_routing_file)  # default: the stack's (or packaged) file
    for dept in routing.departments.values():
        print(f"{dept.key:<14} {dept.name}  → {', '.join(dept.recipients)}")
    print(f"(unknown departments go to {routing.fallback})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="voice-of-the-customer reports").add_subparsers(dest="action",
                                                                                          required=True)
    p = report.add_parser("preview", help="render a window's reports to HTML (and text) files")
    p.add_argument("--at", help="a time inside the window's report slot, e.g. 2026-11-25T14:00 (JST; default now)")
    p.add_argument("--out", default="out/reports", help="directory (a folder per window is made in it)")
    p.add_argument("--department", action="append", help="only this department (repeatable)")
    p.set_defaults(func=cmd_preview)
    p = report.add_parser("status", help="what the ledger says about recent windows")
    p.add_argument("--at")
    p.add_argument("--windows", type=int, default=2)
    p.set_defaults(func=cmd_status)
    p = report.add_parser("routing", help="check a routing file and list departments and recipients")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_routing)
