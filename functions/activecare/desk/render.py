"""Readable Japanese text for the desk CLI: history first, then the inquiry."""

from __future__ import annotations

from typing import Any

from activecare.clock import parse_iso, to_jst
from activecare.desk.policy import KIND_LABELS

STATUS_JA = {"new": "未対応", "replied": "返信済み", "resolved": "解決済み"}
OUTCOME_JA = {"answered": "回答済み", "email_form": "メールフォームへご案内", "no_reply_needed": "返信不要", None: "-"}
SENTIMENT_JA = {"complaint": "不満", "praise": "称賛", "neutral": "中立"}


def _t(value: str | None) -> str:
    return to_jst(parse_iso(value)).strftime("%m/%d %H:%M") if value else "-"


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def list_text(result: dict[str, Any]) -> str:
    rows = result["items"]
    if not rows:
        return "該当するお問い合わせはありません。"
    lines = []
    for i in rows:
        marks = "".join(m for m, on in (("★", i["direct"]), ("↺", i["returning_customer"]), ("⚠", i["has_pii"]))
                        if on)
        holder = f" [対応中: {i['claimed_by']}]" if i["claimed_by"] else ""
        lines.append(f"{i['inquiry_id']}  {_t(i['created_at'])} ({i['age_minutes']}分) {i['topic']:<12} "
                     f"{marks:<3} @{i['author_username']}: {_one_line(i['text'], 50)}{holder}")
    lines.append("★ 直接のお問い合わせ  ↺ 過去にお問い合わせあり  ⚠ 個人情報を含む")
    if result.get("next_cursor"):
        lines.append(f"次のページ: --cursor {result['next_cursor']}")
    return "\n".join(lines)


def show_text(s: dict[str, Any]) -> str:
    h, inq = s["history"], s["inquiry"]
    earlier = h["earlier_inquiries"]
    out = [f"■ このお客様の過去のお問い合わせ: {len(earlier)}件" + ("（リピーター）" if earlier else "")]
    for p in earlier:
        out.append(f"  {_t(p['created_at'])} [{p['topic']}] {STATUS_JA.get(p['status'], p['status'])} / "
                   f"結果: {OUTCOME_JA.get(p['outcome'], p['outcome'])} / 担当: {p['resolved_by'] or '-'}")
        out.append(f"    お客様: {_one_line(p['text'])}")
        for r in p["our_replies"]:
            out.append(f"    返信 ({r['agent']}, {_t(r['at'])}): {_one_line(r['text'])}")
    tw = inq["tweet"]
    pii = "・".join(KIND_LABELS.get(k, k) for k in inq["pii_kinds"]) or "なし"
    out += [
        "",
        f"■ お問い合わせ {inq['inquiry_id']} [{STATUS_JA.get(inq['status'], inq['status'])}]"
        + (f" 対応中: {inq['claimed_by']}" if inq["claimed_by"] else ""),
        f"  @{tw['author_username']}  {_t(tw['created_at'])}（{inq['age_minutes']}分前） {tw['url']}",
        f"  「{tw['text']}」",
        f"  トピック: {inq['topic']} / 部署: {inq['department']} / アカウント: {inq['account']} / "
        f"{'直接のお問い合わせ' if inq['direct'] else 'キーワード検索で発見'}",
        f"  キーワード: {', '.join(inq['keywords']) or '-'} / 感情: {SENTIMENT_JA.get(inq['sentiment'], '-')} / "
        f"個人情報: {pii}",
        "",
        "■ 前後のツイート" + ("（取得できませんでした）" if s["context"]["status"] != "ok" else ""),
    ]
    out += [f"  前 {_t(c['created_at'])}: {_one_line(c['text'])}" for c in s["context"]["before"]]
    out += [f"  後 {_t(c['created_at'])}: {_one_line(c['text'])}" for c in s["context"]["after"]]
    out += ["", "■ 会話"]
    for m in s["conversation"]:
        who = "お客様" if m["direction"] == "in" else f"返信 {m['agent'] or ''} ({m['mode'] or ''})"
        out.append(f"  {_t(m['created_at'])} {who}: {_one_line(m['text'])}")
    r = s["reply"]
    mode = "APIで投稿" if r["mode"] == "api" else "手動送信（intentリンク）→ confirm"
    out += ["", f"■ 返信: @{r['account']} から {r['in_reply_to']} へ / {mode}（{r['access_level']}）",
            "■ おすすめテンプレート: " + ", ".join(f"{t['key']}（{t['title']}）" for t in s["suggested_templates"])]
    return "\n".join(out)


def reply_text(r: dict[str, Any]) -> str:
    if r["status"] == "prepared":
        return (f"手動送信の準備ができました（client_token {r['client_token']}）。\n@{r['account']} でログインして"
                f"次のリンクから送信し、confirm してください:\n{r['intent_url']}")
    if r["status"] == "held":
        return f"スーパーバイザーの承認待ちです（client_token {r['client_token']}）。承認されると投稿されます。"
    if r["status"] == "rejected":
        return f"却下されました（{r.get('reviewed_by') or '-'}）: {r.get('review_note') or ''}"
    again = "（再送: 既に投稿済み）" if r.get("replayed") else ""
    return f"投稿しました{again}: tweet {r['tweet_id']} @{r['account']} → {r['in_reply_to']} ({r['mode']})"


def figures_text(f: dict[str, Any]) -> str:
    def row(name: str, x: dict[str, Any]) -> str:
        med = x["median_first_response_s"]
        refusals = ", ".join(f"{k} {v}" for k, v in x["refusals"].items() if v) or "0"
        return (f"  {name:<12} 返信 {x['replies']:>4}（API {x['api_posts']} / 手動 {x['manual_posts']}） "
                f"初回応答中央値 {'-' if med is None else f'{med / 60:.1f}分'}  メールフォーム案内 "
                f"{x['email_form_guidance']}  解決 {x['resolved']}  拒否: {refusals}")

    out = [f"■ {f['day']} の応対実績", row("デスク全体", f["desk"])]
    out += [row(a, x) for a, x in f["agents"].items()]
    c = f["api_cost"]
    out.append(f"■ API費用（従量課金の単価）: 投稿 {c['posts']}件（うちURL付き {c['posts_with_url']}件） "
               f"${c['usd']:.2f}")
    return "\n".join(out)
