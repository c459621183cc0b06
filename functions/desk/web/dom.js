// DOM helpers. Every piece of data becomes a text node or an attribute value: customer tweets are untrusted,
// so nothing here (or anywhere in the desk) assigns innerHTML.

/** h('div', {class: 'x', onclick: fn, 'aria-label': '...'}, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'hidden') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Set text only when it changed (no needless layout work while the queue polls). */
export function setText(el, text) {
  const value = text == null ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
}

export function $(selector, root = document) { return root.querySelector(selector); }

const TIME = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });
const DATETIME = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit',
});
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });

export function jstTime(iso) { return iso ? TIME.format(new Date(iso)) : '-'; }
export function jstDateTime(iso) { return iso ? DATETIME.format(new Date(iso)) : '-'; }
export function jstDay(date) { return DAY.format(date); }

/** Age in minutes (the desk's unit), days past a day. */
export function ageText(minutes) {
  return minutes < 1440 ? `${minutes}分` : `${Math.floor(minutes / 1440)}日`;
}
