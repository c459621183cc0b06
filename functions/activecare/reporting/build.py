"""Aggregate a window's inquiries into one report per department (pure: rows in, reports out)."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from activecare.pii import mask_pii
from activecare.reporting.models import SENTIMENTS, DepartmentReport, DeskFigures, Row, Sample, TopicSection
from activecare.reporting.routing import Routing
from activecare.reporting.windows import Window

SAMPLES_PER_TOPIC = 3
KEYWORDS_PER_TOPIC = 5
KEYWORDS_PER_DEPARTMENT = 8
SAMPLE_MAX_CHARS = 140
_HANDLE = re.compile(r"(?<![A-Za-z0-9_])[@＠][A-Za-z0-9_]{1,15}")
_URL = re.compile(r"https?://\S+")
_WEEK = timedelta(days=7)


def mask_text(text: str, keep_handles: Iterable[str] = ()) -> str:
    """Personal data masked (mask_pii), customers' @usernames replaced, links shortened.

    Our own support accounts' handles stay: they tell which account the customer addressed."""
    keep = {h.lower() for h in keep_handles}
    masked = mask_pii(text)
    masked = _HANDLE.sub(lambda m: m.group(0) if m.group(0)[1:].lower() in keep else "@［ユーザー］", masked)
    masked = _URL.sub("［URL］", masked)
    masked = " ".join(masked.split())
    return masked if len(masked) <= SAMPLE_MAX_CHARS else masked[: SAMPLE_MAX_CHARS - 1] + "…"


def _counts(rows: Iterable[Row]) -> dict[str, int]:
    c = Counter(r.sentiment if r.sentiment in SENTIMENTS else "neutral" for r in rows)
    return {s: c.get(s, 0) for s in SENTIMENTS}


def _samples(rows: list[Row], keep_handles: Iterable[str]) -> list[Sample]:
    """Up to three distinct texts: the latest complaint, praise and neutral tweet first, then the latest others."""
    latest = sorted(rows, key=lambda r: (r.created_at, r.inquiry_id), reverse=True)
    chosen: list[Row] = []
    for sentiment in SENTIMENTS:
        pick = next((r for r in latest if r.sentiment == sentiment and len(r.text) >= 8), None)
        if pick:
            chosen.append(pick)
    for r in latest:
        if r not in chosen:
            chosen.append(r)
    samples: list[Sample] = []
    for r in chosen:  # the same words twice (copies, retweeted templates) say nothing new
        text = mask_text(r.text, keep_handles)
        if not text:  # erased: X said its tweet is gone (storage/erasure.py blanks it until the sweep deletes it)
            continue
        if len(samples) < SAMPLES_PER_TOPIC and all(s.text != text for s in samples):
            samples.append(Sample(r.sentiment, text, r.created_at))
    return samples


def desk_figures(rows: list[Row]) -> DeskFigures:
    """The desk's work on the window's inquiries: answered, guided to the e-mail form, median first response."""
    waits = [(r.first_response_at - r.created_at).total_seconds() for r in rows if r.first_response_at]
    mail_waits = []
    for r in rows:
        forms = [at for kind, at in r.mail_events if kind == "mail_form"]
        answers = [at for kind, at in r.mail_events if kind == "mail_answer"]
        if forms and answers:
            mail_waits.append(max(0.0, (min(answers) - min(forms)).total_seconds()))
    answered_by_mail = [r for r in rows if any(kind == "mail_answer" for kind, _ in r.mail_events)]
    return DeskFigures(
        inquiries=len(rows),
        answered=sum(1 for r in rows if r.first_response_at is not None),
        email_form=sum(1 for r in rows if r.outcome == "email_form"),
        open=sum(1 for r in rows if r.status == "new"),
        median_first_response_s=statistics.median(waits) if waits else None,
        forms_received=sum(1 for r in rows if any(kind == "mail_form" for kind, _ in r.mail_events)),
        email_answered=len(answered_by_mail),
        resolved_by_email=sum(1 for r in answered_by_mail if r.status == "resolved"),
        median_first_email_answer_s=statistics.median(mail_waits) if mail_waits else None,
        sla_breaches=sum(1 for r in rows if r.sla_breached),
    )


def build_reports(window: Window, rows: list[Row], previous: list[Row], week_ago: list[Row], routing: Routing,
                  generated_at: datetime, *, previous_window: Window | None = None,
                  keep_handles: Iterable[str] = ()) -> list[DepartmentReport]:
    """One report per routed department (departments with no inquiries get a short report too)."""
    keep = tuple(keep_handles)
    by_dept: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_dept[routing.route(r.department)].append(r)
    prev_dept: dict[str, list[Row]] = defaultdict(list)
    for r in previous:
        prev_dept[routing.route(r.department)].append(r)
    week_dept: dict[str, list[Row]] = defaultdict(list)
    for r in week_ago:
        week_dept[routing.route(r.department)].append(r)
    week_window = window.shifted(-_WEEK)
    reports = []
    for key, dept in routing.departments.items():
        mine = by_dept.get(key, [])
        prev_topics = Counter(r.topic for r in prev_dept.get(key, []))
        week_topics = Counter(r.topic for r in week_dept.get(key, []))
        by_topic: dict[str, list[Row]] = defaultdict(list)
        for r in mine:
            by_topic[r.topic].append(r)
        sections = []
        for topic, trows in by_topic.items():
            kw = Counter(k for r in trows for k in r.keywords)
            sections.append(TopicSection(
                topic=topic, label=routing.topic_label(topic), counts=_counts(trows),
                previous=prev_topics.get(topic, 0), week_ago=week_topics.get(topic, 0),
                keywords=kw.most_common(KEYWORDS_PER_TOPIC), samples=_samples(trows, keep),
                sla_breaches=sum(1 for r in trows if r.sla_breached)))
        sections.sort(key=lambda s: (-s.total, -s.counts["complaint"], s.topic))
        notes = []
        foreign = sorted({r.department for r in mine if r.department != key})
        if foreign:
            notes.append(f"担当部署が未設定の分類（{', '.join(foreign)}）のお声も含みます。")
        reports.append(DepartmentReport(
            report_id=f"{window.id}#{key}", department=key, department_name=dept.name,
            window_label=window.label, window_id=window.id, counts=_counts(mine),
            previous=_counts(prev_dept.get(key, [])), week_ago=_counts(week_dept.get(key, [])),
            topics=sections, keywords=Counter(k for r in mine for k in r.keywords).most_common(KEYWORDS_PER_DEPARTMENT),
            desk=desk_figures(mine), generated_at=generated_at,
            previous_label=previous_window.label if previous_window else "", week_ago_label=week_window.label,
            notes=notes))
    return reports

