// The day's QA figures (GET /qa/figures): per agent the reviews' score, the response-time target (SLA) breaches
// of first responses and the customers' reactions to the replies; per topic the SLA; per saved reply the reactions.

import { get } from './api.js';
import { topicLabel } from './labels.js';
import { h } from './dom.js';

const pct = (x) => (x === null || x === undefined ? '-' : `${Math.round(x * 100)}%`);

export async function qaFiguresSection(day) {
  const f = await get('/qa/figures', { day });
  const agents = Object.entries(f.agents);
  const table = (head, rows) => h('table', { class: 'qa-table' },
    h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))), h('tbody', {}, rows));
  return h('section', { id: 'qa-figures' },
    h('h2', {}, 'QA実績'),
    agents.length ? table(['担当者', '返信', '抽出', 'レビュー', 'スコア', 'SLA超過 / 初回応答', 'お礼', 'まだ不満', '反応なし', '満足度'],
      agents.map(([name, a]) => h('tr', { dataset: { agent: name } },
        h('td', {}, name), h('td', {}, a.replies), h('td', {}, a.sampled), h('td', {}, a.reviewed), h('td', {}, pct(a.overall)),
        h('td', { class: a.sla_breaches ? 'bad' : '' }, `${a.sla_breaches} / ${a.first_responses}`),
        h('td', {}, a.reactions.thanks ?? 0), h('td', {}, a.reactions.unhappy ?? 0),
        h('td', {}, (a.reactions.none ?? 0) + (a.reactions.no_reply ?? 0)), h('td', {}, pct(a.satisfaction)))))
      : h('p', { class: 'muted' }, 'この日の返信はありません。'),
    Object.keys(f.topics).length ? h('div', {}, h('h3', {}, '分野別のSLA超過'),
      table(['分野', 'SLA超過', '初回応答'], Object.entries(f.topics).map(([t, x]) => h('tr', {},
        h('td', {}, topicLabel(t)), h('td', { class: x.sla_breaches ? 'bad' : '' }, x.sla_breaches), h('td', {}, x.first_responses))))) : null,
    Object.keys(f.templates).length ? h('div', {}, h('h3', {}, 'テンプレート別のお客様の反応'),
      table(['テンプレート', 'お礼', 'まだ不満', 'その他', '未返信'], Object.entries(f.templates).map(([k, x]) => h('tr', {},
        h('td', {}, k || '（テンプレートなし）'), h('td', {}, x.thanks), h('td', {}, x.unhappy), h('td', {}, x.none), h('td', {}, x.no_reply))))) : null);
}

/** The weekly team report (GET /qa/weekly): per agent and week, the score, first response p50/p90, SLA, reactions. */
export async function weeklySection(day) {
  const r = await get('/qa/weekly', { weeks: 4, day });
  const num = (x) => (x === null || x === undefined ? '-' : String(x));
  const rows = Object.entries(r.agents).flatMap(([agent, weeks]) => weeks.map((w, n) => h('tr', {},
    n === 0 ? h('td', { rowspan: String(weeks.length) }, agent) : null, h('td', {}, r.weeks[n]), h('td', {}, w.replies),
    h('td', {}, pct(w.overall)), ...Object.keys(r.criteria).map((k) => h('td', {}, num(w.scores[k]))),
    h('td', {}, `${num(w.first_response_p50_min)} / ${num(w.first_response_p90_min)}`),
    h('td', { class: w.sla_breaches ? 'bad' : '' }, `${w.sla_breaches} / ${w.first_responses}`),
    h('td', {}, pct(w.satisfaction)), h('td', {}, pct(w.email_form_rate)))));
  return h('section', { id: 'qa-weekly' }, h('h2', {}, '週次チームレポート（4週）'),
    rows.length ? h('table', { class: 'qa-table' }, h('thead', {}, h('tr', {},
      ['担当者', '週', '返信', 'スコア', ...Object.values(r.criteria), '初回応答 p50/p90（分）', 'SLA超過', '満足度', 'メールフォーム率']
        .map((x) => h('th', {}, x)))), h('tbody', {}, rows))
      : h('p', { class: 'muted' }, 'この期間の返信はありません。'));
}
