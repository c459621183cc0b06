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
// A port of activecare/pii.py (its folding and its patterns: phone, e-mail, postal code / street address,
// contract and customer numbers after their label, card numbers passing Luhn). Matching runs on a folded copy
// of the text (invisible characters out, NFKC, every script's digits, kanji numerals and spelled-out digits to
// ASCII, (at)/アットマーク to @, 。 to . in e-mail domains) that remembers, for every folded character, the span
// of the original text (UTF-16 indices) it came from, so the hits point into the agent's text.
// tests/e2e/test_pii_browser.py checks it finds the kinds the server finds on tests/data/pii_eval.jsonl.

// Python's str.isspace() characters (JavaScript's \s also has U+FEFF, which folding removes anyway).
const WS = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const S = `[${WS}]`;
const NS = `[^${WS}]`;

const INVISIBLE = new Set('\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0\u20e3');
const DASHES = '‐‑‒–—―−－ーｰ﹣⁃﹘';
const DASH_SET = new Set(DASHES);
const IS_ND = /^\p{Nd}$/u;
const IS_REMOVED = /^[\p{Cf}\p{Me}]$/u;
const IS_SPACE_SEP = /^\p{Zs}$/u;
// Digit characters that are not decimal digits and that NFKC leaves alone (❶ ➀ ➊ ⓵ ⓿, Ethiopic ፩ ...):
// [first code point, its value, how many in a row].
const OTHER_DIGITS = [[4969, 1, 9], [6618, 1, 1], [9461, 1, 9], [9471, 0, 1], [10102, 1, 9], [10112, 1, 9],
  [10122, 1, 9], [68160, 1, 4], [69216, 1, 9], [69714, 1, 9]];
const charCache = new Map();

/** A decimal digit of any script (each Unicode Nd block is 10 code points from its 0): its value, or null. */
function decimalValue(ch) {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  if (!IS_ND.test(ch)) return null;
  let cp = ch.codePointAt(0);
  let start = cp;
  while (start > 0 && IS_ND.test(String.fromCodePoint(start - 1))) start -= 1;
  return (cp - start) % 10;
}

function otherDigit(ch) {
  const cp = ch.codePointAt(0);
  for (const [first, value, count] of OTHER_DIGITS) if (cp >= first && cp < first + count) return value + cp - first;
  return null;
}

/** One original character (code point), folded: '' (invisible), digits, or its NFKC form. */
function foldChar(c) {
  const cached = charCache.get(c);
  if (cached !== undefined) return cached;
  const o = c.codePointAt(0);
  let out;
  if (INVISIBLE.has(c) || IS_REMOVED.test(c) || (o >= 0xfe00 && o <= 0xfe0f) || (o >= 0xe0100 && o <= 0xe01ef)
      || (o >= 0x1f3fb && o <= 0x1f3ff)) {
    out = '';
  } else if (IS_SPACE_SEP.test(c) || c === '\u2028' || c === '\u2029') {
    out = ' ';
  } else {
    const d = decimalValue(c);
    if (d !== null) {
      out = String(d);
    } else {
      const n = c.normalize('NFKC');
      if (n === c) {
        const digit = otherDigit(c);
        out = digit !== null ? String(digit) : c;
      } else {
        out = '';
        for (const x of n) {
          const v = decimalValue(x);
          out += v !== null ? String(v) : x;
        }
      }
    }
  }
  if (charCache.size < 4096) charCache.set(c, out);
  return out;
}

/** Replace the folded text's spans [start, end) (in order, apart) by their replacements; a replacement's
 * characters all point at the whole original span. */
function replaceSpans(f, edits) {
  if (!edits.length) return f;
  let text = '';
  const starts = [];
  const ends = [];
  let pos = 0;
  for (const [a, b, replacement] of edits) {
    text += f.text.slice(pos, a);
    for (let i = pos; i < a; i++) { starts.push(f.starts[i]); ends.push(f.ends[i]); }
    const s = f.starts[a];
    const e = f.ends[b - 1];
    text += replacement;
    for (let i = 0; i < replacement.length; i++) { starts.push(s); ends.push(e); }
    pos = b;
  }
  text += f.text.slice(pos);
  for (let i = pos; i < f.text.length; i++) { starts.push(f.starts[i]); ends.push(f.ends[i]); }
  return { text, starts, ends };
}

function subAll(f, re, repl) {
  const edits = [];
  for (const m of f.text.matchAll(re)) if (m[0].length) edits.push([m.index, m.index + m[0].length, repl(m)]);
  return replaceSpans(f, edits);
}

const KANA_DIGITS = [
  ['0', 'ゼロ ぜろ れい レイ まる マル'],
  ['1', 'いち イチ'],
  ['2', 'にい ニイ にー ニー に ニ'],
  ['3', 'さん サン'],
  ['4', 'よん ヨン'],
  ['5', 'ごう ゴウ ごー ゴー ご ゴ'],
  ['6', 'ろく ロク'],
  ['7', 'なな ナナ しち シチ'],
  ['8', 'はち ハチ'],
  ['9', 'きゅう キュウ きゅー キュー'],
];
const KANA_VALUE = new Map();
for (const [d, words] of KANA_DIGITS) for (const w of words.split(' ')) KANA_VALUE.set(w, d);
const KANA_TOKEN = [...KANA_VALUE.keys()].sort((a, b) => b.length - a.length).join('|');
const KANA_RUN = new RegExp(`(?:${KANA_TOKEN})(?:[${WS}、,・ー-]{0,2}の?(?:${KANA_TOKEN})){3,}`, 'gu');
const KANA_ONE = new RegExp(KANA_TOKEN, 'gu');
const SOUND_MARK = /[\u3041-\u30ff][\u3099\u309a]/gu;
const PARTICLES = new Set('にニごゴ');

const isHiragana = (token) => token[0] >= 'ぁ' && token[0] <= 'ゟ';
const kanaValue = (tokens) => tokens.map((t) => KANA_VALUE.get(t[0])).join('');

function kanaDigits(f) {
  const edits = [];
  for (const m of f.text.matchAll(KANA_RUN)) {
    const tokens = [...m[0].matchAll(KANA_ONE)];
    const last = tokens[tokens.length - 1];
    const before = tokens[tokens.length - 2];
    if (PARTICLES.has(last[0]) && (last.index > before.index + before[0].length
        || isHiragana(last[0]) !== isHiragana(before[0])
        || (!phoneLength(kanaValue(tokens)) && phoneLength(kanaValue(tokens.slice(0, -1)))))) {
      tokens.pop();
    }
    if (tokens.length < 4) continue;
    const lastKept = tokens[tokens.length - 1];
    edits.push([m.index, m.index + lastKept.index + lastKept[0].length, kanaValue(tokens)]);
  }
  return replaceSpans(f, edits);
}

const EN_TOKEN = 'zero|one|two|three|four|five|six|seven|eight|nine';
const EN_VALUE = new Map(EN_TOKEN.split('|').map((w, i) => [w, String(i)]));
const EN_RUN = new RegExp(`(?<![A-Za-z])(?:${EN_TOKEN})(?:[${WS},-]{1,2}(?:${EN_TOKEN})){3,}(?![A-Za-z])`, 'giu');
const EN_ONE = new RegExp(EN_TOKEN, 'giu');

const AT = new RegExp(
  `(?<=[A-Za-z0-9._%+-])(?:${S}*(?:\\(at\\)|\\[at\\]|\\{at\\}|<at>|【at】|《at》|〔at〕|\\(アット\\)|` +
  `アットマーク|あっとまーく|アット|あっと)${S}*| @ |@)(?=${S}?[A-Za-z0-9])` +
  `|(?<=[A-Za-z0-9._%+-]) at (?=[A-Za-z0-9-]+${S}*(?:\\.|\\(dot\\)|\\[dot\\]|dot|ドット|。)${S}*[A-Za-z]{2,})`,
  'giu');
const DOT = new RegExp(
  `(?<=[A-Za-z0-9])(?:${S}*(?:\\(dot\\)|\\[dot\\]|\\{dot\\}|ドット|どっと)${S}*| dot )(?=[A-Za-z0-9])`, 'giu');
const DOMAIN_STOPS = new RegExp(
  '(?<=@)[A-Za-z0-9-]+(?:[ ]?[。｡.][ ]?[A-Za-z0-9-]+)*(?:[。｡]|[ ][。｡.][ ]?|[。｡.][ ])[A-Za-z]{2,}(?![A-Za-z0-9])', 'gu');
const SPACE_AROUND_AT = new RegExp(`(?<=[A-Za-z0-9._%+-])${S}(?=@)|(?<=@)${S}(?=[A-Za-z0-9])`, 'gu');

const KANJI_DIGIT = new Map([...'〇一二三四五六七八九'].map((c, i) => [c, String(i)]));
const KANJI_NUMBER = /[〇一二三四五六七八九十百]+/gu;
const KANJI_FORM = /^([一二三四五六七八九]?百)?([一二三四五六七八九]?十)?([一二三四五六七八九])?$/u;
const NUMBER_WORD_AFTER = ['丁目', '番', '号'];
const isAsciiDigit = (c) => c.length === 1 && c >= '0' && c <= '9';

function kanjiValue(run) {
  if (!run.includes('十') && !run.includes('百')) return [...run].map((c) => KANJI_DIGIT.get(c)).join('');
  const m = KANJI_FORM.exec(run);
  if (!m || !run) return null;
  const [, hundreds, tens, ones] = m;
  let value = 0;
  if (hundreds) value += 100 * (hundreds.length === 2 ? Number(KANJI_DIGIT.get(hundreds[0])) : 1);
  if (tens) value += 10 * (tens.length === 2 ? Number(KANJI_DIGIT.get(tens[0])) : 1);
  if (ones) value += Number(KANJI_DIGIT.get(ones));
  return String(value);
}

function kanjiNumbers(f) {
  const text = f.text;
  const edits = [];
  for (const m of text.matchAll(KANJI_NUMBER)) {
    const run = m[0];
    const start = m.index;
    const end = start + run.length;
    if (run.length === 1) {  // one numeral only before 丁目/番/号 or beside a digit or a dash (三軒茶屋 stays)
      const before = start ? text[start - 1] : '';
      const after = text.slice(end, end + 2);
      if (!(NUMBER_WORD_AFTER.some((w) => after.startsWith(w)) || isAsciiDigit(before)
            || isAsciiDigit(after.slice(0, 1)) || before === '-' || after.slice(0, 1) === '-')) continue;
    }
    const value = kanjiValue(run);
    if (value === null || value === run) continue;
    if (value.length === run.length) {  // digit by digit: each keeps its own position
      for (let i = 0; i < value.length; i++) edits.push([start + i, start + i + 1, value[i]]);
    } else {
      edits.push([start, end, value]);
    }
  }
  return replaceSpans(f, edits);
}

const NON_ASCII = /[^\x00-\x7f]/u;

/** `text` with the disguises undone, and for each folded character the original span it came from. */
export function foldText(text) {
  let out = '';
  const starts = [];
  const ends = [];
  let i = 0;
  for (const c of text) {
    const folded = foldChar(c);
    out += folded;
    for (let k = 0; k < folded.length; k++) { starts.push(i); ends.push(i + c.length); }
    i += c.length;
  }
  let f = { text: out, starts, ends };
  if (NON_ASCII.test(f.text)) {
    if (f.text.includes('\u3099') || f.text.includes('\u309a')) f = subAll(f, SOUND_MARK, (m) => m[0].normalize('NFC'));
    if (f.text.search(KANA_RUN) >= 0) f = kanaDigits(f);
  }
  if (f.text.search(EN_RUN) >= 0) {
    f = subAll(f, EN_RUN, (m) => [...m[0].matchAll(EN_ONE)].map((t) => EN_VALUE.get(t[0].toLowerCase())).join(''));
  }
  if (f.text.search(AT) >= 0) f = subAll(f, AT, () => '@');
  if (f.text.includes('@')) {
    f = subAll(f, DOT, () => '.');
    f = subAll(f, SPACE_AROUND_AT, () => '');
    f = subAll(f, DOMAIN_STOPS, (m) => m[0].replace(/[。｡]/gu, '.').replace(/ /g, ''));
  }
  if (NON_ASCII.test(f.text)) {
    let dashed = '';
    for (const c of f.text) dashed += DASH_SET.has(c) ? '-' : c;
    f = { text: dashed, starts: f.starts, ends: f.ends };
    f = kanjiNumbers(f);
  }
  return f;
}

// ---- matching ----
const SEP = '(?:[ ]{0,2}[-./・の][ ]{0,2}|[ ]{1,3})';
const NOT_BEFORE = '(?<![\\d+])(?<!\\d[-./])';
const NOT_AFTER = '(?!\\d)(?![-./]\\d)';
const OPEN = '(?:\\([ ]?)?';
const CLOSE = `(?:[ ]?\\)[ ]?|${SEP})?`;

const EMAIL = new RegExp(
  `(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*(?:@|${S}?[(\\[]at[)\\]]${S}?)` +
  '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*' +
  '\\.[A-Za-z]{2,}(?![A-Za-z0-9])', 'gu');
const MOBILE = new RegExp(NOT_BEFORE +
  `(?:\\+[ ]?81${SEP}?(?:\\(0\\)[ ]?)?|\\([ ]?0(?=[25789]0[ ]?\\))|0)[25789]0${CLOSE}${OPEN}\\d{4}${CLOSE}\\d{4}` +
  NOT_AFTER, 'gu');
const LANDLINE = new RegExp(NOT_BEFORE +
  `(?:\\([ ]?0\\d{1,4}[ ]?\\)[ ]?\\d{1,4}${SEP}` +
  `|(?:\\+[ ]?81${SEP}?|0)\\d{1,4}(?:${SEP}\\d{1,4}${SEP}|[ ]?\\([ ]?\\d{1,4}[ ]?\\)[ ]?))\\d{4}` +
  NOT_AFTER, 'gu');
const LANDLINE_BARE = new RegExp(`${NOT_BEFORE}0[1-9]\\d{8}${NOT_AFTER}`, 'gu');
const ANY_GROUPING = new RegExp(`${NOT_BEFORE}0\\d{0,5}([-.・の]|[ ]{1,2})(?:\\d{1,6}\\1)*\\d{1,6}${NOT_AFTER}`, 'gu');
// Business numbers, not a person's: toll-free (0120 0800 0077 0088), navi-dial 0570, 0180, 0990.
const NOT_PERSONAL_PREFIXES = ['0120', '0800', '0570', '0990', '0077', '0088', '0180'];

const CARD = new RegExp(
  '(?<![\\d-])(?:\\d{4}([- .]?|[ ]{2,3})\\d{4}\\1\\d{4}\\1\\d{4}|\\d{4}([- .]?|[ ]{2,3})\\d{6}\\2\\d{5})(?![\\d])(?![-.]\\d)',
  'gu');

const NUMBER_VALUE = '((?:[A-Za-z]{1,3}[- ]?)?\\d(?:\\d|[-./](?=\\d)|[ ]{1,2}(?=\\d)){4,22}\\d)(?![\\d])';
const LABEL_GAP = `${S}*(?:[:#=]|は|→|、|,|が)?${S}*[「『(\\[]?${S}*`;
const CONTRACT = new RegExp(`ご?契約者?(?:番号|No\\.?|ID)${LABEL_GAP}${NUMBER_VALUE}`, 'giu');
const CUSTOMER = new RegExp(
  `(?:お客(?:様|さま)(?:番号|ID)|顧客(?:番号|ID)|会員(?:番号|ID)|customer${S}?(?:id|no\\.?))${LABEL_GAP}${NUMBER_VALUE}`,
  'giu');

const PREFS = '北海道|東京都|京都府|大阪府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|' +
  '石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|' +
  '長崎|熊本|大分|宮崎|鹿児島|沖縄)県';
const KANJI = '一-龥々〆ヶケ';
const KANJI_NUM = '一二三四五六七八九十';
const SP = '[ ]?';
const BLOCK =
  `(?:\\d{1,4}|[${KANJI_NUM}]{1,3})${SP}丁目${SP}\\d{1,4}${SP}(?:番地?の?|-|\\.|[ ]{1,2}(?=\\d))${SP}` +
  `(?:\\d{1,4}${SP}号?)?` +
  `|\\d{1,4}${SP}番地(?:の?${SP}\\d{1,4}${SP}号?|-\\d{1,4})?` +
  `|\\d{1,4}${SP}番${SP}\\d{1,4}${SP}号?` +
  '|\\d{1,4}-\\d{1,4}-\\d{1,4}' +
  '|\\d{1,3}\\.\\d{1,4}\\.\\d{1,4}(?![.\\d])(?![ ]?[時日週月年分秒回個台人円%])' +
  '|\\d{1,3}[ ]{1,2}\\d{1,4}[ ]{1,2}\\d{1,4}(?![ ]?\\d)(?![ ]?[時日週月年分秒回個台人円%])' +
  '|\\d{1,4}の\\d{1,4}の\\d{1,4}' +
  '|\\d{1,4}の\\d{1,4}(?:番地|号)' +
  '|\\d{1,4}-\\d{1,4}(?:号|番地)' +
  `|\\d{1,4}-\\d{1,4}(?=${S}|[、。,]|$|に|で|ま|へ|です)`;
const POSTAL = `(?:〒${S}*|(?<=郵便番号)|(?<=郵便番号[ :])|(?<=郵便番号: ))\\d{3}(?:-|\\.|[ ]{1,2})?\\d{4}(?!\\d)`;
// Cities whose names are (partly) kana, so they can be found without a prefecture.
const KANA_CITIES = 'さいたま|いわき|つくばみらい|つくば|ひたちなか|かすみがうら|みどり|いすみ|ふじみ野|むつ|つがる|にかほ|' +
  '南あわじ|あわら|南アルプス|かほく|あま|みよし|たつの|うきは|みやま|えびの|いちき串木野|南さつま';
const ADDRESS = new RegExp(
  `(?:${POSTAL}${S}*)?` +
  `(?:(?:${PREFS})${SP}(?:[${KANJI}ぁ-んァ-ヴ]{1,6}?[市区町村郡]${SP}){1,2}(?:[${KANJI}ぁ-んァ-ヴ]|\\d{1,2}条){0,8}?` +
  `|(?:(?:${KANA_CITIES})市${SP}|[${KANJI}]{1,5}?[市区町村郡]${SP}){1,2}(?:[${KANJI}ァ-ヴ]|\\d{1,2}条){0,8}?)` +
  `${SP}(?:${BLOCK})` +
  `|${POSTAL}`, 'gu');

// Which kind wins when two candidates overlap (a labelled number beats a phone pattern).
const PRIORITY = { credit_card: 0, email: 1, contract_number: 2, customer_number: 3, address: 4, phone: 5 };
const HAS_DIGIT = /\d|@|[(\[]at[)\]]/iu;
const MAX_LABELLED_DIGITS = 12;

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

/** 11 digits for a mobile or IP phone (090, 080, 070, 050, 020), 10 for a fixed line. */
function phoneLength(digits) {
  const mobile = '25789'.includes(digits.slice(1, 2) || 'x') && digits.slice(2, 3) === '0';
  return digits.length === (mobile ? 11 : 10);
}

/** Trailing separators (`080 1234 5678 `) are not part of a number. */
function trim(folded, start, end) {
  while (end > start && ' -./'.includes(folded[end - 1])) end -= 1;
  return [start, end];
}

/** A labelled number in spaced groups ends before the group that would make it longer than any contract or
 * customer number. */
function valueEnd(m) {
  const value = m[1];
  const start1 = m.index + m[0].length - value.length;
  if (!value.includes(' ')) return start1 + value.length;
  let digits = 0;
  let end = 0;
  for (const g of value.matchAll(new RegExp(`${NS}+`, 'gu'))) {
    digits += [...g[0]].filter((c) => c >= '0' && c <= '9').length;
    if (digits > MAX_LABELLED_DIGITS && end) break;
    end = g.index + g[0].length;
  }
  return start1 + end;
}

function candidates(folded) {
  const found = [];
  const each = (re, fn) => { for (const m of folded.matchAll(re)) fn(m); };
  each(CARD, (m) => { if (luhn(m[0])) found.push(['credit_card', m.index, m.index + m[0].length]); });
  if (folded.includes('@') || folded.includes('at')) each(EMAIL, (m) => found.push(['email', m.index, m.index + m[0].length]));
  const labelled = (kind) => (m) => found.push([kind, m.index + m[0].length - m[1].length, valueEnd(m)]);
  each(CONTRACT, labelled('contract_number'));
  each(CUSTOMER, labelled('customer_number'));
  each(ADDRESS, (m) => found.push(['address', ...trim(folded, m.index, m.index + m[0].length)]));
  for (const re of [MOBILE, LANDLINE, LANDLINE_BARE, ANY_GROUPING]) {
    each(re, (m) => {
      let digits = m[0].replace(/\D/gu, '');
      if (re === ANY_GROUPING && !phoneLength(digits)) return;
      if (digits.startsWith('81')) {
        digits = '0' + digits.slice(2);
        if (digits.startsWith('00')) digits = digits.slice(1);  // +81 (0)90 ...
      }
      if (re === LANDLINE && digits.length !== 10) return;
      // a business number, or one written with its digits hidden (090-〇〇〇〇-〇〇〇〇)
      if (NOT_PERSONAL_PREFIXES.some((p) => digits.startsWith(p)) || !digits.slice(3).replace(/^0+|0+$/g, '')) return;
      found.push(['phone', m.index, m.index + m[0].length]);
    });
  }
  return found;
}

const isBlank = (s) => !s.replace(new RegExp(`^${S}+|${S}+$`, 'gu'), '');

/** Every piece of personal data in `text`: [{kind, start, end, text}], in order, without overlaps
 * (start and end: UTF-16 indices into `text`). */
export function findPersonalData(text) {
  if (!text) return [];
  const f = foldText(text);
  const folded = f.text;
  if (!HAS_DIGIT.test(folded)) return [];
  const taken = [];
  const ordered = candidates(folded).sort((a, b) => PRIORITY[a[0]] - PRIORITY[b[0]] || a[1] - b[1] || b[2] - a[2]);
  for (const [kind, start, end] of ordered) {
    if (taken.some(([, s, e]) => start < e && s < end)) continue;
    taken.push([kind, start, end]);
  }
  taken.sort((a, b) => a[1] - b[1]);
  const merged = [];
  for (const [kind, start, end] of taken) {  // 〒150-0002 東京都... is one address
    const last = merged[merged.length - 1];
    if (last && kind === 'address' && last[0] === 'address' && isBlank(folded.slice(last[2], start))) last[2] = end;
    else merged.push([kind, start, end]);
  }
  return merged.map(([kind, s, e]) => {
    const start = f.starts[s];
    const end = f.ends[e - 1];
    return { kind, start, end, text: text.slice(start, end) };
  });
}

/** The distinct kinds of personal data in `text`, sorted. */
export function personalDataKinds(text) {
  return [...new Set(findPersonalData(text).map((x) => x.kind))].sort();
}
