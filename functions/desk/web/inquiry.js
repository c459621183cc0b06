// One inquiry: the toolbar (claim / release / resolve / reopen / reassign), the reading flow in the middle pane
// (the customer's history FIRST, then the tweet with its facts, then the conversation) and the customer pane on
// the right (their tweets before and after, later inquiries, what the desk did).

import { get } from './api.js';
import {
  DEPARTMENT_JA, EVENT_JA, OUTCOME_JA, SENTIMENT_JA, STATUS_JA, piiList, topicLabel,
} from './labels.js';
import { ageText, fill, h, jstDateTime, jstTime } from './dom.js';

export function createInquiry(ctx, { toolbar, body, side }) {
  let detail = null;
  let shownJson = '';
  let currentId = null;
  let seq = 0;

  function placeholder() {
    fill(toolbar, h('span', { class: 'title' }, 'お問い合わせ'));
    fill(body, h('div', { class: 'placeholder' },
      'キューからお問い合わせを選ぶか、', h('kbd', {}, 'n'), ' で最も優先度の高いものを担当してください。', h('br'),
      h('kbd', {}, 'j'), ' / ', h('kbd', {}, 'k'), ' で上下に移動、', h('kbd', {}, '?'), ' でショートカット一覧。'));
    fill(side, h('div', { class: 'pane-head' }, h('h2', { class: 'pane-title' }, 'お客様')),
      h('div', { class: 'body' }, h('p', { class: 'muted' }, 'お問い合わせを開くと、お客様の前後のツイートと対応の記録が表示されます。')));
  }

  async function load(id, { quiet = false } = {}) {
    const mine = ++seq;
    if (id !== currentId) {
      currentId = id;
      shownJson = '';
      if (!quiet) fill(body, h('div', { class: 'placeholder' }, '読み込み中…'));
    }
    try {
      const data = await get(`/inquiries/${encodeURIComponent(id)}`);
      if (mine !== seq || id !== currentId) return detail;
      const json = JSON.stringify(data);
      detail = data;
      if (json !== shownJson) {
        shownJson = json;
        render(data);
      }
      ctx.onDetail(data);
    } catch (err) {
      if (mine !== seq) return detail;
      if (!quiet || err.code === 'unknown_inquiry') {
        detail = null;
        fill(toolbar, h('span', { class: 'title' }, 'お問い合わせ'));
        fill(body, h('div', { class: 'placeholder' }, ctx.messageFor(err)));
        ctx.onDetail(null);
      }
    }
    return detail;
  }

  function render(d) {
    const keepScroll = body.scrollTop;
    renderToolbar(d);
    renderBody(d);
    renderSide(d);
    body.scrollTop = keepScroll;
  }

  function renderToolbar(d) {
    const inq = d.inquiry;
    const me = ctx.me.username;
    const holder = inq.claimed_by;
    const mine = holder === me;
    const others = holder && !mine;
    const sup = ctx.isSupervisor;
    const canReopen = inq.status !== 'new' && (sup || inq.resolved_by === me || !inq.resolved_by);
    fill(toolbar,
      h('span', { class: `mark mark-status ${inq.status}`, id: 'inquiry-status' }, STATUS_JA[inq.status] || inq.status),
      h('span', { class: 'title' }, `@${inq.author_username || '?'}`),
      h('span', { class: 'muted num' }, `${topicLabel(inq.topic)} · ${ageText(inq.age_minutes)}前`),
      h('span', { class: 'spacer' }),
      mine
        ? h('button', { type: 'button', class: 'btn', id: 'release-button', onclick: () => ctx.release() }, '担当を解放 ', h('kbd', {}, 'u'))
        : h('button', { type: 'button', class: 'btn', id: 'claim-button', disabled: others || inq.status === 'resolved',
          title: others ? `${holder} さんが対応中です` : '', onclick: () => ctx.claim() }, '担当する ', h('kbd', {}, 'c')),
      inq.status !== 'resolved' && h('button', { type: 'button', class: 'btn', id: 'resolve-button', disabled: others,
        onclick: () => ctx.askResolve() }, '解決 ', h('kbd', {}, 'e')),
      canReopen && h('button', { type: 'button', class: 'btn', id: 'reopen-button', onclick: () => ctx.askReopen() }, '再開'),
      sup && inq.status !== 'resolved' && h('button', { type: 'button', class: 'btn', id: 'reassign-button',
        onclick: () => ctx.askReassign() }, '担当変更'));
  }

  function heldBanner(inq) {
    if (!inq.claimed_by) return null;
    const mine = inq.claimed_by === ctx.me.username;
    const until = inq.claim_expires_at ? `（${jstTime(inq.claim_expires_at)}まで）` : '';
    return h('div', { class: `held-banner${mine ? ' mine' : ''}`, id: 'held-banner', role: 'status' },
      mine ? `あなたが対応中です${until}` : `${inq.claimed_by} さんが対応中です${until}。返信・解決はできません。`);
  }

  function historySection(d) {
    const earlier = d.history.earlier_inquiries || [];
    const title = h('h3', { class: 'section-title' }, 'このお客様の過去のお問い合わせ',
      h('span', { class: 'count' }, `${earlier.length}件`), earlier.length ? h('span', { class: 'mark mark-repeat' }, 'リピーター') : null);
    if (!earlier.length) {
      return h('section', { class: 'section', id: 'history', 'aria-label': '過去のお問い合わせ' }, title,
        h('div', { class: 'history none' }, '過去のお問い合わせはありません（初めてのお客様）。'));
    }
    return h('section', { class: 'section', id: 'history', 'aria-label': '過去のお問い合わせ' }, title,
      h('div', { class: 'history' }, earlier.slice().reverse().map((p) => h('article', { class: 'past' },
        h('div', { class: 'past-head' },
          h('span', { class: 'num' }, jstDateTime(p.created_at)),
          h('span', { class: 'chip' }, topicLabel(p.topic)),
          h('span', { class: `mark mark-status ${p.status}` }, STATUS_JA[p.status] || p.status),
          p.outcome && h('span', {}, `結果: ${OUTCOME_JA[p.outcome] || p.outcome}`),
          p.resolved_by && h('span', {}, `担当: ${p.resolved_by}`)),
        h('p', { class: 'past-text' }, p.text),
        (p.our_replies || []).map((r) => h('div', { class: 'our-reply' },
          h('span', { class: 'by' }, `返信 ${r.agent || ''} · ${jstDateTime(r.at)}`), r.text)),
        !(p.our_replies || []).length && h('div', { class: 'our-reply muted' }, '（返信なし）')))));
  }

  function highlighted(text, keywords) {
    const words = (keywords || []).filter((k) => k && text.toLowerCase().includes(k.toLowerCase()));
    if (!words.length) return [text];
    const lower = text.toLowerCase();
    const out = [];
    let pos = 0;
    while (pos < text.length) {
      let best = null;
      for (const w of words) {
        const at = lower.indexOf(w.toLowerCase(), pos);
        if (at >= 0 && (!best || at < best[0] || (at === best[0] && w.length > best[1]))) best = [at, w.length];
      }
      if (!best) { out.push(text.slice(pos)); break; }
      if (best[0] > pos) out.push(text.slice(pos, best[0]));
      out.push(h('mark', {}, text.slice(best[0], best[0] + best[1])));
      pos = best[0] + best[1];
    }
    return out;
  }

  function tweetSection(d) {
    const inq = d.inquiry;
    const tw = inq.tweet;
    const acc = (ctx.config.accounts || []).find((a) => a.key === inq.account);
    return h('section', { class: 'section', id: 'tweet', 'aria-label': 'お問い合わせのツイート' },
      h('h3', { class: 'section-title' }, 'お問い合わせ'),
      h('article', { class: 'tweet-card' },
        h('div', { class: 'tweet-head' },
          inq.direct && h('span', { class: 'mark mark-direct' }, '★直接'),
          inq.returning_customer && h('span', { class: 'mark mark-repeat' }, 'リピーター'),
          inq.has_pii && h('span', { class: 'mark mark-pii' }, '⚠個人情報'),
          inq.do_not_contact && h('span', { class: 'mark mark-dnc', title: inq.do_not_contact_reason === 'blocked'
            ? 'お客様にブロックされています' : 'お客様が返信不要を希望されています' }, '返信不要'),
          h('span', { class: 'who' }, `@${tw.author_username || '?'}`),
          h('span', { class: 'when num' }, `${jstDateTime(tw.created_at)}（${ageText(inq.age_minutes)}前）`),
          h('span', { class: 'spacer' }),
          h('a', { href: tw.url, target: '_blank', rel: 'noopener noreferrer', id: 'tweet-link' }, 'X で開く ↗')),
        h('p', { class: 'tweet-text', id: 'tweet-text' }, highlighted(tw.text, inq.keywords)),
        h('dl', { class: 'facts' },
          h('dt', {}, 'トピック'), h('dd', {}, h('span', { class: 'chip' }, topicLabel(inq.topic))),
          h('dt', {}, '部署'), h('dd', {}, DEPARTMENT_JA[inq.department] || inq.department || '-'),
          h('dt', {}, '経路'), h('dd', {}, inq.direct ? `@${acc ? acc.username : inq.account} 宛て（直接）` : 'キーワード検索で発見'),
          h('dt', {}, '感情'), h('dd', {}, SENTIMENT_JA[inq.sentiment] || inq.sentiment || '-'),
          h('dt', {}, 'キーワード'), h('dd', { class: 'wide' },
            (inq.keywords || []).length ? inq.keywords.map((k) => h('span', { class: 'chip' }, k)) : '-'),
          h('dt', {}, '個人情報'), h('dd', { class: 'wide' }, inq.has_pii
            ? h('span', { class: 'pii-flag' }, `⚠ ${piiList(inq.pii_kinds)}（返信に引用しないでください）`)
            : 'なし'))));
  }

  function conversationSection(d) {
    const msgs = d.conversation || [];
    if (msgs.length <= 1) return null;
    return h('section', { class: 'section', id: 'conversation', 'aria-label': '会話' },
      h('h3', { class: 'section-title' }, '会話', h('span', { class: 'count' }, `${msgs.length}件`)),
      h('div', { class: 'thread' }, msgs.map((m) => h('div', { class: `msg ${m.direction}` },
        h('span', { class: 'by' }, m.direction === 'in'
          ? `お客様 · ${jstDateTime(m.created_at)}`
          : `返信 ${m.agent || ''}（${m.mode === 'manual' ? '手動送信' : 'API'}）· ${jstDateTime(m.created_at)}`),
        m.text))));
  }

  function renderBody(d) {
    fill(body, heldBanner(d.inquiry), historySection(d), tweetSection(d), conversationSection(d));
  }

  function renderSide(d) {
    const inq = d.inquiry;
    const ctxt = d.context || { before: [], after: [], status: 'ok' };
    const later = d.history.later_inquiries || [];
    const name = inq.author_username || '?';
    fill(side,
      h('div', { class: 'pane-head' }, h('h2', { class: 'pane-title' }, 'お客様')),
      h('div', { class: 'body' },
        h('div', { class: 'customer-card' },
          h('div', { class: 'avatar', 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase()),
          h('div', {},
            h('div', { class: 'name' }, `@${name}`),
            h('a', { href: `https://x.com/${encodeURIComponent(name)}`, target: '_blank', rel: 'noopener noreferrer' }, 'プロフィール ↗'),
            ' ',
            d.history.returning_customer && h('span', { class: 'mark mark-repeat' }, `リピーター（過去${d.history.earlier_inquiries.length}件）`))),
        h('section', { class: 'section', id: 'context' },
          h('h3', { class: 'section-title' }, '前後のツイート'),
          ctxt.status !== 'ok' && h('p', { class: 'muted' }, '前後のツイートを取得できませんでした。'),
          h('ol', { class: 'timeline' },
            (ctxt.before || []).map((p) => h('li', {}, h('span', { class: 'when' }, `前 · ${jstDateTime(p.created_at)}`), p.text)),
            h('li', { class: 'this' }, h('span', { class: 'when' }, `このお問い合わせ · ${jstDateTime(inq.created_at)}`), inq.text),
            (ctxt.after || []).map((p) => h('li', {}, h('span', { class: 'when' }, `後 · ${jstDateTime(p.created_at)}`), p.text)),
            !(ctxt.after || []).length && h('li', { class: 'muted' }, h('span', { class: 'when' }, '後'), 'まだありません'))),
        later.length > 0 && h('section', { class: 'section' },
          h('h3', { class: 'section-title' }, 'その後のお問い合わせ', h('span', { class: 'count' }, `${later.length}件`)),
          h('ol', { class: 'timeline' }, later.map((p) => h('li', {},
            h('span', { class: 'when' }, `${jstDateTime(p.created_at)} · ${STATUS_JA[p.status] || p.status}`), p.text)))),
        h('section', { class: 'section', id: 'desk-events' },
          h('h3', { class: 'section-title' }, 'デスクの記録'),
          (d.desk_events || []).length
            ? h('ul', { class: 'events' }, d.desk_events.map((e) => h('li', {},
              h('span', { class: 'when' }, jstTime(e.at)),
              h('span', {}, `${EVENT_JA[e.kind] || e.kind}（${e.agent}）`, e.detail ? ` ${eventDetail(e)}` : ''))))
            : h('p', { class: 'muted' }, 'まだ記録はありません。'))));
  }

  function eventDetail(e) {
    if (e.kind === 'resolve') return OUTCOME_JA[e.detail] || e.detail;
    if (e.kind === 'refused') {
      const reason = e.detail.split(' ')[0];
      return { personal_data: '個人情報', too_long: '文字数超過', out_of_service_hours: '受付時間外' }[reason] || reason;
    }
    if (e.kind === 'prepared') return '';
    return e.detail;
  }

  placeholder();
  return {
    load,
    clear() { currentId = null; detail = null; shownJson = ''; placeholder(); ctx.onDetail(null); },
    get id() { return currentId; },
    get detail() { return detail; },
  };
}
