// The e-mail case of the open inquiry (issue #19): what the customer sent through the e-mail form and by e-mail,
// our e-mail answers, call-backs. The personal data is fetched only when the agent asks (each read is recorded
// on the server); everything is rendered as text nodes (dom.js), never as HTML.

import { get, post } from './api.js';
import { fill, h, jstDateTime } from './dom.js';

const MAIL_EVENTS = new Set(['mail_form', 'mail_in', 'mail_answer', 'callback']);
const CALL_RESULTS = {
  reached: '通話できた', no_answer: '不在', voicemail: '留守電に伝言', callback_requested: '折り返し希望',
  wrong_number: '番号違い',
};
const KIND_JA = { answer: 'メールで回答', callback: '折り返し電話', inbound: 'お客様からのメール' };
const STATUS_JA = { sent: '送信済み', in_doubt: '送信状況不明（再送しません）', pending: '送信中', rejected: '送信不可' };

function token(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createMailCase(ctx, root) {
  let current = null;  // the inquiry id shown
  let opened = false;  // the agent asked to see the personal data of this one
  let answerToken = token('mail-');

  function hasMail(d) {
    return (d.desk_events || []).some((e) => MAIL_EVENTS.has(e.kind)) || d.inquiry.outcome === 'email_form';
  }

  function show(d) {
    if (!d || !hasMail(d)) {
      current = null;
      root.hidden = true;
      fill(root);
      return;
    }
    const id = d.inquiry.inquiry_id;
    if (id === current) return;
    current = id;
    opened = false;
    answerToken = token('mail-');
    root.hidden = false;
    fill(root, h('h2', { class: 'section-title' }, 'メールでのご対応'),
      h('p', { class: 'muted' }, 'メールフォームやメールの内容には個人情報が含まれます。表示すると閲覧が記録されます。'),
      h('button', { type: 'button', class: 'btn', id: 'mail-open', onclick: () => open(id) }, '内容を表示する'));
  }

  async function open(id) {
    try {
      const c = await get(`/inquiries/${encodeURIComponent(id)}/mail`);
      if (id !== current) return;
      opened = true;
      render(c);
    } catch (err) {
      ctx.reportError(err, 'メールの内容の表示');
    }
  }

  function render(c) {
    fill(root,
      h('h2', { class: 'section-title' }, 'メールでのご対応', c.reference && h('span', { class: 'count', id: 'mail-reference' }, c.reference)),
      c.submissions.length === 0 && h('p', { class: 'muted' }, 'メールフォームはまだ届いていません。'),
      c.submissions.map((s) => h('section', { class: 'mail-submission' },
        h('h3', {}, `メールフォーム · ${jstDateTime(s.at)}`),
        h('dl', { class: 'mail-fields' },
          h('dt', {}, 'お名前'), h('dd', { class: 'mail-name' }, s.name),
          h('dt', {}, 'メール'), h('dd', {}, s.email),
          h('dt', {}, '電話番号'), h('dd', {}, s.phone || '—'),
          h('dt', {}, 'ご契約番号'), h('dd', {}, s.contract || '—')),
        h('p', { class: 'mail-text' }, s.message))),
      c.entries.length > 0 && h('ol', { class: 'mail-entries' }, c.entries.map((e) => h('li', { class: `mail-${e.kind}` },
        h('span', { class: 'when' }, `${jstDateTime(e.at)} · ${KIND_JA[e.kind] || e.kind}`,
          e.agent ? `（${e.agent}）` : '', e.status && e.kind === 'answer' ? ` · ${STATUS_JA[e.status] || e.status}` : ''),
        e.kind === 'callback' && h('p', {}, `${jstDateTime(e.call_at)} · ${CALL_RESULTS[e.call_result] || e.call_result}`),
        e.subject && h('p', { class: 'mail-subject' }, e.subject),
        e.text && h('p', { class: 'mail-text' }, e.text),
        e.attachments.length > 0 && h('p', { class: 'muted' }, `添付: ${e.attachments.join('、')}`)))),
      answerForm(c), callbackForm(c),
      h('p', { class: 'muted' }, `閲覧の記録: ${c.accesses.map((a) => `${a.agent} ${jstDateTime(a.at)}`).join(' / ')}`));
  }

  function answerForm(c) {
    if (!c.reply_to) return null;
    const text = h('textarea', { id: 'mail-answer-text', rows: 5, maxlength: 4000, 'aria-label': 'メールの回答' });
    const form = h('form', { class: 'mail-form', id: 'mail-answer', novalidate: true },
      h('label', { for: 'mail-answer-text' }, `メールで回答（宛先 ${c.reply_to}・件名に ${c.reference}）`), text,
      h('div', { class: 'mail-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary' }, 'メールを送信'),
        h('button', { type: 'button', class: 'btn-ghost', id: 'mail-resolve', onclick: () => resolve(c) }, 'メールで解決にする')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!text.value.trim()) return;
      try {
        const r = await post(`/inquiries/${encodeURIComponent(c.inquiry_id)}/mail/answer`, { text: text.value, client_token: answerToken });
        ctx.toast(r.data.status === 'sent' ? 'メールを送信しました' : '送信状況を確認できません（再送はしません）');
        answerToken = token('mail-');
        await open(c.inquiry_id);
        ctx.changed();
      } catch (err) {
        ctx.reportError(err, 'メールの送信');  // the same token on a retry: never sent twice
      }
    });
    return form;
  }

  function callbackForm(c) {
    const at = h('input', { type: 'datetime-local', id: 'callback-at', required: true, 'aria-label': '時刻' });
    const result = h('select', { id: 'callback-result', 'aria-label': '結果' },
      Object.entries(CALL_RESULTS).map(([k, v]) => h('option', { value: k }, v)));
    const memo = h('input', { id: 'callback-memo', maxlength: 500, 'aria-label': 'メモ', placeholder: 'メモ' });
    const form = h('form', { class: 'mail-form', id: 'mail-callback', novalidate: true },
      h('label', {}, '折り返し電話を記録（時刻・結果・メモ）'), at, result, memo,
      h('button', { type: 'submit', class: 'btn' }, '記録する'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!at.value) return;
      try {
        await post(`/inquiries/${encodeURIComponent(c.inquiry_id)}/mail/callback`, {
          call_at: `${at.value}:00+09:00`, result: result.value, memo: memo.value, client_token: token('cb-'),
        });
        ctx.toast('折り返し電話を記録しました');
        await open(c.inquiry_id);
        ctx.changed();
      } catch (err) {
        ctx.reportError(err, '折り返し電話の記録');
      }
    });
    return form;
  }

  async function resolve(c) {
    try {
      await post(`/inquiries/${encodeURIComponent(c.inquiry_id)}/claim`);
      await post(`/inquiries/${encodeURIComponent(c.inquiry_id)}/mail/resolve`);
      ctx.toast('メールで解決にしました');
      ctx.changed();
    } catch (err) {
      ctx.reportError(err, '解決');
    }
  }

  root.hidden = true;
  return { show, get opened() { return opened; } };
}

/** The day's e-mail form counts (GET /mail/figures: counts only), appended to the figures page as a row of cards. */
export async function appendMailFigures(root, day, card) {
  const row = h('div', { class: 'cards', id: 'mail-figures', 'aria-label': 'メールでのご対応' });
  root.append(h('h2', { class: 'fig-sub' }, 'メールでのご対応'), row);
  try {
    const f = await get('/mail/figures', { day });
    const mean = f.first_answer_mean_s === null ? '-' : `${(f.first_answer_mean_s / 60).toFixed(1)}分`;
    fill(row,
      card('フォーム受信', String(f.forms_received), 'メールフォームから'),
      card('メールで回答', String(f.email_answers), `初回回答 ${f.first_answers}件`),
      card('初回回答まで（平均）', mean, 'フォーム受信から'),
      card('メールで解決', String(f.resolved_by_email), ''),
      card('お客様からのメール', String(f.inbound_emails), `振り分け待ち ${f.triaged}件`));
  } catch {
    fill(row, h('p', { class: 'muted' }, 'メールの集計を読み込めませんでした。'));
  }
}
