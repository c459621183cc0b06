// Crisis mode: the outage radar's banner over the desk and the incident view (GET /incidents, /incidents/{id}).
// The banner shows each open incident: topic, places, unique complaining authors per minute, masked samples;
// supervisors confirm it (the status post goes out on the owning account). The incident view lists the new
// inquiries it groups, each with the prepared answer (sent through the desk's own reply: the API where the
// customer mentioned us, an intent link otherwise) or "covered by the status post". The normal queue stays.

import { get, post } from './api.js';
import { $, fill, h, jstTime } from './dom.js';

const POLL_MS = 15000;
const ANSWERED = { replied: '返信済み', covered: '告知で対応済み' };
const TOPICS = { signal: '電波・通信', wifi: 'Wi-Fi', billing: '料金', app_web: 'アプリ・Web', mail: 'メール', mobile_data: 'データ通信', outage: '通信障害' };

function topicText(topics) { return topics.map((t) => TOPICS[t] || t).join('・') || '全般'; }
function placeText(places) { return places.join('・') || '全国'; }
function token() { return (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).replace(/[^A-Za-z0-9_-]/g, ''); }

function sparkline(perMinute) {
  const last = perMinute.slice(-15);
  const max = Math.max(1, ...last.map((c) => c.authors));
  return h('span', { class: 'incident-spark', 'aria-label': '1分ごとの投稿者数' },
    last.map((c) => h('span', { class: 'bar', title: `${jstTime(c.minute)} ${c.authors}人`, dataset: { h: String(Math.round((c.authors / max) * 8)) } })));
}

export function createIncidents(ctx, banner, dialog) {
  let current = [];

  function bannerItem(inc) {
    const last = inc.per_minute.length ? inc.per_minute[inc.per_minute.length - 1].authors : 0;
    const confirmed = inc.confirmed_by || inc.declared_by;
    return h('div', { class: 'incident-item', dataset: { id: inc.id } },
      h('strong', { class: 'incident-title' }, confirmed ? '障害対応中' : '障害の疑い'),
      h('span', { class: 'incident-what' }, `${topicText(inc.topics)} ／ ${placeText(inc.places)}`),
      h('span', { class: 'incident-counts' }, `直近 ${last}人/分・ピーク ${inc.peak}人/分（${jstTime(inc.peak_at)}）・検知 ${jstTime(inc.detected_at)}`),
      sparkline(inc.per_minute),
      inc.samples.length ? h('span', { class: 'incident-sample muted' }, `例: ${inc.samples[0]}`) : null,
      h('span', { class: 'incident-actions' },
        ctx.isSupervisor && !confirmed ? h('button', { class: 'btn btn-primary incident-confirm', onclick: () => confirm(inc.id) }, '確認して告知') : null,
        h('button', { class: 'btn incident-open', onclick: () => openView(inc.id) }, 'まとめて対応')));
  }

  async function refresh() {
    try {
      const { items } = await get('/incidents');
      current = items.filter((i) => i.status === 'open');
      banner.hidden = current.length === 0;
      fill(banner, current.map(bannerItem));
    } catch (err) {
      ctx.reportError(err, '障害情報を取得できませんでした');
    }
  }

  async function confirm(id) {
    try {
      await post(`/incidents/${id}/confirm`);
      ctx.toast('インシデントを確認し、お知らせを投稿しました');
    } catch (err) {
      ctx.reportError(err, '確認できませんでした');
    }
    refresh();
  }

  // An answered row keeps only its status: the 告知で対応済み button is gone once it is covered (no twin label).
  function settle(row, content) {
    fill(row.querySelector('.incident-row-actions'), h('span', { class: 'incident-row-status' }, content));
  }

  async function answer(incidentId, inquiryId, action, row) {
    const buttons = [...row.querySelectorAll('.incident-row-actions button')];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const { data } = await post(`/incidents/${incidentId}/answer`, { inquiry_id: inquiryId, action, client_token: token() });
      if (action === 'covered') {
        settle(row, ANSWERED.covered);
      } else if (data.reply.status === 'prepared') {
        settle(row, h('a', { href: data.reply.intent_url, target: '_blank', rel: 'noopener noreferrer' }, 'X で送信（送信後、お問い合わせで確認）'));
      } else {
        settle(row, '返信しました');
      }
      ctx.changed();
    } catch (err) {
      buttons.forEach((b) => { b.disabled = false; });
      ctx.reportError(err, '対応できませんでした');
    }
  }

  async function openView(id) {
    let data;
    try {
      data = await get(`/incidents/${id}`);
    } catch (err) {
      ctx.reportError(err, 'インシデントを開けませんでした');
      return;
    }
    const inc = data.incident;
    const rows = data.inquiries.map((q) => {
      const done = data.answered[q.inquiry_id];
      const row = h('li', { class: 'incident-row', dataset: { id: q.inquiry_id } },
        h('div', { class: 'incident-row-head' }, h('strong', {}, `@${q.author_username}`), h('span', { class: 'muted' }, ` ${jstTime(q.created_at)}`),
          q.direct ? h('span', { class: 'badge' }, 'メンション') : null),
        h('div', { class: 'incident-row-text' }, q.text),
        h('div', { class: 'incident-row-reply muted' }, q.prepared_reply),
        h('div', { class: 'incident-row-actions' }, done ? h('span', { class: 'incident-row-status' }, ANSWERED[done]) : [
          h('button', { class: 'btn incident-reply', onclick: () => answer(id, q.inquiry_id, 'reply', row) }, '用意した返信を送る'),
          h('button', { class: 'btn-ghost incident-covered', onclick: () => answer(id, q.inquiry_id, 'covered', row) }, '告知で対応済み'),
          h('span', { class: 'incident-row-status' }, '')]));
      return row;
    });
    fill(dialog,
      h('h2', {}, `${topicText(inc.topics)} ／ ${placeText(inc.places)}`),
      h('p', { class: 'muted' }, `発生 ${jstTime(inc.onset)}・検知 ${jstTime(inc.detected_at)}・ピーク ${inc.peak}人/分・まとめた投稿 ${inc.signals}件`),
      h('h3', {}, 'お知らせ投稿'),
      inc.status_posts.length ? h('ul', {}, inc.status_posts.map((p) => h('li', {}, `${jstTime(p.at)} ${p.text}`))) : h('p', { class: 'muted' }, 'まだありません（スーパーバイザーが確認すると投稿されます）'),
      h('h3', {}, `まとめて対応（${rows.length}件）`),
      rows.length ? h('ul', { class: 'incident-rows' }, rows) : h('p', { class: 'muted' }, '対象のお問い合わせはありません'),
      h('form', { method: 'dialog', class: 'dialog-actions' }, h('button', { class: 'btn' }, '閉じる')));
    if (!dialog.open) dialog.showModal();
  }

  refresh();
  setInterval(refresh, POLL_MS);
  return { refresh, openView, get open() { return current; } };
}

export function mountIncidents(ctx) {
  return createIncidents(ctx, $('#incident-banner'), $('#incident-dialog'));
}
