"""A department report as e-mail: HTML (tables and inline styles only, so Outlook and Gmail show it
the same) with a bar chart made of table cells, and a plain-text part; then the MIME message.

Why table-cell bars and not SVG or an image: Gmail and Outlook drop inline SVG, and an image
would be an attachment or an external fetch (blocked by default). Coloured cells render in every
client and in plain HTML viewers, with nothing to download."""

from __future__ import annotations

from datetime import datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from html import escape

from activecare.clock import JST
from activecare.reporting.models import SENTIMENT_LABELS, SENTIMENTS, DepartmentReport, IncidentLine

COLORS = {"complaint": "#d64545", "praise": "#2f9e5b", "neutral": "#9aa5b1"}
REPORT_ID_HEADER = "X-Activecare-Report-Id"


def subject(report: DepartmentReport) -> str:
    c = report.counts
    return (f"【お客様の声】{report.department_name} {report.window_label}｜"
            f"{report.total}件（不満{c['complaint']}・称賛{c['praise']}）")


def _delta(now: int, before: int) -> str:
    diff = now - before
    sign = "+" if diff > 0 else ("±" if diff == 0 else "−")
    return f"{sign}{abs(diff)}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    return f"{minutes // 60}時間{minutes % 60}分" if minutes >= 60 else f"{minutes}分"


# ---- plain text -------------------------------------------------------------------------------


def render_text(report: DepartmentReport) -> str:
    c, p, w = report.counts, report.previous, report.week_ago
    lines = [
        f"{report.department_name} 御中",
        "",
        f"お客様の声レポート（{report.window_label}）",
        "",
        f"件数: {report.total}件  不満 {c['complaint']} / 称賛 {c['praise']} / 中立 {c['neutral']}",
        f"前回比: {_delta(report.total, sum(p.values()))}（前回 {sum(p.values())}件）  "
        f"前週同時間帯比: {_delta(report.total, sum(w.values()))}（{sum(w.values())}件）",
        f"不満の前回比: {_delta(c['complaint'], p['complaint'])}  称賛の前回比: {_delta(c['praise'], p['praise'])}",
        "",
        "サポートデスクの対応",
        f"  回答済み {report.desk.answered}件 / メールフォームへのご案内 {report.desk.email_form}件 / "
        f"未対応 {report.desk.open}件 / 初回応答時間の中央値 {_duration(report.desk.median_first_response_s)}",
        f"  メールフォーム受信 {report.desk.forms_received}件 / メールで回答 {report.desk.email_answered}件 / "
        f"メールで解決 {report.desk.resolved_by_email}件 / "
        f"メール初回回答までの中央値 {_duration(report.desk.median_first_email_answer_s)}",
        f"  応答目標（SLA）超過 {report.desk.sla_breaches}件"
        + (f"（{'、'.join(f'{t.label} {t.sla_breaches}件' for t in report.topics if t.sla_breaches)}）"
           if report.desk.sla_breaches else ""),
    ]
    if report.keywords:
        lines += ["", "よく使われた言葉: " + "、".join(f"{k}({n})" for k, n in report.keywords)]
    if not report.topics:
        lines += ["", "この時間帯に担当分野のお声はありませんでした。"]
    for t in report.topics:
        tc = t.counts
        lines += ["", f"■ {t.label}  {t.total}件（不満{tc['complaint']}・称賛{tc['praise']}・中立{tc['neutral']}）"
                      f"  前回比 {_delta(t.total, t.previous)} / 前週比 {_delta(t.total, t.week_ago)}"]
        if t.keywords:
            lines.append("  キーワード: " + "、".join(f"{k}({n})" for k, n in t.keywords))
        for s in t.samples:
            lines.append(f"  ・[{SENTIMENT_LABELS[s.sentiment]}] {s.text}")
    lines += incident_text(report.incidents)
    lines += ["", *report.notes,
              "", "※ 個人情報とお客様のユーザー名は伏せています。",
              f"レポートID: {report.report_id}  作成: {report.generated_at.astimezone(JST):%Y-%m-%d %H:%M} JST",
              "activecare（X アクティブサポート）"]
    return "\n".join(lines) + "\n"


def _hm(at: datetime | None) -> str:
    return "—" if at is None else f"{at.astimezone(JST):%H:%M}"


def incident_text(incidents: list[IncidentLine]) -> list[str]:
    """The outage incidents of the window: timeline, places, volumes, how the desk answered."""
    if not incidents:
        return []
    lines = ["", "障害インシデント（アウテージレーダー）"]
    for i in incidents:
        lines += [f"■ {'・'.join(i.topics) or '—'} ／ {'・'.join(i.places) or '全国'}",
                  f"  発生 {_hm(i.onset)} → 検知 {_hm(i.detected_at)} → 初回お知らせ {_hm(i.first_status_post)} → "
                  f"ピーク {_hm(i.peak_at)}（{i.peak}人/分） → 収束 {_hm(i.closed_at) if i.closed_at else '継続中'}",
                  f"  まとめた投稿 {i.tweets}件・デスクの対応: 返信 {i.replied}件 / お知らせで対応 {i.covered}件・"
                  f"お知らせ投稿 {i.status_posts}件"]
    return lines


def incident_html(incidents: list[IncidentLine]) -> str:
    if not incidents:
        return ""
    cell = 'style="padding:4px 8px;border-bottom:1px solid #eef0f2;font-size:12px;white-space:nowrap"'
    head = "".join(f"<th {cell} align=\"left\">{h}</th>" for h in (
        "分野／場所", "発生", "検知", "初回お知らせ", "ピーク", "収束", "投稿", "返信", "お知らせで対応"))
    rows = "".join(
        f"<tr><td {cell}>{escape('・'.join(i.topics))} ／ {escape('・'.join(i.places) or '全国')}</td>"
        f"<td {cell}>{_hm(i.onset)}</td><td {cell}>{_hm(i.detected_at)}</td>"
        f"<td {cell}>{_hm(i.first_status_post)}</td><td {cell}>{i.peak}人/分（{_hm(i.peak_at)}）</td>"
        f"<td {cell}>{_hm(i.closed_at) if i.closed_at else '継続中'}</td>"
        f"<td {cell}>{i.tweets}</td><td {cell}>{i.replied}</td><td {cell}>{i.covered}</td></tr>" for i in incidents)
    return ('<h2 style="font-size:16px;margin:22px 0 8px;color:#8a1c1c">障害インシデント</h2>'
            f'<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>{head}</tr>{rows}</table>')


# ---- HTML -------------------------------------------------------------------------------------


def _bar(counts: dict[str, int], scale: int) -> str:
    """A stacked horizontal bar: complaint, praise, neutral, as wide as the count against `scale`."""
    total = sum(counts.values())
    if total == 0 or scale == 0:
        return '<span style="color:#888">—</span>'
    width = max(2, round(total / scale * 100))
    cells = "".join(
        f'<td width="{round(counts[s] / total * 100)}%" bgcolor="{COLORS[s]}" style="background:{COLORS[s]};'
        f'height:14px;font-size:1px;line-height:1px" title="{SENTIMENT_LABELS[s]} {counts[s]}">&nbsp;</td>'
        for s in SENTIMENTS if counts[s])
    return (f'<table role="presentation" width="{width}%" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:collapse"><tr>{cells}</tr></table>')


def _legend() -> str:
    return " ".join(f'<span style="display:inline-block;width:10px;height:10px;background:{COLORS[s]};'
                    f'margin:0 4px 0 10px"></span>{SENTIMENT_LABELS[s]}' for s in SENTIMENTS)


def _card(label: str, value: str, sub: str = "") -> str:
    return (f'<td style="padding:10px 12px;border:1px solid #e3e6ea;background:#fafbfc" valign="top">'
            f'<div style="font-size:12px;color:#5f6b7a">{escape(label)}</div>'
            f'<div style="font-size:22px;font-weight:bold;color:#1f2933">{escape(value)}</div>'
            f'<div style="font-size:12px;color:#5f6b7a">{escape(sub)}</div></td>')


def render_html(report: DepartmentReport) -> str:
    c, p, w, d = report.counts, report.previous, report.week_ago, report.desk
    prev_total, week_total = sum(p.values()), sum(w.values())
    scale = max([t.total for t in report.topics] or [0])
    cards = "".join([
        _card("お声の件数", f"{report.total}件", f"前回比 {_delta(report.total, prev_total)}・前週比 "
              f"{_delta(report.total, week_total)}"),
        _card("不満", f"{c['complaint']}件", f"前回比 {_delta(c['complaint'], p['complaint'])}"),
        _card("称賛", f"{c['praise']}件", f"前回比 {_delta(c['praise'], p['praise'])}"),
        _card("中立", f"{c['neutral']}件", f"前回比 {_delta(c['neutral'], p['neutral'])}"),
    ])
    desk = "".join([
        _card("回答済み", f"{d.answered}件", f"{d.inquiries}件中"),
        _card("メールフォームへご案内", f"{d.email_form}件", "個人情報を伴うご相談"),
        _card("未対応", f"{d.open}件", "レポート作成時点"),
        _card("初回応答（中央値）", _duration(d.median_first_response_s), ""),
        _card("応答目標（SLA）超過", f"{d.sla_breaches}件", "直接15分・検索60分（受付時間内）"),
    ])
    mail = "".join([  # the e-mail form (issue #19): counts only
        _card("メールフォーム受信", f"{d.forms_received}件", f"ご案内 {d.email_form}件"),
        _card("メールで回答", f"{d.email_answered}件", f"うち解決 {d.resolved_by_email}件"),
        _card("メール初回回答（中央値）", _duration(d.median_first_email_answer_s), "フォーム受信から"),
    ])
    chart_rows = "".join(
        f'<tr><td style="padding:4px 8px 4px 0;font-size:13px;white-space:nowrap">{escape(t.label)}</td>'
        f'<td width="60%" style="padding:4px 0">{_bar(t.counts, scale)}</td>'
        f'<td style="padding:4px 0 4px 8px;font-size:13px;text-align:right;white-space:nowrap">{t.total}件</td></tr>'
        for t in report.topics)
    chart = (f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">{chart_rows}</table>'
             f'<div style="font-size:12px;color:#5f6b7a;margin-top:6px">{_legend()}</div>'
             if report.topics else
             '<p style="color:#5f6b7a">この時間帯に担当分野のお声はありませんでした。</p>')
    sections = []
    for t in report.topics:
        tc = t.counts
        kw = "、".join(f"{escape(k)}（{n}）" for k, n in t.keywords) or "—"
        samples = "".join(
            f'<tr><td valign="top" width="44" style="padding:6px 8px 6px 0;white-space:nowrap">'
            f'<span style="display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;font-size:11px;'
            f'background:{COLORS[s.sentiment]}">{SENTIMENT_LABELS[s.sentiment]}</span></td>'
            f'<td style="padding:6px 0;font-size:13px;color:#1f2933;border-bottom:1px solid #eef0f2">'
            f'{escape(s.text)}<br><span style="font-size:11px;color:#8a94a1">'
            f'{s.created_at.astimezone(JST):%m/%d %H:%M}</span></td></tr>'
            for s in t.samples)
        sections.append(
            f'<h3 style="font-size:15px;margin:22px 0 4px;color:#1f2933">{escape(t.label)}'
            f'<span style="font-weight:normal;color:#5f6b7a;font-size:13px">　{t.total}件'
            f'（不満{tc["complaint"]}・称賛{tc["praise"]}・中立{tc["neutral"]}）'
            f'前回比 {_delta(t.total, t.previous)}・前週比 {_delta(t.total, t.week_ago)}'
            f'{f"・SLA超過 {t.sla_breaches}件" if t.sla_breaches else ""}</span></h3>'
            f'<div style="font-size:12px;color:#5f6b7a;margin-bottom:4px">キーワード: {kw}</div>'
            f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">{samples}</table>')
    keywords = "、".join(f"{escape(k)}（{n}）" for k, n in report.keywords) or "—"
    notes = "".join(f'<p style="font-size:12px;color:#8a5a00">{escape(n)}</p>' for n in report.notes)
    compare = (f'前回: {escape(report.previous_label)}　前週同時間帯: {escape(report.week_ago_label)}'
               if report.previous_label else "")
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(subject(report))}</title></head>
<body style="margin:0;padding:0;background:#f1f3f5;
 font-family:'Hiragino Sans','Noto Sans CJK JP','Yu Gothic',Meiryo,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f1f3f5">
<tr><td align="center" style="padding:20px 8px">
<table role="presentation" width="760" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff"
 style="max-width:760px;width:100%;background:#ffffff;border:1px solid #e3e6ea"><tr><td style="padding:24px 28px">
<div style="font-size:12px;color:#5f6b7a">お客様の声レポート・{escape(report.department_name)} 御中</div>
<h1 style="font-size:20px;margin:4px 0 2px;color:#1f2933">{escape(report.window_label)} のお客様の声</h1>
<div style="font-size:12px;color:#5f6b7a">{compare}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="6" border="0" style="margin-top:14px">
<tr>{cards}</tr></table>
<h2 style="font-size:16px;margin:22px 0 8px;color:#1f2933">分野別の件数</h2>
{chart}
<h2 style="font-size:16px;margin:22px 0 8px;color:#1f2933">サポートデスクの対応</h2>
<table role="presentation" width="100%" cellpadding="0" cellspacing="6" border="0"><tr>{desk}</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="6" border="0"><tr>{mail}</tr></table>
<div style="font-size:13px;margin-top:14px"><b>よく使われた言葉:</b> {keywords}</div>
<h2 style="font-size:16px;margin:22px 0 0;color:#1f2933">代表的なお声</h2>
{''.join(sections) or '<p style="color:#5f6b7a">—</p>'}
{incident_html(report.incidents)}
{notes}
<p style="font-size:11px;color:#8a94a1;margin-top:24px;border-top:1px solid #eef0f2;padding-top:10px">
個人情報とお客様のユーザー名は伏せています。レポートID: {escape(report.report_id)}・作成
{report.generated_at.astimezone(JST):%Y-%m-%d %H:%M} JST・activecare（X アクティブサポート）</p>
</td></tr></table></td></tr></table></body></html>
"""


# ---- MIME -------------------------------------------------------------------------------------


def build_message(report: DepartmentReport, sender: str, recipients: tuple[str, ...]) -> bytes:
    """multipart/alternative: text/plain first, text/html last (the part clients prefer), UTF-8."""
    msg = MIMEMultipart("alternative")
    msg["Subject"] = Header(subject(report), "utf-8").encode()
    msg["From"] = formataddr((str(Header("お客様の声レポート", "utf-8")), sender))
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(report.generated_at.timestamp(), localtime=False)
    msg["Message-ID"] = make_msgid(idstring=report.report_id.replace("#", "."), domain=sender.split("@")[-1])
    msg[REPORT_ID_HEADER] = report.report_id
    msg.attach(MIMEText(render_text(report), "plain", "utf-8"))
    msg.attach(MIMEText(render_html(report), "html", "utf-8"))
    return msg.as_bytes()
