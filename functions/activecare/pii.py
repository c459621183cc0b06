"""Personal data in Japanese tweets: find it, list its kinds, mask it.

Kinds: ``phone``, ``email``, ``contract_number``, ``customer_number``, ``address`` and
``credit_card``. Matching runs on a folded copy of the text (`fold`) that remembers, for every
folded character, the span of the original text it came from, so hits (and masks) always cover
the original characters. The folding undoes the usual disguises:

- invisible characters out (format characters such as zero-width spaces and joiners, variation
  selectors, the keycap mark, Hangul fillers);
- NFKC (full-width letters and digits, circled ①, parenthesised ⑴, mathematical 𝟗, ＠ ． ：);
  every script's decimal digits (٠١٢, ०१२, ๐๑๒ …) and other digit characters (➊) to ASCII;
- kanji numerals (〇一二三…, 十/百 in simple forms such as 二十一) in numbers and addresses
  (a run of two or more, or one before 丁目/番/号 or beside a digit: 三軒茶屋 stays);
- digits spelled out in kana (ゼロ, れい, いち, に, さん, よん, ご, ろく, なな, はち, きゅう …) or English
  (zero, one, two …) when four or more come in a row;
- (at) [at] ［at］ アットマーク ＠ to ``@``; (dot) ドット 。 ｡ to ``.`` in e-mail addresses;
- ‐ ‑ – — ― − － ー ｰ to ``-``.

Separators inside numbers may be ``-`` ``.`` ``/`` spaces (one to three) or parentheses.

Deliberately *not* personal data: prices (¥3,980, 2,980円), dates and times, model
numbers (iPhone 15, SH-M26), plan names (5G, 20GB), versions (iOS 18.1), and business numbers:
toll-free and navigation numbers (0120-, 0800-, 0570-, 0077-, 0088-, 0180-, 0990-). Contract and
customer numbers are only recognised after their label (契約番号, お客様番号 ...): a bare number is
not guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

PII_KINDS: tuple[str, ...] = (
    "phone", "email", "contract_number", "customer_number", "address", "credit_card",
)

PLACEHOLDERS: dict[str, str] = {
    "phone": "［電話番号］",
    "email": "［メールアドレス］",
    "contract_number": "［契約番号］",
    "customer_number": "［お客様番号］",
    "address": "［住所］",
    "credit_card": "［カード番号］",
}


@dataclass(frozen=True)
class PiiHit:
    """One piece of personal data: its kind and where it is in the original text."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass(frozen=True)
class Folded:
    """The folded text; ``starts[i]:ends[i]`` is the original span folded character ``i`` came from."""

    text: str
    starts: list[int]
    ends: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


# ---- folding ----

_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0\u20e3")
_DASHES = "‐‑‒–—―−－ーｰ﹣⁃﹘"
_DASH_FOLD = str.maketrans({c: "-" for c in _DASHES})
_char_cache: dict[str, str] = {}
_seen: set[str] = set()  # characters already folded once
_changes: dict[str, str] = {}  # those that fold to something else
_resizing: set[str] = set()  # those that fold to nothing or to several characters


def _fold_char(c: str) -> str:
    """One original character, folded: '' (invisible), digits, or its NFKC form."""
    cached = _char_cache.get(c)
    if cached is not None:
        return cached
    o = ord(c)
    category = unicodedata.category(c)
    if (c in _INVISIBLE or category in ("Cf", "Me") or 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF
            or 0x1F3FB <= o <= 0x1F3FF):
        out = ""
    elif category == "Zs" or c in "\u2028\u2029":
        out = " "
    else:
        d = unicodedata.decimal(c, None)
        if d is not None:
            out = str(d)
        else:
            n = unicodedata.normalize("NFKC", c)
            if n == c:
                digit = unicodedata.digit(c, None)
                out = str(digit) if digit is not None else c
            else:
                out = "".join(str(unicodedata.decimal(x)) if unicodedata.decimal(x, None) is not None else x
                              for x in n)
    if len(_char_cache) < 4096:
        _char_cache[c] = out
    return out


def _sub(f: Folded, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> Folded:
    """Replace each match of ``pattern`` in the folded text by ``repl(match)``; the replacement's characters
    all point at the whole original span of the match."""
    return _replace(f, [(m.start(), m.end(), repl(m)) for m in pattern.finditer(f.text) if m.start() < m.end()])


def _replace(f: Folded, edits: list[tuple[int, int, str]]) -> Folded:
    """Replace the folded text's spans ``start:end`` (in order, apart) by their replacements."""
    if not edits:
        return f
    text, starts, ends = f.text, f.starts, f.ends
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for a, b, replacement in edits:
        out.append(text[pos:a])
        new_starts += starts[pos:a]
        new_ends += ends[pos:a]
        s, e = starts[a], ends[b - 1]
        out.append(replacement)
        new_starts += [s] * len(replacement)
        new_ends += [e] * len(replacement)
        pos = b
    out.append(text[pos:])
    new_starts += starts[pos:]
    new_ends += ends[pos:]
    return Folded("".join(out), new_starts, new_ends)


_KANA_DIGITS = {
    "0": "ゼロ ぜろ れい レイ まる マル",
    "1": "いち イチ",
    "2": "にい ニイ にー ニー に ニ",
    "3": "さん サン",
    "4": "よん ヨン",
    "5": "ごう ゴウ ごー ゴー ご ゴ",
    "6": "ろく ロク",
    "7": "なな ナナ しち シチ",
    "8": "はち ハチ",
    "9": "きゅう キュウ きゅー キュー",
}
_KANA_VALUE = {word: d for d, words in _KANA_DIGITS.items() for word in words.split()}
_KANA_TOKEN = "|".join(sorted(_KANA_VALUE, key=len, reverse=True))
_KANA_RUN = re.compile(rf"(?:{_KANA_TOKEN})(?:[\s、,・ー-]{{0,2}}の?(?:{_KANA_TOKEN})){{3,}}")
_KANA_ONE = re.compile(_KANA_TOKEN)
_SOUND_MARK = re.compile("[\u3041-\u30ff][\u3099\u309a]")
_PARTICLES = frozenset("にニごゴ")  # に電話ください: a lone に after a gap is the particle, not a 2


def _is_hiragana(token: str) -> bool:
    return "ぁ" <= token[0] <= "ゟ"


def _kana_digits(f: Folded) -> Folded:
    edits = []
    for m in _KANA_RUN.finditer(f.text):
        tokens = list(_KANA_ONE.finditer(m.group()))
        last, before = tokens[-1], tokens[-2]
        if last.group() in _PARTICLES and (last.start() > before.end()  # ゴロクナナハチ に電話
                                            or _is_hiragana(last.group()) != _is_hiragana(before.group())
                                            or (not _phone_length("".join(_KANA_VALUE[t.group()] for t in tokens))
                                            and _phone_length("".join(_KANA_VALUE[t.group()] for t in tokens[:-1])))):
            tokens.pop()  # …ハチに電話: the particle, when without it the digits make a phone number
        if len(tokens) < 4:
            continue
        edits.append((m.start(), m.start() + tokens[-1].end(), "".join(_KANA_VALUE[t.group()] for t in tokens)))
    return _replace(f, edits)
_EN_TOKEN = "zero|one|two|three|four|five|six|seven|eight|nine"
_EN_VALUE = {w: str(i) for i, w in enumerate(_EN_TOKEN.split("|"))}
_EN_RUN = re.compile(rf"(?<![A-Za-z])(?:{_EN_TOKEN})(?:[\s,-]{{1,2}}(?:{_EN_TOKEN})){{3,}}(?![A-Za-z])",
                     re.IGNORECASE)
_EN_ONE = re.compile(_EN_TOKEN, re.IGNORECASE)

_AT = re.compile(
    r"(?<=[A-Za-z0-9._%+-])(?:\s*(?:\(at\)|\[at\]|\{at\}|<at>|【at】|《at》|〔at〕|\(アット\)|"
    r"アットマーク|あっとまーく|アット|あっと)\s*| @ |@)(?=\s?[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9._%+-]) at (?=[A-Za-z0-9-]+\s*(?:\.|\(dot\)|\[dot\]|dot|ドット|。)\s*[A-Za-z]{2,})",
    re.IGNORECASE,
)
_DOT = re.compile(
    r"(?<=[A-Za-z0-9])(?:\s*(?:\(dot\)|\[dot\]|\{dot\}|ドット|どっと)\s*| dot )(?=[A-Za-z0-9])", re.IGNORECASE
)
# 。 and ｡ are full stops only inside an e-mail domain (after the @, between letters and digits).
_DOMAIN_STOPS = re.compile(
    r"(?<=@)[A-Za-z0-9-]+(?:[ ]?[。｡.][ ]?[A-Za-z0-9-]+)*(?:[。｡]|[ ][。｡.][ ]?|[。｡.][ ])[A-Za-z]{2,}(?![A-Za-z0-9])")
_STOPS = str.maketrans({"。": ".", "｡": ".", " ": None})
_SPACE_AROUND_AT = re.compile(r"(?<=[A-Za-z0-9._%+-])\s(?=@)|(?<=@)\s(?=[A-Za-z0-9])")

_KANJI_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十百]+")
_NUMBER_WORD_AFTER = ("丁目", "番", "号")


def _kanji_value(run: str) -> str | None:
    if "十" not in run and "百" not in run:
        return "".join(_KANJI_DIGIT[c] for c in run)
    m = re.fullmatch(r"([一二三四五六七八九]?百)?([一二三四五六七八九]?十)?([一二三四五六七八九])?", run)
    if not m or not run:
        return None
    hundreds, tens, ones = m.groups()
    value = 0
    if hundreds:
        value += 100 * (int(_KANJI_DIGIT[hundreds[0]]) if len(hundreds) == 2 else 1)
    if tens:
        value += 10 * (int(_KANJI_DIGIT[tens[0]]) if len(tens) == 2 else 1)
    if ones:
        value += int(_KANJI_DIGIT[ones])
    return str(value)


def _kanji_numbers(f: Folded) -> Folded:
    text = f.text

    def repl(m: re.Match[str]) -> str:
        run = m.group()
        if len(run) == 1:
            before = text[m.start() - 1] if m.start() else ""
            after = text[m.end():m.end() + 2]
            if not (after.startswith(_NUMBER_WORD_AFTER) or (before.isascii() and before.isdigit())
                    or (after[:1].isascii() and after[:1].isdigit()) or before == "-" or after[:1] == "-"):
                return run
        value = _kanji_value(run)
        return run if value is None else value

    edits = []
    for m in _KANJI_NUMBER.finditer(text):
        value = repl(m)
        if value == m.group():
            continue
        if len(value) == len(m.group()):  # digit by digit: each keeps its own position
            edits += [(m.start() + i, m.start() + i + 1, d) for i, d in enumerate(value)]
        else:
            edits.append((m.start(), m.end(), value))
    return _replace(f, edits)


def fold(text: str) -> Folded:
    """``text`` with the disguises undone (see the module's docstring), and where each character came from."""
    n = len(text)
    chars = set(text)
    unseen = chars - _seen
    if unseen:
        for c in unseen:
            folded = _fold_char(c)
            if folded != c:
                _changes[c] = folded
                if len(folded) != 1:
                    _resizing.add(c)
        if len(_seen) < 8192:
            _seen.update(unseen)
    changing = chars & _changes.keys()
    if not changing or not changing & _resizing:  # one character in, one out: positions survive
        f = Folded(text.translate({ord(c): _changes[c] for c in changing}) if changing else text,
                   list(range(n)), list(range(1, n + 1)))
    else:
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for i, c in enumerate(text):
            folded = _changes.get(c, c)
            if len(folded) == 1:
                out.append(folded)
                starts.append(i)
                ends.append(i + 1)
            elif folded:
                out.append(folded)
                starts += [i] * len(folded)
                ends += [i + 1] * len(folded)
        f = Folded("".join(out), starts, ends)
    if not f.text.isascii():
        if "\u3099" in f.text or "\u309a" in f.text:  # ｾﾞﾛ: NFKC per character leaves the mark apart
            f = _sub(f, _SOUND_MARK, lambda m: unicodedata.normalize("NFC", m.group()))
        if _KANA_RUN.search(f.text):
            f = _kana_digits(f)
    if _EN_RUN.search(f.text):
        f = _sub(f, _EN_RUN, lambda m: "".join(_EN_VALUE[t.lower()] for t in _EN_ONE.findall(m.group())))
    if _AT.search(f.text):
        f = _sub(f, _AT, lambda m: "@")
    if "@" in f.text:
        f = _sub(f, _DOT, lambda m: ".")
        f = _sub(f, _SPACE_AROUND_AT, lambda m: "")
        f = _sub(f, _DOMAIN_STOPS, lambda m: m.group().translate(_STOPS))
    if not f.text.isascii():
        f = Folded(f.text.translate(_DASH_FOLD), f.starts, f.ends)
        f = _kanji_numbers(f)
    return f


# ---- matching ----

_SEP = r"(?:[ ]{0,2}[-./・の][ ]{0,2}|[ ]{1,3})"
_NOT_BEFORE = r"(?<![\d+])(?<!\d[-./])"
_NOT_AFTER = r"(?!\d)(?![-./]\d)"
_OPEN = r"(?:\([ ]?)?"
_CLOSE = rf"(?:[ ]?\)[ ]?|{_SEP})?"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*(?:@|\s?[(\[]at[)\]]\s?)"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,}(?![A-Za-z0-9])"
)
# Mobile / IP phones (070 080 090 050 020), also as +81 90-... and (090)1234-5678.
_MOBILE = re.compile(
    _NOT_BEFORE
    + rf"(?:\+[ ]?81{_SEP}?(?:\(0\)[ ]?)?|\([ ]?0(?=[25789]0[ ]?\))|0)[25789]0{_CLOSE}{_OPEN}\d{{4}}{_CLOSE}\d{{4}}"
    + _NOT_AFTER
)
# Fixed lines: 0 + area + local = 10 digits, with separators or parentheses.
_LANDLINE = re.compile(
    _NOT_BEFORE
    + rf"(?:\([ ]?0\d{{1,4}}[ ]?\)[ ]?\d{{1,4}}{_SEP}"
    + rf"|(?:\+[ ]?81{_SEP}?|0)\d{{1,4}}(?:{_SEP}\d{{1,4}}{_SEP}|[ ]?\([ ]?\d{{1,4}}[ ]?\)[ ]?))\d{{4}}"
    + _NOT_AFTER
)
_LANDLINE_BARE = re.compile(_NOT_BEFORE + r"0[1-9]\d{8}" + _NOT_AFTER)
# Any grouping with one separator used throughout (090-12-345678, 0 9 0 1 2 3 4 5 6 7 8).
_ANY_GROUPING = re.compile(_NOT_BEFORE + r"0\d{0,5}([-.・の]|[ ]{1,2})(?:\d{1,6}\1)*\d{1,6}" + _NOT_AFTER)
# Business numbers, not a person's: toll-free (0120 0800 0077 0088), navi-dial 0570, 0180, 0990.
_NOT_PERSONAL_PREFIXES = ("0120", "0800", "0570", "0990", "0077", "0088", "0180")

_CARD = re.compile(
    r"(?<![\d-])(?:\d{4}([- .]?|[ ]{2,3})\d{4}\1\d{4}\1\d{4}|\d{4}([- .]?|[ ]{2,3})\d{6}\2\d{5})(?![\d])(?![-.]\d)"
)

_NUMBER_VALUE = r"((?:[A-Za-z]{1,3}[- ]?)?\d(?:\d|[-./](?=\d)|[ ]{1,2}(?=\d)){4,22}\d)(?![\d])"
_LABEL_GAP = r"\s*(?:[:#=]|は|→|、|,|が)?\s*[「『(\[]?\s*"
_CONTRACT = re.compile(r"ご?契約者?(?:番号|No\.?|ID)" + _LABEL_GAP + _NUMBER_VALUE, re.IGNORECASE)
_CUSTOMER = re.compile(
    r"(?:お客(?:様|さま)(?:番号|ID)|顧客(?:番号|ID)|会員(?:番号|ID)|customer\s?(?:id|no\.?))"
    + _LABEL_GAP
    + _NUMBER_VALUE,
    re.IGNORECASE,
)

_PREFS = (
    "北海道|東京都|京都府|大阪府|"
    "(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|"
    "三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|"
    "鹿児島|沖縄)県"
)
_KANJI = r"一-龥々〆ヶケ"
_KANJI_NUM = "一二三四五六七八九十"
_SP = r"[ ]?"
_BLOCK = (
    rf"(?:\d{{1,4}}|[{_KANJI_NUM}]{{1,3}}){_SP}丁目{_SP}\d{{1,4}}{_SP}(?:番地?の?|-|\.|[ ]{{1,2}}(?=\d)){_SP}"
    rf"(?:\d{{1,4}}{_SP}号?)?"
    rf"|\d{{1,4}}{_SP}番地(?:の?{_SP}\d{{1,4}}{_SP}号?|-\d{{1,4}})?"
    rf"|\d{{1,4}}{_SP}番{_SP}\d{{1,4}}{_SP}号?"
    r"|\d{1,4}-\d{1,4}-\d{1,4}"
    r"|\d{1,3}\.\d{1,4}\.\d{1,4}(?![.\d])(?![ ]?[時日週月年分秒回個台人円%])"  # 6.7.14 (a year has 4 digits)
    r"|\d{1,3}[ ]{1,2}\d{1,4}[ ]{1,2}\d{1,4}(?![ ]?\d)(?![ ]?[時日週月年分秒回個台人円%])"
    r"|\d{1,4}の\d{1,4}の\d{1,4}"
    r"|\d{1,4}の\d{1,4}(?:番地|号)"
    r"|\d{1,4}-\d{1,4}(?:号|番地)"
    r"|\d{1,4}-\d{1,4}(?=[\s、。,]|$|に|で|ま|へ|です)"
)
_POSTAL = r"(?:〒\s*|(?<=郵便番号)|(?<=郵便番号[ :])|(?<=郵便番号: ))\d{3}(?:-|\.|[ ]{1,2})?\d{4}(?!\d)"
# Cities whose names are (partly) kana, so they can be found without a prefecture.
_KANA_CITIES = (
    "さいたま|いわき|つくばみらい|つくば|ひたちなか|かすみがうら|みどり|いすみ|ふじみ野|むつ|つがる|にかほ|"
    "南あわじ|あわら|南アルプス|かほく|あま|みよし|たつの|うきは|みやま|えびの|いちき串木野|南さつま"
)
# A street address down to the lot (丁目 alone is a neighbourhood, not a home).
# With a prefecture the city and town may hold kana (さいたま市, みなとみらい); without one
# they must be kanji/katakana so that 「新宿区のショップで1-2時間」 is not an address.
_ADDRESS = re.compile(
    rf"(?:{_POSTAL}\s*)?"
    rf"(?:(?:{_PREFS}){_SP}(?:[{_KANJI}ぁ-んァ-ヴ]{{1,6}}?[市区町村郡]{_SP}){{1,2}}(?:[{_KANJI}ぁ-んァ-ヴ]|\d{{1,2}}条){{0,8}}?"
    rf"|(?:(?:{_KANA_CITIES})市{_SP}|[{_KANJI}]{{1,5}}?[市区町村郡]{_SP}){{1,2}}(?:[{_KANJI}ァ-ヴ]|\d{{1,2}}条){{0,8}}?)"
    rf"{_SP}(?:{_BLOCK})"
    rf"|{_POSTAL}"
)

# Which kind wins when two candidates overlap (a labelled number beats a phone pattern).
_PRIORITY = {
    "credit_card": 0, "email": 1, "contract_number": 2, "customer_number": 3, "address": 4, "phone": 5,
}
_NON_DIGIT = re.compile(r"\D")


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _trim(folded: str, start: int, end: int) -> tuple[int, int]:
    """Trailing separators (``080 1234 5678 ``) are not part of a number."""
    while end > start and folded[end - 1] in " -./":
        end -= 1
    return start, end


_MAX_LABELLED_DIGITS = 12


def _value_end(m: re.Match[str]) -> int:
    """A labelled number written in spaced groups (1234 5678) ends before the group that would make it
    longer than any contract or customer number (``C9917799498 09013250329`` is a number and a phone)."""
    value = m.group(1)
    if " " not in value:
        return m.end(1)
    digits = 0
    end = 0
    for g in re.finditer(r"\S+", value):
        digits += sum(c.isdigit() for c in g.group())
        if digits > _MAX_LABELLED_DIGITS and end:
            break
        end = g.end()
    return m.start(1) + end


def _phone_length(digits: str) -> bool:
    """11 digits for a mobile or IP phone (090, 080, 070, 050, 020), 10 for a fixed line."""
    mobile = digits[1:2] in ("2", "5", "7", "8", "9") and digits[2:3] == "0"
    return len(digits) == (11 if mobile else 10)


def _candidates(folded: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for m in _CARD.finditer(folded):
        if _luhn(m.group()):
            found.append(("credit_card", m.start(), m.end()))
    if "@" in folded or "at" in folded:
        found += [("email", m.start(), m.end()) for m in _EMAIL.finditer(folded)]
    found += [("contract_number", m.start(1), _value_end(m)) for m in _CONTRACT.finditer(folded)]
    found += [("customer_number", m.start(1), _value_end(m)) for m in _CUSTOMER.finditer(folded)]
    found += [("address", *_trim(folded, m.start(), m.end())) for m in _ADDRESS.finditer(folded)]
    for pattern in (_MOBILE, _LANDLINE, _LANDLINE_BARE, _ANY_GROUPING):
        for m in pattern.finditer(folded):
            digits = _NON_DIGIT.sub("", m.group())
            if pattern is _ANY_GROUPING and not _phone_length(digits):
                continue
            if digits.startswith("81"):
                digits = "0" + digits[2:]
                if digits.startswith("00"):  # +81 (0)90 ...
                    digits = digits[1:]
            if pattern is _LANDLINE and len(digits) != 10:
                continue
            if digits.startswith(_NOT_PERSONAL_PREFIXES) or not digits[3:].strip("0"):
                continue  # a business number, or one written with its digits hidden (090-〇〇〇〇-〇〇〇〇)
            found.append(("phone", m.start(), m.end()))
    return found


_HAS_DIGIT = re.compile(r"\d|@|[(\[]at[)\]]", re.IGNORECASE)


def find_pii(text: str) -> tuple[PiiHit, ...]:
    """Every piece of personal data in ``text``, in order, without overlaps."""
    if not text:
        return ()
    f = fold(text)
    folded = f.text
    if not _HAS_DIGIT.search(folded):
        return ()
    taken: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(_candidates(folded), key=lambda c: (_PRIORITY[c[0]], c[1], -c[2])):
        if any(start < e and s < end for _, s, e in taken):
            continue
        taken.append((kind, start, end))
    taken.sort(key=lambda c: c[1])
    merged: list[tuple[str, int, int]] = []
    for kind, start, end in taken:  # 〒150-0002 東京都... is one address
        if merged and kind == "address" == merged[-1][0] and not folded[merged[-1][2]:start].strip():
            merged[-1] = (kind, merged[-1][1], end)
        else:
            merged.append((kind, start, end))
    hits = []
    for kind, s, e in merged:
        start, end = f.original_span(s, e)
        hits.append(PiiHit(kind, start, end, text[start:end]))
    return tuple(hits)


def pii_kinds(text: str) -> tuple[str, ...]:
    """The distinct kinds of personal data in ``text``, sorted."""
    return tuple(sorted({hit.kind for hit in find_pii(text)}))


def has_pii(text: str) -> bool:
    return bool(find_pii(text))


def mask_pii(text: str) -> str:
    """``text`` with each piece of personal data replaced by a placeholder like ［電話番号］."""
    out = text
    for hit in reversed(find_pii(text)):
        out = out[: hit.start] + PLACEHOLDERS[hit.kind] + out[hit.end :]
    return out
