// The supervisors' and trainees' QA pages (issue 17), kept out of the desk's own modules: this file adds their
// tabs to the top bar and routes #/approvals (trainees' replies waiting for approval), #/reviews (supervisors:
// the sampled replies to score) and #/feedback (everyone: the reviews of their replies) to their pages. app.js asks
// route(hash) first; a QA page hides the desk and the figures.

import { EVENT_JA, ROLE_JA } from './labels.js';
import { $, h, setText } from './dom.js';
import { createApprovals } from './approvals.js';
import { createFeedback } from './feedback.js';
import { createReviews } from './reviews.js';

Object.assign(EVENT_JA, { held: '承認待ちで保留', approved: '承認して投稿', rejected: '却下' });
Object.assign(ROLE_JA, { trainees: '研修中' });

const BADGE_MS = 15_000;

export function createQa(ctx) {
  const tabs = $('.tabs');
  const pages = [];
  const isTrainee = (ctx.me.roles || []).includes('trainees') && !ctx.isSupervisor;

  function showCount(badge, n) {
    badge.hidden = !n;
    setText(badge, String(n));
  }

  /** A page: its tab (with a count badge) and its view; `page(view, onCount)` builds it. */
  function addPage(route, label, page) {
    const view = h('main', { id: `${route}-view`, class: 'figures-view qa-view', hidden: true });
    document.body.insertBefore(view, $('#toasts'));
    const badge = h('span', { class: 'qa-badge', id: `${route}-badge`, hidden: true });
    tabs.append(h('a', { href: `#/${route}`, dataset: { route } }, label, badge));
    pages.push({ route, view, page: page(view, (n) => showCount(badge, n)), badge });
  }

  if (ctx.isSupervisor) {
    addPage('approvals', '承認待ち', (view, onCount) => createApprovals(ctx, view, onCount));
    addPage('reviews', 'レビュー', (view, onCount) => createReviews(ctx, view, onCount));
  }
  addPage('feedback', 'フィードバック', (view, onCount) => createFeedback(ctx, view, onCount));
  if (isTrainee) {
    const role = $('#user .user-role');
    setText(role, `${role.textContent}・研修中`);
  }

  async function badges() {
    if (document.hidden) return;
    for (const p of pages) {
      if (!p.page.count) continue;
      try {
        showCount(p.badge, await p.page.count());
      } catch { /* a badge is a convenience */ }
    }
  }
  setInterval(badges, BADGE_MS);
  badges();

  return {
    /** The QA route name if `hash` is one of its pages (shown), '' otherwise (all hidden). */
    route(hash) {
      let on = '';
      for (const p of pages) {
        const mine = hash === `#/${p.route}` || hash.startsWith(`#/${p.route}/`);
        p.view.hidden = !mine;
        if (mine) { on = p.route; p.page.load(); }
      }
      return on;
    },
    badges,
  };
}
