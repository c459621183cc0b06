// The campaign page (#/campaign/<id>): a hand-mode campaign's winners, each with the DM link an agent opens
// (X's compose page, the prize message filled in) and a button to confirm it was sent. The confirmation counts
// only once the account's DM events show the message (checked by the campaign function); until then the row
// says so. X's rule: automated DMs only after the user DMs you first, so these DMs are sent by a person.

import { ApiError, get, post } from './api.js';
import { fill, h, jstDateTime } from './dom.js';

const STATE_JA = { pending: '未送信', confirmed: '送信確認済み', not_found: 'DM が見つかりません（未送信？）' };
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function createCampaign(ctx, root) {
  let campaignId = '';
  let rows = [];

  function row(w) {
    const status = h('td', { class: `state state-${w.state}`, dataset: { state: w.state } }, STATE_JA[w.state] || w.state);
    const confirm = h('button', {
      type: 'button', class: 'btn btn-primary confirm', disabled: w.state === 'confirmed',
      onclick: () => confirmSent(w, confirm),
    }, w.state === 'confirmed' ? '確認済み' : '送信したので確認');
    return h('tr', { class: 'winner', dataset: { user: w.user_id } },
      h('td', {}, `#${w.rank}`),
      h('td', {}, `@${w.username || w.user_id}`),
      status,
      h('td', {}, w.state === 'confirmed' ? jstDateTime(w.confirmed_at)
        : h('a', { class: 'dm-link', href: w.dm_link, target: '_blank', rel: 'noopener noreferrer' }, 'DM を開く')),
      h('td', {}, confirm));
  }

  async function confirmSent(w, button) {
    button.disabled = true;
    try {
      const { data } = await post(`/campaigns/${encodeURIComponent(campaignId)}/winners/${w.user_id}/confirm`);
      rows = rows.map((r) => (r.user_id === data.user_id ? data : r));
      ctx.toast(`#${w.rank} の DM を確認しました`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'dm_not_found') {
        rows = rows.map((r) => (r.user_id === w.user_id ? { ...r, state: 'not_found' } : r));
        ctx.toast(`#${w.rank}: アカウントの DM にまだ見つかりません。リンクから送信してから確認してください。`, 'error');
      } else {
        ctx.toast(`確認できませんでした: ${ctx.messageFor(err)}`, 'error');
      }
    }
    render();
  }

  function picker() {
    const input = h('input', { id: 'campaign-id', value: campaignId, placeholder: 'キャンペーン ID', 'aria-label': 'キャンペーン ID',
      pattern: '[A-Za-z0-9_-]{1,64}' });
    return h('form', { class: 'campaign-pick', onsubmit: (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (ID_RE.test(v)) location.hash = `#/campaign/${v}`;
    } }, input, h('button', { class: 'btn' }, '表示'));
  }

  function render(message) {
    const done = rows.filter((r) => r.state === 'confirmed').length;
    fill(root,
      h('div', { class: 'fig-head' }, h('h1', {}, 'キャンペーン当選者への連絡'), picker()),
      h('p', { class: 'muted' }, 'X のルール: 自動の DM はユーザーから先に DM があった場合のみ。当選のお知らせは担当者が 1 人ずつ手で送ります。'),
      message ? h('p', { class: 'muted', id: 'campaign-message' }, message) : null,
      campaignId && rows.length ? h('p', { id: 'campaign-progress' }, `${campaignId}: ${done} / ${rows.length} 名 送信確認済み`) : null,
      rows.length ? h('table', { class: 'fig-table', id: 'winners-table' },
        h('thead', {}, h('tr', {}, ['順位', '当選者', '状態', 'DM', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows.map(row))) : null);
  }

  async function load(id) {
    campaignId = id || '';
    rows = [];
    if (!campaignId) { render('キャンペーン ID を入れてください。'); return; }
    render('読み込み中…');
    try {
      rows = (await get(`/campaigns/${encodeURIComponent(campaignId)}/winners`)).winners;
      render(rows.length ? '' : 'まだ抽選されていません。');
    } catch (err) {
      render(`読み込めませんでした: ${ctx.messageFor(err)}`);
    }
  }

  return { load };
}
