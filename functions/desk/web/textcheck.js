// What the composer checks while the agent types: X's weighted length and personal data.
// Both are advice shown before sending; the server (activecare.twitter.text_rules, activecare.pii) is the judge.

export const MAX_WEIGHTED = 280;

// --- weighted length -------------------------------------------------------------------------------
// twitter-text v3 (vendor/twitter-text.js, loaded as a classic script before the modules) when present;
// otherwise the same rule as activecare.twitter.text_rules: code points 0-4351, 8192-8205, 8208-8223 and
// 8242-8247 weigh 1, every other one 2 (kana, kanji, emoji...), each URL 23, after NFC.
const LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
const URL_RE = /https?:\/\/[^\s\u3000<>"「」（）()]+/g;

function weightOf(cp) {
  return LIGHT.some(([lo, hi]) => cp >= lo && cp <= hi) ? 1 : 2;
}

function fallbackLength(text) {
  const s = text.normalize('NFC');
  let total = 0;
  let pos = 0;
  const plain = (part) => { for (const ch of part) total += weightOf(ch.codePointAt(0)); };
  for (const m of s.matchAll(URL_RE)) {
    plain(s.slice(pos, m.index));
    total += 23;
    pos = m.index + m[0].length;
  }
  plain(s.slice(pos));
  return total;
}

export function weightedLength(text) {
  const tt = globalThis.twttr && globalThis.twttr.txt;
  if (tt && typeof tt.parseTweet === 'function') return tt.parseTweet(text).weightedLength;
  return fallbackLength(text);
}

export function usingTwitterText() {
  return Boolean(globalThis.twttr && globalThis.twttr.txt && globalThis.twttr.txt.parseTweet);
}

// --- personal data ---------------------------------------------------------------------------------
// A port of activecare/pii.py's patterns (phone, e-mail, postal code / street address, contract and customer
// numbers after their label, card numbers passing Luhn). Matching runs on a width-folded copy that keeps
// every position, so the hits point into the agent's text.
const FOLD = new Map();
for (let c = 0xff01; c < 0xff5f; c++) FOLD.set(String.fromCharCode(c), String.fromCharCode(c - 0xfee0));
for (const c of '‐‑‒–—―−－ーｰ﹣⁃') FOLD.set(c, '-');
FOLD.set('\u3000', ' ');

function fold(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) out += FOLD.get(text[i]) ?? text[i];
  return out;
}

const SEP = '[- ]';
const NOT_BEFORE = '(?<![\\d+])(?<!\\d-)';
const NOT_AFTER = '(?!\\d)(?!-\\d)';
const EMAIL = new RegExp(
  '(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*(?:@|\\s?[(\\[]at[)\\]]\\s?)' +
  '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*' +
  '\\.[A-Za-z]{2,}(?![A-Za-z0-9])', 'g');
const MOBILE = new RegExp(`${NOT_BEFORE}(?:\\+81${SEP}?|0)[25789]0${SEP}?\\d{4}${SEP}?\\d{4}${NOT_AFTER}`, 'g');
const LANDLINE = new RegExp(NOT_BEFORE +
  '(?:\\(0\\d{1,4}\\) ?\\d{1,4}[- ]|(?:\\+81[- ]?|0)\\d{1,4}(?:[- ]\\d{1,4}[- ]|\\(\\d{1,4}\\) ?))\\d{4}' +
  NOT_AFTER, 'g');
const LANDLINE_BARE = new RegExp(`${NOT_BEFORE}0[1-9]\\d{8}${NOT_AFTER}`, 'g');
const NOT_PERSONAL_PREFIXES = ['0120', '0800', '0570', '0990'];
const CARD = /(?<![\d-])(?:\d{4}([- ]?)\d{4}\1\d{4}\1\d{4}|\d{4}([- ]?)\d{6}\2\d{5})(?![\d])(?!-\d)/g;
const NUMBER_VALUE = '((?:[A-Za-z]{1,3}-?)?\\d(?:[\\d-]{4,18})\\d)(?![\\d])';
const LABEL_GAP = '\\s*(?:[:#=]|は|→)?\\s*[「『]?';
const CONTRACT = new RegExp(`ご?契約者?(?:番号|No\\.?|ID)${LABEL_GAP}${NUMBER_VALUE}`, 'gi');
const CUSTOMER = new RegExp(
  `(?:お客(?:様|さま)(?:番号|ID)|顧客(?:番号|ID)|会員番号|customer\\s?(?:id|no\\.?))${LABEL_GAP}${NUMBER_VALUE}`, 'gi');
const PREFS = '北海道|東京都|京都府|大阪府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|' +
  '石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|' +
  '長崎|熊本|大分|宮崎|鹿児島|沖縄)県';
const KANJI = '一-龥々〆ヶケ';
const BLOCK = `(?:\\d{1,4}|[一二三四五六七八九十]{1,3})丁目\\d{1,4}(?:番地?|-)(?:\\d{1,4}号?)?` +
  '|\\d{1,4}番地(?:\\d{1,4}号?|-\\d{1,4})?|\\d{1,4}番\\d{1,4}号?|\\d{1,4}-\\d{1,4}-\\d{1,4}|\\d{1,4}-\\d{1,4}(?:号|番地)';
const POSTAL = '(?:〒\\s*|(?<=郵便番号)|(?<=郵便番号[ :])|(?<=郵便番号: ))\\d{3}-?\\d{4}(?!\\d)';
const KANA_CITIES = 'さいたま|いわき|つくばみらい|つくば|ひたちなか|かすみがうら|みどり|いすみ|ふじみ野|むつ|つがる|にかほ|' +
  '南あわじ|あわら|南アルプス|かほく|あま|みよし|たつの|うきは|みやま|えびの|いちき串木野|南さつま';
const ADDRESS = new RegExp(
  `(?:${POSTAL}\\s*)?` +
  `(?:(?:${PREFS})(?:[${KANJI}ぁ-んァ-ヴ]{1,6}?[市区町村郡]){1,2}[${KANJI}ぁ-んァ-ヴ]{0,8}?` +
  `|(?:(?:${KANA_CITIES})市|[${KANJI}]{1,5}?[市区町村郡]){1,2}[${KANJI}ァ-ヴ]{0,8}?)` +
  `(?:${BLOCK})|${POSTAL}`, 'g');
const PRIORITY = { credit_card: 0, email: 1, contract_number: 2, customer_number: 3, address: 4, phone: 5 };

function luhn(number) {
  const digits = [...number].filter((c) => c >= '0' && c <= '9').map(Number).reverse();
  let total = 0;
  digits.forEach((d, i) => {
    let v = d;
    if (i % 2) { v *= 2; if (v > 9) v -= 9; }
    total += v;
  });
  return total % 10 === 0;
}

function candidates(folded) {
  const found = [];
  const each = (re, fn) => { for (const m of folded.matchAll(re)) fn(m); };
  each(CARD, (m) => { if (luhn(m[0])) found.push(['credit_card', m.index, m.index + m[0].length]); });
  each(EMAIL, (m) => found.push(['email', m.index, m.index + m[0].length]));
  const labelled = (kind) => (m) => {
    const start = m.index + m[0].length - m[1].length;
    found.push([kind, start, start + m[1].length]);
  };
  each(CONTRACT, labelled('contract_number'));
  each(CUSTOMER, labelled('customer_number'));
  each(ADDRESS, (m) => found.push(['address', m.index, m.index + m[0].length]));
  for (const re of [MOBILE, LANDLINE, LANDLINE_BARE]) {
    each(re, (m) => {
      let digits = m[0].replace(/\D/g, '');
      if (digits.startsWith('81')) digits = '0' + digits.slice(2);
      if (re === LANDLINE && digits.length !== 10) return;
      if (NOT_PERSONAL_PREFIXES.some((p) => digits.startsWith(p))) return;
      found.push(['phone', m.index, m.index + m[0].length]);
    });
  }
  return found;
}

/** Every piece of personal data in `text`: [{kind, start, end, text}], in order, without overlaps. */
export function findPersonalData(text) {
  if (!text) return [];
  const folded = fold(text);
  const taken = [];
  const ordered = candidates(folded).sort((a, b) => PRIORITY[a[0]] - PRIORITY[b[0]] || a[1] - b[1] || b[2] - a[2]);
  for (const [kind, start, end] of ordered) {
    if (taken.some(([, s, e]) => start < e && s < end)) continue;
    taken.push([kind, start, end]);
  }
  taken.sort((a, b) => a[1] - b[1]);
  const merged = [];
  for (const [kind, start, end] of taken) {
    const last = merged[merged.length - 1];
    if (last && kind === 'address' && last[0] === 'address' && !folded.slice(last[2], start).trim()) last[2] = end;
    else merged.push([kind, start, end]);
  }
  return merged.map(([kind, start, end]) => ({ kind, start, end, text: text.slice(start, end) }));
}
