// The figures page: the day's replies (API / by hand), median first response, e-mail form guidance, resolved,
// refusals by reason, and the API cost. An agent sees their own row; a supervisor the whole team.

import { get, serverNow } from './api.js';
import { REFUSAL_JA } from './labels.js';
import { fill, h, jstDay } from './dom.js';
import { appendMailFigures } from './mailcase.js';

const EMPTY = {
  replies: 0, api_posts: 0, manual_posts: 0, email_form_guidance: 0, resolved: 0, reopened: 0, first_responses: 0,
  median_first_response_s: null, refusals: {},
};

function minutes(s) { return s === null || s === undefined ? '-' : `${(s / 60).toFixed(1)}分`; }
function refusalTotal(r) { return Object.values(r || {}).reduce((a, b) => a + b, 0); }
function refusalText(r) {
  const parts = Object.entries(r || {}).filter(([, v]) => v).map(([k, v]) => `${REFUSAL_JA[k] || k} ${v}`);
  return parts.length ? parts.join('・') : '0';
}

export function createFigures(ctx, root) {
  let day = null;
  let loading = false;

  function card(k, v, s) {
    return h('div', { class: 'card' }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v), s && h('div', { class: 's' }, s));
  }

  function cards(row) {
    return h('div', { class: 'cards', id: 'figure-cards' },
      card('返信', String(row.replies), `API ${row.api_posts} / 手動 ${row.manual_posts}`),
      card('初回応答（中央値）', minutes(row.median_first_response_s), `初回応答 ${row.first_responses}件`),
      card('メールフォーム案内', String(row.email_form_guidance), '個人情報が必要なご案内'),
      card('解決', String(row.resolved), `再開 ${row.reopened}`),
      card('送信拒否', String(refusalTotal(row.refusals)), refusalText(row.refusals)),
      card('API 返信の割合', row.replies ? `${Math.round((row.api_posts / row.replies) * 100)}%` : '-', '残りは手動送信'));
  }

  function table(data) {
    const agents = Object.entries(data.agents || {});
    const max = Math.max(1, ...agents.map(([, r]) => r.replies));
    const cell = (v) => h('td', {}, v);
    return h('table', { class: 'fig-table', id: 'team-table' },
      h('thead', {}, h('tr', {}, ['担当者', '返信', 'API', '手動', '初回応答（中央値）', 'メールフォーム案内', '解決', '再開', '送信拒否']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {},
        agents.length === 0 && h('tr', {}, h('td', { colspan: '9', class: 'muted' }, 'この日の記録はまだありません。')),
        agents.map(([name, r]) => h('tr', { class: name === ctx.me.username ? 'me' : '', dataset: { agent: name } },
          h('td', {}, name),
          h('td', {}, h('span', { class: 'bar', 'aria-hidden': 'true', 'data-w': String(r.replies / max) }), String(r.replies)),
          cell(String(r.api_posts)), cell(String(r.manual_posts)), cell(minutes(r.median_first_response_s)),
          cell(String(r.email_form_guidance)), cell(String(r.resolved)), cell(String(r.reopened)),
          h('td', { class: refusalTotal(r.refusals) ? 'refusals' : '' }, refusalText(r.refusals)))),
        h('tr', { class: 'total' }, h('td', {}, 'デスク全体'), cell(String(data.desk.replies)), cell(String(data.desk.api_posts)),
          cell(String(data.desk.manual_posts)), cell(minutes(data.desk.median_first_response_s)),
          cell(String(data.desk.email_form_guidance)), cell(String(data.desk.resolved)), cell(String(data.desk.reopened)),
          cell(refusalText(data.desk.refusals)))));
  }

  function render(data) {
    const sup = ctx.isSupervisor;
    const mine = (data.agents || {})[ctx.me.username] || EMPTY;
    const cost = data.api_cost || { posts: 0, posts_with_url: 0, usd: 0 };
    const picker = h('input', { type: 'date', id: 'figures-day', value: day, max: jstDay(serverNow()), 'aria-label': '日付',
      onchange: (e) => { day = e.target.value || jstDay(serverNow()); load(); } });
    fill(root,
      h('div', { class: 'fig-head' },
        h('h1', {}, sup ? 'チームの実績' : 'あなたの実績'), picker,
        h('button', { type: 'button', class: 'btn', onclick: () => load() }, '更新'),
        h('span', { class: 'muted' }, sup ? `スーパーバイザー表示: ${Object.keys(data.agents || {}).length}名` : `${ctx.me.username} さん`)),
      sup ? cards(data.desk) : cards(mine),
      sup && table(data),
      h('div', { class: 'cost', id: 'api-cost' },
        h('strong', {}, 'X API の費用（従量課金の単価）: '),
        `API 投稿 ${cost.posts}件（うち URL 付き ${cost.posts_with_url}件）`, ' ＝ ',
        h('strong', { class: 'num' }, `$${Number(cost.usd).toFixed(2)}`),
        h('span', { class: 'muted' }, '　※ 手動送信（intent リンク）は API 費用に含まれません')),
      h('p', { class: 'fig-note' }, `${data.day}（日本時間）の集計。初回応答はお問い合わせを受けてから最初の返信までの時間です。`));
    for (const bar of root.querySelectorAll('.bar')) bar.style.width = `${Math.round(Number(bar.dataset.w) * 80)}px`;
    appendMailFigures(root, data.day, card);  // the e-mail form's counts (issue #19)
  }

  async function load() {
    if (loading) return;
    loading = true;
    day = day || jstDay(serverNow());
    try {
      render(await get('/figures', { day }));
    } catch (err) {
      fill(root, h('div', { class: 'placeholder' }, ctx.messageFor(err)));
    } finally {
      loading = false;
    }
  }

  return { load };
}
