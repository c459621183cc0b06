// The composer: saved replies for the topic (rendered with the customer's name), a live weighted-length counter,
// a live personal-data warning, the service-hours notice (supervisors may override), and the two ways a reply
// leaves: through the API (201/200), or as an intent link the agent sends by hand on X, then confirms (202 ->
// confirm). Each composed reply has one client_token, kept while its fate is open (503: resend the same text with
// the same token - X never gets it twice) and renewed when the text changes after a try.

import { get, post, serverNow } from './api.js';
import { errorMessage, piiList } from './labels.js';
import { fill, h, setText } from './dom.js';
import { MAX_WEIGHTED, findPersonalData, weightedLength } from './textcheck.js';

const DRAFTS_KEY = 'activecare.desk.drafts';

function newToken() {
  const uuid = crypto.randomUUID ? crypto.randomUUID()
    : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `r-${uuid}`;
}

function loadDrafts() {
  try { return new Map(Object.entries(JSON.parse(sessionStorage.getItem(DRAFTS_KEY) || '{}'))); } catch { return new Map(); }
}

/** 'HH:MM-HH:MM' JST -> is `at` inside? */
export function inServiceHours(spec, at) {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(spec || '09:00-20:00');
  if (!m) return true;
  const [opens, closes] = [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])];
  const minute = ((at.getUTCHours() + 9) % 24) * 60 + at.getUTCMinutes();
  return minute >= opens && minute < closes;
}

export function createComposer(ctx, form) {
  const drafts = loadDrafts();  // inquiry id -> {text, token, used, state: null|'pending'|'prepared', prepared}
  let detail = null;
  let busy = false;
  let templates = null;  // rendered templates of the open inquiry
  let formUrl = '';
  let result = null;  // the last server answer shown: {kind, text, detail, actions}
  let saveTimer = null;
  let wantFocus = false;  // r pressed while the inquiry was still loading

  const tplRow = h('div', { class: 'templates', id: 'templates' });
  // A template's page is added only when the customer needs it: a post with a URL costs $0.20 on X, without $0.015.
  const withLink = h('input', { type: 'checkbox', id: 'tpl-link' });
  const withLinkLabel = h('label', { class: 'tpl-link', for: 'tpl-link',
    title: 'テンプレートに詳しいページのURLを付けます。URL付きの投稿は X の料金が $0.20（なしは $0.015）です。' },
  withLink, 'URLも付ける');
  const textarea = h('textarea', { id: 'reply-text', name: 'text', 'aria-label': '返信', rows: '4', spellcheck: 'false',
    'aria-describedby': 'reply-counter reply-notices' });
  const counter = h('span', { class: 'counter', id: 'reply-counter', 'aria-live': 'polite' });
  const mode = h('span', { class: 'mode', id: 'reply-mode' });
  const notices = h('div', { class: 'notices', id: 'reply-notices', 'aria-live': 'polite' });
  const override = h('input', { type: 'checkbox', id: 'override-hours' });
  const overrideLabel = h('label', { class: 'override', for: 'override-hours', hidden: true }, override, '受付時間外の送信を許可する（スーパーバイザー）');
  const sendBtn = h('button', { type: 'submit', class: 'btn-primary', id: 'send-button' }, '送信 ', h('kbd', {}, 'Ctrl+Enter'));
  const hint = h('span', { class: 'muted', id: 'send-hint' });

  // The notices sit above the text: the composer grows upwards from the bottom of the pane, so a warning that
  // appears while the agent types never moves the text box or the send button.
  fill(form,
    tplRow,
    notices,
    h('div', { class: 'reply-box' }, textarea),
    h('div', { class: 'composer-meta' }, mode, h('span', { class: 'spacer' }), counter),
    h('div', { class: 'composer-actions' }, overrideLabel, h('span', { class: 'spacer' }), hint, sendBtn));
  form.hidden = true;

  form.addEventListener('submit', (e) => { e.preventDefault(); send(); });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
    if (e.key === 'Escape') { e.preventDefault(); textarea.blur(); }
  });
  textarea.addEventListener('input', () => {
    const d = draft();
    if (!d) return;
    d.text = textarea.value;
    if (d.used && !d.state) { d.token = newToken(); d.used = false; }  // a new text is a new reply
    if (result && result.kind !== 'ok') result = null;
    persist();
    refresh();
  });
  override.addEventListener('change', refresh);

  function draft() {
    if (!detail) return null;
    const id = detail.inquiry.inquiry_id;
    if (!drafts.has(id)) drafts.set(id, { text: '', token: newToken(), used: false, state: null, prepared: null });
    return drafts.get(id);
  }

  function persist() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      const keep = {};
      for (const [id, d] of drafts) if (d.text || d.state) keep[id] = d;
      sessionStorage.setItem(DRAFTS_KEY, JSON.stringify(keep));
    }, 250);
  }

  function blocked() {
    if (!detail) return 'none';
    const inq = detail.inquiry;
    if (inq.status === 'resolved') return 'resolved';
    if (inq.claimed_by && inq.claimed_by !== ctx.me.username) return 'held';
    return null;
  }

  function open() { return inServiceHours(ctx.config.service_hours, serverNow()); }

  /** Redraw everything but the text itself (which belongs to the agent). */
  function refresh() {
    if (!detail) { form.hidden = true; return; }
    form.hidden = false;
    const d = draft();
    const inq = detail.inquiry;
    const why = blocked();
    textarea.disabled = why === 'held' || why === 'resolved';
    textarea.readOnly = Boolean(d.state);
    for (const b of tplRow.querySelectorAll('button, select')) b.disabled = textarea.disabled || Boolean(d.state);
    textarea.placeholder = why === 'held' ? `${inq.claimed_by} さんが対応中のため返信できません`
      : why === 'resolved' ? '解決済みです。返信するには再開してください。'
        : `@${inq.author_username} さんへの返信（テンプレートを選ぶか入力。r で移動、Ctrl+Enter で送信）`;
    const text = textarea.value;
    const length = weightedLength(text);
    setText(counter, `${length} / ${MAX_WEIGHTED}`);
    counter.className = `counter${length > MAX_WEIGHTED ? ' over' : length > MAX_WEIGHTED - 20 ? ' near' : ''}`;
    counter.title = '日本語は1文字2、URLは23として数えます（X の数え方）';
    const manual = detail.reply.mode === 'manual';
    fill(mode, h('span', { class: `tag${manual ? ' manual' : ''}` }, manual ? '手動送信' : 'API'),
      manual ? `@${detail.reply.account} から X で手動送信（リンクを作成 → 送信 → 確認）` : `@${detail.reply.account} から返信`);
    setText(sendBtn.firstChild, manual ? '送信リンクを作成 ' : '送信 ');

    const hits = findPersonalData(text);
    textarea.classList.toggle('has-pii', hits.length > 0);
    const isOpen = open();
    const sup = ctx.isSupervisor;
    overrideLabel.hidden = isOpen || !sup || Boolean(why);
    const list = [];
    if (d.state === 'prepared') list.push(intentNotice(d));
    if (d.state === 'pending') list.push(pendingNotice());
    if (result) list.push(notice(result.kind, result.text, result.detail, result.actions, result.id));
    const waiting = detail.held_replies || [];
    if (waiting.length && result?.id !== 'reply-held') {
      list.push(notice('info', `承認待ちの返信が ${waiting.length} 件あります（${waiting.map((x) => x.agent).join('・')}）。`,
        waiting.map((x) => x.text).join(' / '), [], 'held-replies'));
    }
    if (hits.length && !d.state && result?.code !== 'personal_data') {
      list.push(notice('warn', '個人情報が含まれている可能性があります。X には投稿できません（サーバーが拒否します）。',
        null, [], 'pii-warning', hits.map((x) => h('span', {}, `${piiList([x.kind])}「`, h('span', { class: 'pii-hit' }, x.text), '」 '))));
    }
    if (length > MAX_WEIGHTED && !d.state) {
      list.push(notice('error', `${length - MAX_WEIGHTED} 超過しています（${length} / ${MAX_WEIGHTED}）。` +
        '日本語は1文字2、URLは23として数えます。短くしてください。', null, [], 'length-notice'));
    }
    if (!isOpen && !why) {
      list.push(notice('warn', `受付時間外です（受付 ${ctx.config.service_hours || '09:00-20:00'}）。` +
        (sup ? '送信するには「受付時間外の送信を許可する」にチェックしてください。' : '返信は受付時間内に送信できます（スーパーバイザーは許可できます）。'),
      null, [], 'hours-notice'));
    }
    fill(notices, list);
    const canSend = !why && !busy && !d.state && text.trim().length > 0 && length <= MAX_WEIGHTED &&
      (isOpen || (sup && override.checked));
    sendBtn.disabled = !canSend;
    setText(hint, busy ? '送信中…' : '');
  }

  function notice(kind, text, detailText, actions = [], id = null, extra = null) {
    const icon = { warn: '⚠', error: '✕', ok: '✓', info: 'ℹ' }[kind] || '';
    return h('div', { class: `notice notice-${kind}`, id: id || undefined, role: kind === 'error' ? 'alert' : undefined },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, icon),
      h('div', { class: 'body' }, text, extra && h('div', {}, extra),
        detailText && h('span', { class: 'detail' }, detailText),
        actions.length > 0 && h('div', { class: 'actions' }, actions)));
  }

  function intentNotice(d) {
    const p = d.prepared;
    return h('div', { class: 'notice notice-info', id: 'intent-step' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, 'ℹ'),
      h('div', { class: 'body' },
        h('strong', {}, '手動送信の準備ができました。'),
        ' このツイートはキーワード検索で見つけたもので、X の規約上 API では返信できません。',
        h('div', { class: 'intent-steps' },
          h('span', { class: 'step' }, '1'),
          h('span', {}, h('a', { href: p.intent_url, target: '_blank', rel: 'noopener noreferrer', class: 'intent-link', id: 'intent-link' },
            `X で開いて送信する ↗`), `（@${p.account} でログインしたブラウザで「ポストする」）`),
          h('span', { class: 'step' }, '2'),
          h('span', {}, '送信したら ',
            h('button', { type: 'button', class: 'btn-primary', id: 'confirm-button', disabled: busy, onclick: confirm }, '送信を確認'),
            ' ',
            h('button', { type: 'button', class: 'btn-ghost', id: 'cancel-intent', onclick: cancelPrepared }, '取り消して編集に戻る')))));
  }

  function pendingNotice() {
    return notice('error', errorMessage({ code: 'x_unavailable', body: {} }), null, [
      h('button', { type: 'button', class: 'btn-primary', id: 'retry-button', disabled: busy, onclick: () => send(true) }, '同じ内容で再送'),
      h('button', { type: 'button', class: 'btn-ghost', onclick: discardPending }, '破棄して編集（X に届いている可能性があります）'),
    ], 'x-unavailable');
  }

  function cancelPrepared() {
    const d = draft();
    d.state = null; d.prepared = null; d.token = newToken(); d.used = false;
    result = null;
    persist();
    refresh();
    textarea.focus();
  }

  function discardPending() {
    const d = draft();
    d.state = null; d.token = newToken(); d.used = false;
    result = null;
    persist();
    refresh();
  }

  function posted(data) {
    const id = detail.inquiry.inquiry_id;
    drafts.delete(id);
    persist();
    textarea.value = '';
    result = { kind: 'ok', id: 'reply-result', text: data.replayed ? '返信は投稿済みでした（二重には投稿していません）。'
      : `返信しました（@${data.account}${data.mode === 'manual' ? '・手動送信を確認' : ''}）。解決にするには e を押してください。` };
    ctx.toast(data.mode === 'manual' ? '手動送信を確認しました' : '返信しました');
    ctx.changed();
  }

  async function send(retry = false) {
    const d = draft();
    if (!d || busy || blocked()) return;
    if (d.state === 'prepared') return;
    if (d.state === 'pending' && !retry) return;
    const text = textarea.value.trim();
    if (!text) return;
    if (!open() && !(ctx.isSupervisor && override.checked)) { refresh(); return; }
    const id = detail.inquiry.inquiry_id;
    busy = true;
    d.used = true;
    refresh();
    try {
      const body = { text, client_token: d.token };
      if (!open() && override.checked) body.override_hours = true;
      const { status, data } = await post(`/inquiries/${id}/reply`, body);
      if (data.status === 'held' || data.status === 'rejected') {  // a trainee's reply: a supervisor decides
        drafts.delete(id);
        textarea.value = '';
        result = data.status === 'held'
          ? { kind: 'info', id: 'reply-held', text: 'スーパーバイザーの承認待ちです。承認されると投稿されます（却下の場合は理由が表示されます）。' }
          : { kind: 'error', id: 'reply-held', text: `却下されました（${data.reviewed_by}）: ${data.review_note || ''}` };
        ctx.toast(data.status === 'held' ? '承認待ちにしました' : '却下された返信です');
        ctx.changed();
      } else if (status === 202) {
        d.state = 'prepared';
        d.prepared = data;
        result = null;
        ctx.changed();
      } else {
        busy = false;
        posted(data);
      }
    } catch (err) {
      result = { kind: 'error', id: 'reply-error', code: err.code, text: errorMessage(err), detail: err.message, actions: [] };
      if (err.code === 'x_unavailable') { d.state = 'pending'; result = null; }
      if (err.code === 'personal_data' && err.body.offer) {
        const offer = err.body.offer;
        result.actions = [h('button', { type: 'button', class: 'btn', id: 'use-offer', onclick: () => replaceText(offer.text) },
          `「${offer.title}」に差し替える`)];
      }
      if (['token_reused', 'duplicate_content', 'x_rejected'].includes(err.code)) { d.token = newToken(); d.used = false; }
      ctx.changed();  // a refusal is recorded on the inquiry, and the try claimed it (or someone else holds it)
    } finally {
      busy = false;
      persist();
      refresh();
    }
  }

  async function confirm() {
    const d = draft();
    if (!d || d.state !== 'prepared' || busy) return;
    busy = true;
    refresh();
    try {
      const { data } = await post(`/inquiries/${detail.inquiry.inquiry_id}/confirm`, { client_token: d.prepared.client_token });
      busy = false;
      posted(data);
    } catch (err) {
      result = { kind: err.code === 'not_posted_yet' ? 'warn' : 'error', id: 'confirm-error', text: errorMessage(err), detail: err.message };
    } finally {
      busy = false;
      refresh();
    }
  }

  function replaceText(text) {
    const d = draft();
    if (!d || d.state) return;
    textarea.value = text;
    textarea.dispatchEvent(new Event('input'));
    textarea.focus();
  }

  function insert(text) {
    const d = draft();
    if (!d || d.state || textarea.disabled) return;
    if (!textarea.value.trim()) {
      textarea.value = text;
    } else {
      const { selectionStart: s, selectionEnd: e, value } = textarea;
      textarea.value = value.slice(0, s) + text + value.slice(e);
      textarea.selectionStart = textarea.selectionEnd = s + text.length;
    }
    textarea.dispatchEvent(new Event('input'));
    textarea.focus();
  }

  async function loadTemplates(id) {
    templates = null;
    fill(tplRow, h('span', { class: 'label' }, 'テンプレート'), h('span', { class: 'muted' }, '読み込み中…'));
    try {
      const data = await get(`/inquiries/${encodeURIComponent(id)}/templates`);
      if (!detail || detail.inquiry.inquiry_id !== id) return;
      templates = data.templates;
      formUrl = data.form_url || '';
      renderTemplates();
    } catch (err) {
      fill(tplRow, h('span', { class: 'label' }, 'テンプレート'), h('span', { class: 'muted' }, errorMessage(err)));
    }
  }

  function renderTemplates() {
    const suggested = new Set((detail.suggested_templates || []).map((t) => t.key));
    const byKey = new Map(templates.map((t) => [t.key, t]));
    const chips = (detail.suggested_templates || []).map((s) => byKey.get(s.key)).filter(Boolean).slice(0, 3);
    const rest = templates.filter((t) => !chips.includes(t));
    const text = (t) => (withLink.checked && t.link ? `${t.rendered} ${t.link}` : t.rendered);
    const chip = (t) => h('button', { type: 'button', class: 'tpl', dataset: { key: t.key },
      title: `${t.rendered}${t.link ? `\n＋ ${t.link}（URLも付けるとき）` : ''}\n（${t.weighted_length} / ${MAX_WEIGHTED}）`,
      onclick: () => insert(text(t)) }, t.title);
    const more = h('select', { class: 'tpl-more', 'aria-label': 'その他のテンプレート', onchange: (e) => {
      const t = byKey.get(e.target.value);
      e.target.value = '';
      if (t) insert(text(t));
    } }, h('option', { value: '' }, 'その他…'), rest.map((t) => h('option', { value: t.key },
      `${t.title}${suggested.has(t.key) ? '' : ''}`)));
    fill(tplRow, h('span', { class: 'label' }, 'テンプレート'), chips.map(chip), rest.length > 0 && more,
      templates.some((t) => t.link) && withLinkLabel);
  }

  return {
    /** The open inquiry changed (another id) or was re-read (same id: keep the text). */
    show(d) {
      const sameId = detail && d && detail.inquiry.inquiry_id === d.inquiry.inquiry_id;
      detail = d;
      if (!d) { form.hidden = true; return; }
      if (!sameId) {
        result = null;
        override.checked = false;
        textarea.value = draft().text || '';
        loadTemplates(d.inquiry.inquiry_id);
      }
      refresh();
      if (wantFocus) { wantFocus = false; if (!textarea.disabled) textarea.focus(); }
    },
    refresh,
    focus() {
      if (!detail) { wantFocus = true; return; }
      if (!textarea.disabled) textarea.focus();
    },
    send,
    hasDraft() { const d = draft(); return Boolean(d && (d.text.trim() || d.state)); },
    lastReplyUsedForm() {
      return (detail?.conversation || []).some((m) => m.direction === 'out' && formUrl && m.text.includes(formUrl));
    },
  };
}
