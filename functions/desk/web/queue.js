// The queue (left pane): filters, the list in priority or age order, who holds what. It polls; each poll
// updates the rows in place (keyed by inquiry id), so nothing flickers and the selection and scroll stay.

import { get } from './api.js';
import { ACCOUNT_JA, STATUS_JA, TOPIC_JA, topicLabel } from './labels.js';
import { ageText, fill, h, setText } from './dom.js';
import { slaChip } from './sla.js';

const FILTERS_KEY = 'activecare.desk.filters';
const AGES = [['', 'すべての経過時間'], ['5', '5分以上'], ['15', '15分以上'], ['30', '30分以上'], ['60', '60分以上']];

export function createQueue(ctx, root) {
  const saved = (() => { try { return JSON.parse(localStorage.getItem(FILTERS_KEY) || '{}'); } catch { return {}; } })();
  const filters = { status: 'new', order: 'priority', topic: '', account: '', min_age_minutes: '', ...saved };
  const rows = new Map();  // inquiry id -> {el, item, parts}
  let items = [];
  let selected = null;
  let loaded = false;
  let loading = null;

  const count = h('span', { class: 'count num', id: 'queue-count' });
  const nextBtn = h('button', { type: 'button', class: 'btn', id: 'next-button', title: '最も優先度の高い未対応を担当する (n)',
    onclick: () => ctx.claimNext() }, '次へ ', h('kbd', {}, 'n'));
  const statusSeg = h('div', { class: 'segmented', role: 'group', 'aria-label': '状態' },
    Object.entries(STATUS_JA).map(([value, label]) => h('button', {
      type: 'button', dataset: { value }, 'aria-pressed': String(filters.status === value),
      onclick: () => setFilter('status', value),
    }, label)));
  const select = (name, label, options) => h('select', { name, 'aria-label': label, onchange: (e) => setFilter(name, e.target.value) },
    options.map(([value, text]) => h('option', { value, selected: filters[name] === value ? true : undefined }, text)));
  const orderSel = select('order', '並び順（優先度順: 直接のお問い合わせ、リピーター、古い順）', [['priority', '優先度順'], ['age', '古い順']]);
  const topicSel = select('topic', 'トピック', [['', 'すべてのトピック'], ...Object.entries(TOPIC_JA)]);
  const accountSel = select('account', 'アカウント', [['', 'すべてのアカウント'],
    ...(ctx.config.accounts || []).map((a) => [a.key, `@${a.username}（${ACCOUNT_JA[a.key] || a.key}）`])]);
  const ageSel = select('min_age_minutes', '経過時間', AGES);
  const list = h('ul', { class: 'queue-list', id: 'queue-list', role: 'listbox', 'aria-label': 'お問い合わせ一覧', tabindex: '0' });
  const empty = h('li', { class: 'queue-empty', role: 'presentation' }, '読み込み中…');
  const more = h('span', { class: 'more' });
  list.append(empty);

  fill(root,
    h('div', { class: 'pane-head' }, h('h2', { class: 'pane-title' }, 'キュー'), count, h('span', { class: 'spacer' }), nextBtn),
    h('div', { class: 'filters' }, statusSeg, orderSel, ageSel, topicSel, accountSel),
    list,
    h('div', { class: 'qfoot' }, h('span', { class: 'legend' },
      h('span', { class: 'mark mark-direct' }, '★直接'), h('span', {}, '＝アカウント宛て'),
      h('span', { class: 'mark mark-repeat' }, 'リピーター'), h('span', { class: 'mark mark-pii' }, '⚠個人情報')), more));

  function setFilter(name, value) {
    if (filters[name] === value) return;
    filters[name] = value;
    localStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    for (const b of statusSeg.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.value === filters.status));
    rows.forEach((r) => r.el.remove());
    rows.clear();
    loaded = false;
    list.scrollTop = 0;
    refresh();
  }

  function build(item) {
    const parts = {
      direct: h('span', { class: 'mark mark-direct', title: 'サポートアカウント宛ての直接のお問い合わせ' }, '★直接'),
      repeat: h('span', { class: 'mark mark-repeat', title: '以前にもお問い合わせのあるお客様' }, 'リピーター'),
      pii: h('span', { class: 'mark mark-pii', title: 'ツイートに個人情報が含まれています' }, '⚠個人情報'),
      dnc: h('span', { class: 'mark mark-dnc', title: 'お客様が返信不要を希望されています（またはブロック）' }, '返信不要'),
      who: h('span', { class: 'who' }),
      age: h('span', { class: 'age' }),
      sla: h('span', { class: 'sla' }),
      text: h('div', { class: 'text' }),
      topic: h('span', { class: 'topic' }),
      account: h('span', { class: 'acct' }),
      holder: h('span', { class: 'holder' }),
    };
    const el = h('li', { class: 'qrow', role: 'option', 'aria-selected': 'false', dataset: { id: item.inquiry_id },
      onclick: () => ctx.open(item.inquiry_id) },
    h('div', { class: 'l1' }, parts.direct, parts.repeat, parts.pii, parts.dnc, parts.who, parts.sla, parts.age),
    parts.text,
    h('div', { class: 'l3' }, parts.topic, h('span', { 'aria-hidden': 'true' }, '·'), parts.account, parts.holder));
    const row = { el, parts, item: null };
    update(row, item);
    return row;
  }

  function update(row, item) {
    const p = row.parts;
    row.item = item;
    p.direct.hidden = !item.direct;
    p.repeat.hidden = !item.returning_customer;
    p.pii.hidden = !item.has_pii;
    p.dnc.hidden = !item.do_not_contact;
    setText(p.who, `@${item.author_username || '?'}`);
    setText(p.age, ageText(item.age_minutes));
    p.age.className = `age${item.age_minutes >= 60 ? ' hot' : item.age_minutes >= 30 ? ' warm' : ''}`;
    p.age.title = `受信から${item.age_minutes}分`;
    slaChip(p.sla, item);
    setText(p.text, item.text);
    setText(p.topic, topicLabel(item.topic));
    const acc = (ctx.config.accounts || []).find((a) => a.key === item.account);
    setText(p.account, acc ? `@${acc.username}` : item.account);
    if (item.claimed_by) {
      const mine = item.claimed_by === ctx.me.username;
      const chip = p.holder.firstChild || p.holder.appendChild(h('span', { class: 'holder-chip' }));
      chip.className = `holder-chip${mine ? ' mine' : ''}`;
      setText(chip, mine ? 'あなたが対応中' : `${item.claimed_by} 対応中`);
    } else if (p.holder.firstChild) {
      p.holder.replaceChildren();
    }
    const label = [item.direct && '直接', item.returning_customer && 'リピーター', item.has_pii && '個人情報あり', item.do_not_contact && '返信不要',
      `@${item.author_username}`, topicLabel(item.topic), `${item.age_minutes}分`,
      item.claimed_by && `${item.claimed_by}が対応中`].filter(Boolean).join('、');
    if (row.el.getAttribute('aria-label') !== label) row.el.setAttribute('aria-label', label);
  }

  function render(next, hasMore) {
    const wanted = new Set(next.map((i) => i.inquiry_id));
    // Keep what the agent is looking at where it is: remember the first visible row's position.
    const top = list.getBoundingClientRect().top;
    let anchor = null;
    for (const r of list.children) {
      if (r.dataset.id && wanted.has(r.dataset.id) && r.getBoundingClientRect().bottom > top) { anchor = r; break; }
    }
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    for (const [id, row] of rows) if (!wanted.has(id)) { row.el.remove(); rows.delete(id); }
    let prev = null;
    for (const item of next) {
      let row = rows.get(item.inquiry_id);
      if (!row) {
        row = build(item);
        if (loaded) row.el.classList.add('fresh');
        rows.set(item.inquiry_id, row);
      } else {
        update(row, item);
      }
      const want = prev ? prev.nextSibling : list.firstChild;
      if (row.el !== want) list.insertBefore(row.el, want);
      prev = row.el;
    }
    if (anchor && anchor.isConnected && list.scrollTop > 0) list.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
    items = next;
    empty.textContent = '条件に合うお問い合わせはありません。';
    if (next.length === 0) { if (!empty.isConnected) list.append(empty); } else if (empty.isConnected) empty.remove();
    setText(count, `${STATUS_JA[filters.status]} ${next.length}${hasMore ? '+' : ''}件`);
    setText(more, hasMore ? '先頭の100件を表示' : '');
    markSelected();
    loaded = true;
  }

  function markSelected() {
    for (const [id, row] of rows) {
      const on = id === selected;
      if (row.el.getAttribute('aria-selected') !== String(on)) row.el.setAttribute('aria-selected', String(on));
    }
  }

  async function refresh() {
    if (loading) return loading;
    const query = { ...filters, limit: 100 };
    loading = get('/inquiries', query)
      .then((data) => {
        if (JSON.stringify({ ...filters, limit: 100 }) === JSON.stringify(query)) render(data.items, Boolean(data.next_cursor));
      })
      .catch((err) => ctx.reportError(err, 'キューを読み込めませんでした'))
      .finally(() => { loading = null; });
    return loading;
  }

  return {
    refresh,
    filters,
    itemById: (id) => rows.get(id)?.item || null,
    select(id) {
      selected = id;
      markSelected();
      const row = rows.get(id);
      if (row) row.el.scrollIntoView({ block: 'nearest' });
    },
    /** The id `delta` rows from the selected one (j/k). */
    neighbour(delta) {
      if (!items.length) return null;
      const at = items.findIndex((i) => i.inquiry_id === selected);
      const index = at < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + delta));
      return items[index].inquiry_id;
    },
    holders: () => items.filter((i) => i.claimed_by).map((i) => i.claimed_by),
  };
}
