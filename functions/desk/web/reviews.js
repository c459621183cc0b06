// Supervisors: the day's sampled replies (the skill standards' sampling) to review. A review shows the whole
// conversation and the customer's earlier inquiries, then every criterion with its description and scale, and a
// comment. Saving names the version it revises: if someone saved in between, the server refuses (409) and the
// page reloads the review instead of overwriting it.

import { get, post, serverNow } from './api.js';
import { errorMessage, topicLabel } from './labels.js';
import { fill, h, jstDateTime, jstDay } from './dom.js';
import { qaFiguresSection, weeklySection } from './qafigures.js';

export function createReviews(ctx, root, onCount = () => {}) {
  let day = null;
  let standards = null;
  let openTweet = null;

  function scoreText(review) {
    if (!review) return '';
    return standards.criteria.map((c) => `${c.name} ${review.scores[c.key] ?? '-'}`).join('・');
  }

  function row(item) {
    const r = item.review;
    return h('article', { class: `approval review-item${r ? ' reviewed' : ''}`, dataset: { tweet: item.tweet_id } },
      h('header', {}, h('strong', {}, `${item.agent} さん`), item.trainee ? h('span', { class: 'qa-chip' }, '研修中') : null, ' ',
        h('span', { class: 'muted' }, `${jstDateTime(item.posted_at)}・${topicLabel(item.topic)}`), ' ',
        h('span', { class: `qa-chip ${r ? 'done' : 'todo'}` }, r ? `レビュー済み v${r.version}` : '未レビュー')),
      h('p', { class: 'reply-text' }, item.text),
      r ? h('p', { class: 'muted' }, scoreText(r), r.comment ? `　「${r.comment}」` : '') : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: r ? 'btn' : 'btn-primary', onclick: () => openReview(item) }, r ? '修正する' : 'レビューする')),
      h('div', { class: 'review-form-slot' }));
  }

  async function openReview(item) {
    openTweet = item.tweet_id;
    const slot = root.querySelector(`.review-item[data-tweet="${item.tweet_id}"] .review-form-slot`);
    fill(slot, h('p', { class: 'muted' }, '読み込み中…'));
    let detail;
    try {
      detail = await get(`/inquiries/${item.inquiry_id}`);
    } catch (err) {
      fill(slot, h('p', { class: 'approval-result' }, errorMessage(err)));
      return;
    }
    const r = item.review;
    const earlier = detail.history.earlier_inquiries || [];
    const form = h('form', { class: 'review-form', id: 'review-form' });
    form.addEventListener('submit', (e) => { e.preventDefault(); save(item, form); });
    fill(form,
      h('h3', {}, '会話'),
      h('ol', { class: 'review-conversation' }, detail.conversation.map((m) => h('li', { class: m.direction === 'out' ? 'out' : 'in' },
        h('span', { class: 'muted' }, `${m.direction === 'out' ? `返信 ${m.agent || ''}` : 'お客様'}・${jstDateTime(m.created_at)} `),
        m.text, m.tweet_id === item.tweet_id ? h('strong', {}, '　← レビュー対象') : null))),
      h('h3', {}, `このお客様の過去のお問い合わせ（${earlier.length}件）`),
      earlier.length ? h('ul', { class: 'review-history' }, earlier.map((p) => h('li', {},
        `${jstDateTime(p.created_at)} ${topicLabel(p.topic)}: ${p.text}`,
        (p.our_replies || []).map((o) => h('div', { class: 'muted' }, `返信（${o.agent}）: ${o.text}`)))))
        : h('p', { class: 'muted' }, 'なし'),
      h('h3', {}, 'スキル基準'),
      standards.criteria.map((c) => h('fieldset', { class: 'criterion', dataset: { key: c.key } },
        h('legend', {}, c.name), h('div', { class: 'muted' }, c.description),
        h('div', { class: 'scale' }, Array.from({ length: c.high - c.low + 1 }, (_, i) => c.low + i).map((v) => h('label', {},
          h('input', { type: 'radio', name: `score-${c.key}`, value: String(v), checked: r ? r.scores[c.key] === v : false }), ` ${v}`))))),
      h('label', { class: 'comment' }, 'コメント（担当者に表示されます）',
        h('textarea', { rows: 3, name: 'comment', maxlength: 1000, value: r ? r.comment : '' })),
      r && r.history.length ? h('details', {}, h('summary', {}, `以前の版（${r.history.length}）`),
        r.history.map((v) => h('p', { class: 'muted' }, `v${v.version} ${v.reviewer} ${jstDateTime(v.at)}: `,
          standards.criteria.map((c) => `${c.name} ${v.scores[c.key] ?? '-'}`).join('・'), v.comment ? ` 「${v.comment}」` : ''))) : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn-primary', id: 'save-review' }, r ? `修正を保存（v${r.version + 1}）` : '保存')),
      h('div', { class: 'approval-result', role: 'alert' }),
      caseRow(item));
    fill(slot, form);
  }

  /** 事例集: mark the conversation as a good or a bad example for training (masked on the server). */
  function caseRow(item) {
    const kind = h('select', { class: 'case-kind', 'aria-label': '事例の種類' },
      h('option', { value: 'good' }, '良い例'), h('option', { value: 'bad' }, '悪い例'));
    const note = h('input', { type: 'text', class: 'case-note reject-reason', maxlength: 1000, placeholder: '研修で伝えたいこと', 'aria-label': '事例のメモ' });
    const out = h('span', { class: 'muted case-result' });
    const add = async () => {
      if (!note.value.trim()) { fill(out, 'メモを入力してください。'); return; }
      try {
        await post(`/qa/cases/${item.inquiry_id}`, { kind: kind.value, note: note.value.trim() });
        fill(out, '事例集に追加しました（個人情報・ユーザー名はマスクされます）。');
      } catch (err) { fill(out, errorMessage(err)); }
    };
    return h('div', { class: 'actions case-row' }, h('strong', {}, '事例集'), kind, note,
      h('button', { type: 'button', class: 'btn add-case', onclick: add }, '事例に追加'), out);
  }

  async function save(item, form) {
    const out = form.querySelector('.approval-result');
    const scores = {};
    const missing = [];
    for (const c of standards.criteria) {
      const picked = form.querySelector(`input[name="score-${c.key}"]:checked`);
      if (picked) scores[c.key] = Number(picked.value); else missing.push(c.name);
    }
    if (missing.length) { fill(out, `未採点: ${missing.join('・')}`); return; }
    const body = { scores, comment: form.querySelector('textarea[name="comment"]').value.trim(), version: item.review ? item.review.version : 0 };
    try {
      await post(`/qa/reviews/${item.tweet_id}`, body);
      ctx.toast(`${item.agent} さんの返信をレビューしました`);
      openTweet = null;
      await load();
    } catch (err) {
      if (err.code === 'review_changed') {
        ctx.toast('他のスーパーバイザーが先に保存しました。最新の内容を読み込みます。', 'error');
        await load();
        return;
      }
      fill(out, errorMessage(err), err.body && err.body.problems ? ` ${err.body.problems.join(' / ')}` : '');
    }
  }

  async function load() {
    day = day || jstDay(serverNow());
    try {
      standards = standards || await get('/qa/standards');
      const data = await get('/qa/reviews', { day });
      const dayInput = h('input', { type: 'date', id: 'review-day', value: day, onchange: (e) => { day = e.target.value; load(); } });
      fill(root, h('h1', {}, 'レビュー'),
        h('p', { class: 'muted', id: 'review-counts' }, dayInput,
          `　返信 ${data.replies}件・抽出 ${data.sampled}件・レビュー済み ${data.reviewed}件（抽出率 ${Math.round(standards.share * 100)}%、研修中は${standards.trainee_share >= 1 ? '全件' : `${Math.round(standards.trainee_share * 100)}%`}）`),
        data.items.length ? h('div', { id: 'reviews-list' }, data.items.map(row))
          : h('p', { id: 'reviews-empty', class: 'muted' }, 'この日のレビュー対象はありません。'),
        await qaFiguresSection(day).catch(() => null),
        await weeklySection(day).catch(() => null));
      onCount(data.sampled - data.reviewed);
      const again = data.items.find((i) => i.tweet_id === openTweet);
      if (again) openReview(again);
      return data.sampled - data.reviewed;
    } catch (err) {
      ctx.reportError(err, 'レビュー対象を読み込めませんでした');
      return 0;
    }
  }

  async function count() {
    const data = await get('/qa/reviews', { day: jstDay(serverNow()) });
    return data.sampled - data.reviewed;
  }

  return { load, count };
}
