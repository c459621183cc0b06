"""The case library's training pack: the marked conversations, masked, as CSV and as one HTML page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from html import escape

from activecare.pii import mask_pii
from activecare.qa.models import Case

_HANDLE = re.compile(r"(?<![A-Za-z0-9_])[@＠][A-Za-z0-9_]{1,15}")
KIND_JA = {"good": "良い例", "bad": "悪い例"}


def mask(text: str, customer: str, keep_handles: Iterable[str] = ()) -> str:
    """Personal data (mask_pii), customers' @usernames and the customer's name in our replies ({name}様) masked;
    our own support accounts' handles stay."""
    keep = {h.lower() for h in keep_handles}
    out = mask_pii(text)
    out = _HANDLE.sub(lambda m: m.group(0) if m.group(0)[1:].lower() in keep else "@［お客様］", out)
    if customer:
        out = re.sub(re.escape(customer), "［お客様］", out, flags=re.IGNORECASE)
    return out


def pack_csv(cases: list[Case]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["inquiry", "kind", "topic", "note", "marked_by", "marked_at", "turn", "who", "at", "text"])
    for n, c in enumerate(cases, 1):
        for turn, (who, text, at) in enumerate(c.posts, 1):
            writer.writerow([f"case-{n}", KIND_JA.get(c.kind, c.kind), c.topic, c.note, c.marked_by,
                             c.marked_at.isoformat(), turn, who, at, text])
    return buf.getvalue()


def pack_html(cases: list[Case]) -> str:
    sections = []
    for n, c in enumerate(cases, 1):
        turns = "".join(f'<li class="{"out" if who != "お客様" else "in"}"><b>{escape(who)}</b>'
                        f' <small>{escape(at)}</small><br>{escape(text)}</li>' for who, text, at in c.posts)
        sections.append(f'<section class="{escape(c.kind)}"><h2>事例 {n}: {escape(KIND_JA.get(c.kind, c.kind))}'
                        f'（{escape(c.topic)}）</h2><p class="note">{escape(c.note)}</p><ol>{turns}</ol>'
                        f'<p class="by">{escape(c.marked_by)} {c.marked_at:%Y-%m-%d}</p></section>')
    return ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>事例集（研修用）</title>'
            '<style>body{font-family:sans-serif;max-width:800px;margin:20px auto}section{border:1px solid #ccc;'
            'padding:8px 14px;margin:12px 0}.good h2{color:#0f5323}.bad h2{color:#7d1913}li.out{color:#0b3f78}'
            '.note{background:#f5f7fa;padding:6px}</style></head><body><h1>事例集（研修用・個人情報マスク済み）</h1>'
            + "".join(sections) + "</body></html>")
