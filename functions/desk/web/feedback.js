// Every agent: the reviews of their replies. New ones (and revisions) are unread - the tab's badge counts them -
// until the agent presses 確認しました for that version.

import { get, post } from './api.js';
import { errorMessage } from './labels.js';
import { fill, h, jstDateTime } from './dom.js';

export function createFeedback(ctx, root, onCount = () => {}) {
  let standards = null;

  function scores(s) {
    return h('ul', { class: 'scores' }, standards.criteria.map((c) => h('li', {},
      h('span', {}, c.name), h('strong', {}, ` ${s[c.key] ?? '-'}`), h('span', { class: 'muted' }, ` / ${c.high}`))));
  }

  function card(r) {
    const el = h('article', { class: `approval feedback-item${r.unread ? ' unread' : ''}`, dataset: { tweet: r.tweet_id } });
    fill(el,
      h('header', {}, r.unread ? h('span', { class: 'qa-chip todo' }, r.version > 1 ? '修正あり' : '新着') : null, ' ',
        h('strong', {}, `${r.reviewer} さんのレビュー`), ' ', h('span', { class: 'muted' }, `v${r.version}・${jstDateTime(r.at)}`)),
      h('blockquote', {}, r.reply_text),
      scores(r.scores),
      r.comment ? h('p', { class: 'comment' }, r.comment) : null,
      r.history.length ? h('details', {}, h('summary', {}, `以前の版（${r.history.length}）`),
        r.history.map((v) => h('p', { class: 'muted' }, `v${v.version} ${v.reviewer}: `,
          standards.criteria.map((c) => `${c.name} ${v.scores[c.key] ?? '-'}`).join('・'), v.comment ? ` 「${v.comment}」` : ''))) : null,
      h('div', { class: 'actions' },
        r.unread ? h('button', { type: 'button', class: 'btn-primary ack', onclick: () => ack(r, el) }, '確認しました') : h('span', { class: 'muted' }, '確認済み'),
        h('a', { href: `#/inquiry/${r.inquiry_id}` }, 'お問い合わせを開く')),
      h('div', { class: 'approval-result', role: 'alert' }));
    return el;
  }

  async function ack(r, el) {
    try {
      await post(`/qa/feedback/${r.tweet_id}/ack`, { version: r.version });
      ctx.toast('フィードバックを確認しました');
    } catch (err) {
      fill(el.querySelector('.approval-result'), errorMessage(err));
    }
    await load();
  }

  async function load() {
    try {
      standards = standards || await get('/qa/standards');
      const data = await get('/qa/feedback');
      fill(root, h('h1', {}, 'フィードバック'),
        h('p', { class: 'muted', id: 'feedback-counts' }, `未確認 ${data.unread}件・全 ${data.items.length}件`),
        data.items.length ? h('div', { id: 'feedback-list' }, data.items.map(card))
          : h('p', { id: 'feedback-empty', class: 'muted' }, 'まだレビューはありません。'));
      onCount(data.unread);
      return data.unread;
    } catch (err) {
      ctx.reportError(err, 'フィードバックを読み込めませんでした');
      return 0;
    }
  }

  return { load, count: async () => (await get('/qa/feedback')).unread };
}
