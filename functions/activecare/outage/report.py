"""The per-incident report (timeline, places, volumes, how the desk answered) and the incidents of a report
window as plain timelines for the twice-daily reports (the composition root hands them to the reporter)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from html import escape

from activecare.clock import to_jst
from activecare.outage.gazetteer import Gazetteer, gazetteer
from activecare.outage.models import Incident
from activecare.outage.ports import RadarStore
from activecare.outage.service import TOPIC_LABELS


@dataclass(frozen=True)
class Timeline:
    incident_id: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    onset: datetime
    detected_at: datetime
    first_status_post: datetime | None
    peak: int
    peak_at: datetime | None
    closed_at: datetime | None
    tweets: int
    replied: int
    covered: int
    status_posts: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _hm(at: datetime | None) -> str:
    return "—" if at is None else f"{to_jst(at):%H:%M}"


def timeline(inc: Incident, places: Gazetteer | None = None) -> Timeline:
    g = places or gazetteer()
    posted = [p for p in inc.status_posts if p.tweet_id != "pending"]
    return Timeline(
        incident_id=inc.id, topics=tuple(TOPIC_LABELS.get(t, t) for t in inc.topics),
        places=tuple(g.name(p) for p in inc.places), onset=inc.onset, detected_at=inc.detected_at,
        first_status_post=posted[0].at if posted else None, peak=inc.peak, peak_at=inc.peak_at,
        closed_at=inc.closed_at, tweets=inc.signals, replied=sum(a.action == "replied" for a in inc.answers),
        covered=sum(a.action == "covered" for a in inc.answers), status_posts=len(posted))


def incidents_between(radar: RadarStore, start: datetime, end: datetime) -> list[Timeline]:
    """The timelines of the incidents active in start < t <= end, oldest first."""
    found = []
    for inc_id in radar.load_state().incidents:
        inc = radar.incident(inc_id)
        if inc and inc.onset <= end and (inc.closed_at is None or inc.closed_at > start):
            found.append(timeline(inc))
    return sorted(found, key=lambda t: t.onset)


def incident_report(inc: Incident, places: Gazetteer | None = None) -> tuple[str, str]:
    """(plain text, HTML) of one incident: the timeline, the per-minute volume, the status posts, the desk."""
    t = timeline(inc, places)
    where, what = "・".join(t.places) or "全国", "・".join(t.topics) or "—"
    steps = [("発生（立ち上がり）", _hm(t.onset)), ("検知・アラート", _hm(t.detected_at)),
             ("初回お知らせ", _hm(t.first_status_post)), ("ピーク", f"{_hm(t.peak_at)}（{t.peak}人/分）"),
             ("収束", _hm(t.closed_at) if t.closed_at else "継続中")]
    desk = (f"返信 {t.replied}件 / お知らせで対応 {t.covered}件 / お知らせ投稿 {t.status_posts}件"
            f"（確認: {inc.confirmed_by or inc.declared_by or '未確認'}）")
    volume = [(f"{to_jst(c.minute):%H:%M}", c.authors, c.tweets) for c in inc.counts]
    text = "\n".join([
        f"障害インシデント報告 {inc.id}", f"分野: {what}", f"場所: {where}", "",
        *(f"{label}: {value}" for label, value in steps), "",
        f"まとめた不満の投稿: {t.tweets}件", f"デスクの対応: {desk}", "",
        "1分ごとの投稿者数（人 / 投稿）:", *(f"  {m} {a} / {n}" for m, a, n in volume), "",
        "お知らせ投稿:", *(f"  {_hm(p.at)} {p.text}" for p in inc.status_posts), "",
        "※ 個人情報は含みません（投稿者は人数のみ）。",
    ]) + "\n"
    peak = max([a for _, a, _ in volume] or [1]) or 1
    bars = "".join(
        f'<tr><td style="font-size:12px;padding:1px 6px 1px 0">{m}</td><td style="padding:1px 0">'
        f'<div style="background:#cf1322;height:10px;width:{max(1, round(300 * a / peak))}px"></div></td>'
        f'<td style="font-size:12px;padding:1px 0 1px 6px">{a}人 / {n}件</td></tr>' for m, a, n in volume)
    cell = 'style="border-bottom:1px solid #eee;padding:4px 8px"'
    rows = "".join(f'<tr><th align="left" {cell}>{escape(k)}</th><td {cell}>{escape(v)}</td></tr>' for k, v in steps)
    posts = "".join(f"<li>{_hm(p.at)} {escape(p.text)}</li>" for p in inc.status_posts)
    title = f"障害インシデント報告 {escape(inc.id)}"
    html = (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title></head>\n'
            "<body style=\"font-family:'Hiragino Sans','Noto Sans CJK JP',Meiryo,sans-serif;margin:24px\">\n"
            f'<h1 style="font-size:20px">障害インシデント報告</h1>\n'
            f"<p>分野: {escape(what)}　場所: {escape(where)}　ID: {escape(inc.id)}</p>\n"
            f'<table cellpadding="0" style="border-collapse:collapse">{rows}</table>\n'
            f"<p>まとめた不満の投稿: {t.tweets}件・デスクの対応: {escape(desk)}</p>\n"
            f'<h2 style="font-size:16px">1分ごとの投稿者数</h2><table cellpadding="0" cellspacing="0">{bars}</table>\n'
            f'<h2 style="font-size:16px">お知らせ投稿</h2><ul>{posts}</ul>\n'
            '<p style="font-size:11px;color:#8a94a1">個人情報は含みません（投稿者は人数のみ）。</p></body></html>\n')
    return text, html
