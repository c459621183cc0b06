// Supervisors: trainees' replies waiting for approval. Each shows the customer's post and the trainee's reply,
// editable; 承認して送信 posts it (the same client token on a retry: posted once), 却下 turns it down with a
// reason the trainee sees on the inquiry.

import { get, post } from './api.js';
import { errorMessage, topicLabel } from './labels.js';
import { fill, h, jstDateTime } from './dom.js';

export function createApprovals(ctx, root, onCount = () => {}) {
  let busy = false;

  async function act(item, what, card) {
    if (busy) return;
    busy = true;
    const out = card.querySelector('.approval-result');
    for (const b of card.querySelectorAll('button')) b.disabled = true;
    try {
      if (what === 'approve') {
        const text = card.querySelector('textarea').value.trim();
        const body = { client_token: item.client_token };
        if (text && text !== item.text) body.text = text;
        const { status, data } = await post(`/inquiries/${item.inquiry_id}/approve`, body);
        if (status === 202 && data.intent_url) {  // X's rules: an active-support find is answered by hand
          ctx.toast('承認しました（手動送信の準備ができました）');
          byHand(item, data, card);
          return;
        }
        ctx.toast(`承認して投稿しました（${item.agent} さんの返信）`);
      } else {
        const reason = card.querySelector('input.reject-reason').value.trim();
        if (!reason) {
          fill(out, '却下の理由を入力してください（研修中の担当者に表示されます）。');
          return;
        }
        await post(`/inquiries/${item.inquiry_id}/reject`, { client_token: item.client_token, reason });
        ctx.toast('却下しました');
      }
      await load();
    } catch (err) {
      fill(out, errorMessage(err));
      if (err.code === 'already_reviewed') await load();
    } finally {
      busy = false;
      for (const b of card.querySelectorAll('button')) b.disabled = false;
    }
  }

  /** An approved reply X lets us send only by hand: the intent link, then 送信を確認 (found on the timeline). */
  function byHand(item, data, card) {
    const out = h('div', { class: 'approval-result', role: 'alert' });
    const confirm = async () => {
      try {
        await post(`/inquiries/${item.inquiry_id}/confirm`, { client_token: data.client_token });
        ctx.toast('手動送信を確認しました');
        await load();
      } catch (err) { fill(out, errorMessage(err)); }
    };
    fill(card, h('header', {}, h('strong', {}, `${item.agent} さんの返信を承認しました`)),
      h('p', {}, h('a', { href: data.intent_url, target: '_blank', rel: 'noopener noreferrer', class: 'intent-link' },
        'X で開いて送信する ↗'), `（@${data.account} でログインしたブラウザで「ポストする」）`),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn-primary confirm', onclick: confirm }, '送信を確認')),
      out);
  }

  function card(item) {
    const el = h('article', { class: 'approval', dataset: { token: item.client_token, inquiry: item.inquiry_id } });
    fill(el,
      h('header', {}, h('strong', {}, `${item.agent} さんの返信`), ' ',
        h('span', { class: 'muted' }, `${jstDateTime(item.held_at)}・@${item.account}・${topicLabel(item.topic)}・${item.mode === 'api' ? 'API' : '手動送信'}`)),
      h('blockquote', { class: 'customer-text' }, `@${item.author_username || '-'}: `, item.customer_text),
      h('label', {}, '返信（編集して承認できます）', h('textarea', { rows: 3, class: 'approval-text', value: item.text })),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn-primary approve', onclick: () => act(item, 'approve', el) }, '承認して送信'),
        h('input', { type: 'text', class: 'reject-reason', maxlength: 200, placeholder: '却下の理由', 'aria-label': '却下の理由' }),
        h('button', { type: 'button', class: 'btn-danger reject', onclick: () => act(item, 'reject', el) }, '却下'),
        h('a', { href: `#/inquiry/${item.inquiry_id}` }, 'お問い合わせを開く')),
      h('div', { class: 'approval-result', role: 'alert' }));
    return el;
  }

  async function load() {
    try {
      const data = await get('/approvals');
      fill(root, h('h1', {}, '承認待ちの返信'),
        data.items.length ? h('div', { id: 'approvals-list' }, data.items.map(card))
          : h('p', { id: 'approvals-empty', class: 'muted' }, '承認待ちの返信はありません。'));
      onCount(data.items.length);
      return data.items.length;
    } catch (err) {
      ctx.reportError(err, '承認待ちを読み込めませんでした');
      return 0;
    }
  }

  return { load, count: async () => (await get('/approvals')).items.length };
}
