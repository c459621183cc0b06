"""The weekly QA report's text, HTML and e-mail (the supervisors' address: QA_REPORT_TO). Staff names and
figures only: no customer text, no usernames."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape

from activecare.qa.models import WeeklyReport, WeekRow


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{round(x * 100)}%"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def _cells(row: WeekRow, criteria: dict[str, str]) -> list[str]:
    return [str(row.replies), _pct(row.overall), *(_num(row.scores.get(k)) for k in criteria),
            f"{_num(row.first_response_p50_min)} / {_num(row.first_response_p90_min)}",
            f"{row.sla_breaches} / {row.first_responses}", _pct(row.satisfaction), _pct(row.email_form_rate)]


def headers(report: WeeklyReport) -> list[str]:
    return ["返信", "スコア", *report.criteria.values(), "初回応答 p50/p90（分）", "SLA超過/初回応答", "満足度",
            "メールフォーム率"]


def subject(report: WeeklyReport) -> str:
    return f"週次QAレポート（{report.weeks[0]}週〜{report.weeks[-1]}週）"


def render_text(report: WeeklyReport) -> str:
    lines = [subject(report), "", "列: 週 | " + " | ".join(headers(report)), ""]
    for agent, rows in report.agents.items():
        lines.append(f"■ {agent}")
        for week, row in zip(report.weeks, rows, strict=True):
            lines.append(f"  {week} | " + " | ".join(_cells(row, report.criteria)))
    if not report.agents:
        lines.append("この期間の返信はありません。")
    return "\n".join(lines) + "\n"


def render_html(report: WeeklyReport) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in ["担当者", "週", *headers(report)])
    body = "".join(
        "<tr>" + (f'<td rowspan="{len(rows)}">{escape(agent)}</td>' if n == 0 else "") + f"<td>{escape(week)}</td>"
        + "".join(f"<td>{escape(c)}</td>" for c in _cells(row, report.criteria)) + "</tr>"
        for agent, rows in report.agents.items() for n, (week, row) in enumerate(zip(report.weeks, rows, strict=True)))
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{escape(subject(report))}</title>'
            '</head><body style="font-family:sans-serif"><h1 style="font-size:18px">' + escape(subject(report))
            + '</h1><table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse;font-size:12px">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>")


def build_message(report: WeeklyReport, sender: str, to: str) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = subject(report)
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[-1] or "activecare.local")
    msg.set_content(render_text(report))
    msg.add_alternative(render_html(report), subtype="html")
    return msg.as_bytes()
