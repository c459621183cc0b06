"""`activecare qa ...`: the skill standards file (validate, import without a deploy, export) and the day's QA
figures per agent."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from activecare.cli.common import runtime
from activecare.qa.standards import COLUMNS, Standards, StandardsError, parse_standards

ERRORS = (StandardsError,)


def _describe(std: Standards) -> str:
    trainees = "all" if std.trainee_share >= 1 else f"{std.trainee_share:.0%}"
    return (f"{len(std.criteria)} criteria ({'・'.join(c.name for c in std.criteria)}); sampling {std.share:.0%} of "
            f"each agent's replies a day, trainees {trainees}")


def cmd_validate(args: argparse.Namespace) -> int:
    print("ok: " + _describe(parse_standards(Path(args.file))))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    std = parse_standards(Path(args.file))  # validated before anything is written
    runtime().qa().import_standards(std)
    print("imported: " + _describe(std))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    std, source, _ = runtime().qa().standards()
    buf = io.StringIO()
    buf.write(f"# skill standards ({source})\n")
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(std.rows())
    if args.file:
        Path(args.file).write_text(buf.getvalue(), encoding="utf-8")
    else:
        sys.stdout.write(buf.getvalue())
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    figures = runtime().qa().figures(args.day)
    print(f"QA {figures.day}: agent, replies, sampled, reviewed, overall (0-1), means per criterion")
    for agent, row in figures.agents.items():
        means = " ".join(f"{k}={v:g}" for k, v in row.averages.items())
        overall = "-" if row.overall is None else f"{row.overall:.2f}"
        print(f"{agent}\t{row.replies}\t{row.sampled}\t{row.reviewed}\t{overall}\t{means}")
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    """Write the training pack (cases.html and cases.csv, masked) to a folder, as the ops' supervisor."""
    from activecare.desk.models import Actor

    qa = runtime().qa()
    ops = Actor("ops", frozenset({"supervisors"}))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for form in ("html", "csv"):
        (out / f"cases.{form}").write_text(qa.training_pack(ops, form), encoding="utf-8")
    print(f"{len(qa.case_library(ops).items)} cases -> {out}/cases.html, {out}/cases.csv")
    return 0


def cmd_weekly(args: argparse.Namespace) -> int:
    """The weekly team report: printed, and with --send e-mailed by SES to the supervisors (QA_REPORT_TO / --to)."""
    from activecare.desk.models import Actor
    from activecare.qa.weekly import build_message, render_text

    rt = runtime()
    report = rt.qa().weekly(Actor("ops", frozenset({"supervisors"})), weeks=args.weeks, day=args.day)
    sys.stdout.write(render_text(report))
    if args.send:
        from activecare.cli.common import CliError
        from activecare.reporting.ses import SesMailer, ses_client

        to = args.to or rt.settings.qa_report_to
        if not to:
            raise CliError("no supervisors' address: set QA_REPORT_TO or give --to")
        message_id = SesMailer(ses_client(rt.settings.region)).send(
            rt.settings.report_sender, (to,), build_message(report, rt.settings.report_sender, to))
        print(f"sent to {to} ({message_id})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    qa = sub.add_parser("qa", help="skill standards and QA figures").add_subparsers(dest="action", required=True)
    p = qa.add_parser("validate", help="check a skill standards file; errors name line and reason")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)
    p = qa.add_parser("import", help="store FILE's skill standards (the desk uses them at once)")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
    p = qa.add_parser("export", help="write the standards in force as a file")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_export)
    p = qa.add_parser("cases", help="export the case library as a training pack (HTML and CSV, masked)")
    p.add_argument("--out", default="out/cases")
    p.set_defaults(func=cmd_cases)
    p = qa.add_parser("weekly", help="the weekly team report per agent (--send: by SES to the supervisors)")
    p.add_argument("--weeks", type=int, default=4)
    p.add_argument("--day", help="a day of the last week (default: today, JST)")
    p.add_argument("--send", action="store_true")
    p.add_argument("--to", help="the supervisors' address (default: QA_REPORT_TO)")
    p.set_defaults(func=cmd_weekly)
    p = qa.add_parser("figures", help="the day's QA figures per agent")
    p.add_argument("--day")
    p.set_defaults(func=cmd_figures)
