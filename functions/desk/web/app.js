// activecare web desk - the agents' console: queue | inquiry + composer | customer.
//
// Plain ES2020 modules, no framework and no build step, on purpose:
//  - nothing to build: the desk Lambda serves these files as they are in the repository;
//  - no supply chain: no npm tree to audit or to break (the one vendored file, twitter-text, is X's own counter);
//  - no network: no CDN, font or script from outside (the desk may sit behind a corporate proxy, or offline);
//  - ~500 inquiries a day and a queue of tens need no virtual DOM: the queue updates its rows in place, keyed
//    by inquiry id, and everything a customer wrote is put on the page with textContent only (dom.js).
//
// Files: auth.js (sign-in, PKCE), api.js (the API, errors), queue.js, inquiry.js, composer.js, figures.js, campaign.js,
// textcheck.js (weighted length, personal data), labels.js (Japanese), dom.js.

import * as auth from './auth.js';
import { ApiError, get, loadConfig, post, serverNow } from './api.js';
import { errorMessage, roleLabel } from './labels.js';
import { $, fill, h, jstTime } from './dom.js';
import { createQueue } from './queue.js';
import { createInquiry } from './inquiry.js';
import { createComposer, inServiceHours } from './composer.js';
import { createFigures } from './figures.js';
import { createCampaign } from './campaign.js';
import { createMailCase } from './mailcase.js';
import { createQa } from './qa.js';
import { mountIncidents } from './incidents.js';

const POLL_MS = 5000;

function toast(message, kind = '') {
  const el = h('div', { class: `toast ${kind}` }, message);
  $('#toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 6000 : 3500);
}

function bootMessage(text, button) {
  document.body.classList.add('booting');
  $('#desk-view').hidden = true;
  $('#figures-view').hidden = true;
  $('#campaign-view').hidden = true;
  $('#boot').hidden = false;
  fill($('#boot'), h('div', {}, h('p', { id: 'boot-message' }, text), button));
}

async function main() {
  let config;
  try {
    config = await loadConfig();
  } catch (err) {
    bootMessage(`設定を読み込めませんでした（${err.message}）。`, h('button', { class: 'btn-primary', onclick: () => location.reload() }, '再読み込み'));
    return;
  }
  let state;
  try {
    state = await auth.init(config);
  } catch (err) {
    bootMessage(err.message, h('button', { class: 'btn-primary', id: 'sign-in-again', onclick: () => auth.signIn('') }, 'サインイン'));
    return;
  }
  if (state === 'signed_out') {
    bootMessage('サインアウトしました。', h('button', { class: 'btn-primary', id: 'sign-in-again', onclick: () => auth.signIn('') }, 'サインイン'));
    return;
  }
  let me;
  try {
    me = await get('/me');
  } catch (err) {
    bootMessage(`ユーザー情報を取得できませんでした: ${errorMessage(err)}`, h('button', { class: 'btn-primary', onclick: () => location.reload() }, '再読み込み'));
    return;
  }
  start(config, me);
}

function start(config, me) {
  const roles = me.roles || [];
  const ctx = {
    config, me, isSupervisor: roles.includes('supervisors') || roles.includes('admins'),
    messageFor: errorMessage, toast,
    reportError(err, what) {
      if (err instanceof ApiError && err.code === 'signed_out') return;
      toast(`${what}: ${errorMessage(err)}`, 'error');
    },
  };

  // header
  fill($('#user .user-name'), me.username);
  const role = $('#user .user-role');
  role.textContent = roleLabel(roles);
  role.classList.toggle('supervisor', ctx.isSupervisor);
  $('#signout').addEventListener('click', () => auth.signOut());
  $('#shortcuts-button').addEventListener('click', () => $('#shortcuts-dialog').showModal());
  const hoursEl = $('#hours-status');
  function tickHeader() {
    const now = serverNow();
    const open = inServiceHours(config.service_hours, now);
    hoursEl.classList.toggle('closed', !open);
    fill(hoursEl, h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', {}, open ? '受付時間内' : '受付時間外'), h('span', { class: 'muted' }, config.service_hours || '09:00-20:00'),
      h('span', { class: 'clock' }, `${jstTime(now.toISOString())} JST`));
  }

  const queue = createQueue(ctx, $('#queue-pane'));
  const composer = createComposer(ctx, $('#composer'));
  const inquiry = createInquiry(ctx, { toolbar: $('#inquiry-toolbar'), body: $('#inquiry-body'), side: $('#customer-pane') });
  const figures = createFigures(ctx, $('#figures-view'));
  const campaign = createCampaign(ctx, $('#campaign-view'));
  const mailcase = createMailCase(ctx, $('#mail-case'));  // the e-mail form's case (issue #19)
  const qa = createQa(ctx);  // the QA pages (qa.js): approvals, reviews, feedback
  mountIncidents(ctx);  // crisis mode: the outage banner and the incident view
  let lastRenew = 0;

  ctx.onDetail = (d) => {
    composer.show(d);
    mailcase.show(d);
    if (!d) return;
    queue.select(d.inquiry.inquiry_id);
    const inq = d.inquiry;
    const left = inq.claim_expires_at ? Date.parse(inq.claim_expires_at) - serverNow().getTime() : 0;
    if (inq.claimed_by === me.username && left < 4 * 60_000 && composer.hasDraft() && Date.now() - lastRenew > 60_000) {
      lastRenew = Date.now();  // keep holding what the agent is writing an answer to
      post(`/inquiries/${inq.inquiry_id}/claim`).catch(() => {});
    }
  };
  ctx.open = (id) => {
    history.replaceState(null, '', `#/inquiry/${id}`);
    queue.select(id);
    inquiry.load(id);
  };
  ctx.changed = () => {
    queue.refresh();
    if (inquiry.id) inquiry.load(inquiry.id, { quiet: true });
  };
  async function act(what, fn) {
    try {
      const out = await fn();
      ctx.changed();
      return out;
    } catch (err) {
      ctx.reportError(err, what);
      ctx.changed();
      return null;
    }
  }
  ctx.claim = () => inquiry.id && act('担当できませんでした', async () => {
    await post(`/inquiries/${inquiry.id}/claim`);
    toast('担当しました');
  });
  ctx.release = () => inquiry.id && act('解放できませんでした', async () => {
    await post(`/inquiries/${inquiry.id}/release`);
    toast('担当を解放しました');
  });
  ctx.claimNext = () => act('次のお問い合わせを取れませんでした', async () => {
    const body = {};
    if (queue.filters.topic) body.topic = queue.filters.topic;
    if (queue.filters.account) body.account = queue.filters.account;
    try {
      const { data } = await post('/queue/next', body);
      ctx.open(data.inquiry_id);
      toast(`@${data.inquiry.author_username} のお問い合わせを担当しました`);
    } catch (err) {
      if (err.code === 'queue_empty') { toast(errorMessage(err)); return; }
      throw err;
    }
  });

  // dialogs
  const resolveDialog = $('#resolve-dialog');
  const reopenDialog = $('#reopen-dialog');
  const reassignDialog = $('#reassign-dialog');
  for (const dlg of [resolveDialog, reopenDialog, reassignDialog]) {
    for (const b of dlg.querySelectorAll('[data-close]')) b.addEventListener('click', () => dlg.close('cancel'));
  }
  ctx.askResolve = () => {
    const d = inquiry.detail;
    if (!d || d.inquiry.status === 'resolved') return;
    if (d.inquiry.claimed_by && d.inquiry.claimed_by !== me.username) { toast(errorMessage({ code: 'claimed', body: d.inquiry })); return; }
    const guess = d.inquiry.replies === 0 ? 'no_reply_needed'
      : composer.lastReplyUsedForm() ? 'email_form' : 'answered';
    for (const r of resolveDialog.querySelectorAll('input[name="outcome"]')) r.checked = r.value === guess;
    resolveDialog.returnValue = '';
    resolveDialog.showModal();
    resolveDialog.querySelector('input[name="outcome"]:checked').focus();
  };
  resolveDialog.addEventListener('keydown', (e) => {
    const pick = { 1: 'answered', 2: 'email_form', 3: 'no_reply_needed' }[e.key];
    if (e.key === 'Enter' && e.target.matches('input[type="radio"]')) {
      e.preventDefault();
      resolveDialog.close('ok');
      return;
    }
    if (pick) {
      const r = resolveDialog.querySelector(`input[value="${pick}"]`);
      r.checked = true;
      r.focus();
      e.preventDefault();
    }
  });
  resolveDialog.addEventListener('close', () => {
    if (resolveDialog.returnValue !== 'ok' || !inquiry.id) return;
    const outcome = resolveDialog.querySelector('input[name="outcome"]:checked')?.value || 'answered';
    act('解決にできませんでした', async () => {
      await post(`/inquiries/${inquiry.id}/resolve`, { outcome });
      toast('解決にしました');
    });
  });
  ctx.askReopen = () => {
    if (!inquiry.id) return;
    $('#reopen-reason').value = '';
    reopenDialog.returnValue = '';
    reopenDialog.showModal();
  };
  reopenDialog.addEventListener('close', () => {
    if (reopenDialog.returnValue !== 'ok' || !inquiry.id) return;
    const reason = $('#reopen-reason').value.trim();
    act('再開できませんでした', async () => {
      await post(`/inquiries/${inquiry.id}/reopen`, { reason });
      toast('再開しました（未対応に戻しました）');
    });
  });
  ctx.askReassign = async () => {
    const d = inquiry.detail;
    if (!d || !ctx.isSupervisor) return;
    const names = new Set([me.username, ...queue.holders()]);
    try { Object.keys((await get('/figures')).agents || {}).forEach((n) => names.add(n)); } catch { /* the list is a convenience */ }
    fill($('#staff-names'), [...names].sort().map((n) => h('option', { value: n })));
    $('#reassign-current').textContent = d.inquiry.claimed_by ? `現在の担当: ${d.inquiry.claimed_by}` : '現在の担当: なし';
    $('#reassign-to').value = '';
    reassignDialog.returnValue = '';
    reassignDialog.showModal();
  };
  reassignDialog.addEventListener('close', () => {
    if (reassignDialog.returnValue !== 'ok' || !inquiry.id) return;
    const to = $('#reassign-to').value.trim();
    act('担当を変更できませんでした', async () => {
      await post(`/inquiries/${inquiry.id}/reassign`, { to });
      toast(`担当を ${to} さんに変更しました`);
    });
  });

  // routes: #/ (desk), #/inquiry/<id> (desk, one open), #/figures, #/campaign/<id> (campaign.js)
  function route() {
    const hash = location.hash || '#/';
    const qaOn = qa.route(hash);
    const figuresOn = !qaOn && hash.startsWith('#/figures');
    const campaignOn = !qaOn && hash.startsWith('#/campaign');
    $('#desk-view').hidden = figuresOn || campaignOn || Boolean(qaOn);
    $('#figures-view').hidden = !figuresOn;
    $('#campaign-view').hidden = !campaignOn;
    const current = qaOn || (figuresOn ? 'figures' : campaignOn ? 'campaign' : 'desk');
    for (const a of document.querySelectorAll('.tabs a')) {
      if (a.dataset.route === current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    if (qaOn) return;
    if (figuresOn) { figures.load(); return; }
    if (campaignOn) { campaign.load((/^#\/campaign\/([A-Za-z0-9_-]{1,64})$/.exec(hash) || [])[1]); return; }
    const m = /^#\/inquiry\/(\d{1,19})$/.exec(hash);
    if (m && m[1] !== inquiry.id) inquiry.load(m[1]);
    if (!m && inquiry.id) inquiry.clear();
  }
  window.addEventListener('hashchange', route);

  // keyboard: frequent actions, never while typing (except Ctrl+Enter / Esc in the composer, composer.js)
  let gPending = false;
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector('dialog[open]')) return;
    if (e.target.closest && e.target.closest('input, textarea, select, [contenteditable="true"]')) return;
    const onDesk = !$('#desk-view').hidden;
    const key = e.key;
    if (gPending) {
      gPending = false;
      if (key === 'f') { location.hash = '#/figures'; e.preventDefault(); return; }
      if (key === 'd') { location.hash = inquiry.id ? `#/inquiry/${inquiry.id}` : '#/'; e.preventDefault(); return; }
    }
    const actions = {
      j: () => { const id = queue.neighbour(1); if (id) ctx.open(id); },
      k: () => { const id = queue.neighbour(-1); if (id) ctx.open(id); },
      n: () => ctx.claimNext(),
      c: () => ctx.claim(),
      u: () => ctx.release(),
      r: () => composer.focus(),
      e: () => ctx.askResolve(),
    };
    if (key === '?') { $('#shortcuts-dialog').showModal(); e.preventDefault(); return; }
    if (key === 'g') { gPending = true; setTimeout(() => { gPending = false; }, 1500); return; }
    if (onDesk && actions[key]) { e.preventDefault(); actions[key](); }
  });

  // polling: the queue and the open inquiry every 5 s while the desk is visible
  let polling = false;
  async function poll() {
    if (polling || document.hidden || $('#desk-view').hidden) return;
    polling = true;
    try {
      await Promise.all([queue.refresh(), inquiry.id ? inquiry.load(inquiry.id, { quiet: true }) : null]);
    } finally {
      polling = false;
    }
  }
  setInterval(poll, POLL_MS);
  setInterval(() => { tickHeader(); composer.refresh(); }, 15_000);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });

  document.body.classList.remove('booting');
  $('#boot').hidden = true;
  tickHeader();
  route();
  queue.refresh();
}

main();
