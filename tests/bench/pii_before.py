"""The detector as it was before the folding (commit 4b59076), kept only for bench_pii.py's comparison.

Personal data in Japanese tweets: find it, list its kinds, mask it.

Kinds: ``phone``, ``email``, ``contract_number``, ``customer_number``, ``address`` and
``credit_card``. Matching runs on a width-folded copy of the text that keeps every
character's position (full-width digits and letters become ASCII; ‐ ‑ – — ― − － ー ｰ
become ``-``), so spans always point into the original text.

Deliberately *not* personal data: prices (¥3,980, 2,980円), dates and times, model
numbers (iPhone 15, SH-M26), plan names (5G, 20GB), and the carrier's own toll-free and
navigation numbers (0120-, 0800-, 0570-). Contract and customer numbers are only
recognised after their label (契約番号, お客様番号 ...): a bare number is not guessed.
"""

from __future__ import annotations

import re
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


# One character in, one character out: positions survive the folding.
_FOLD_MAP = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
_FOLD_MAP.update({c: "-" for c in "‐‑‒–—―−－ーｰ﹣⁃"})
_FOLD_MAP["\u3000"] = " "
_FOLD = str.maketrans(_FOLD_MAP)

_SEP = r"[- ]"
_NOT_BEFORE = r"(?<![\d+])(?<!\d-)"
_NOT_AFTER = r"(?!\d)(?!-\d)"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*(?:@|\s?[(\[]at[)\]]\s?)"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,}(?![A-Za-z0-9])"
)
# Mobile / IP phones (070 080 090 050 020), also as +81 90-...
_MOBILE = re.compile(
    _NOT_BEFORE + rf"(?:\+81{_SEP}?|0)[25789]0{_SEP}?\d{{4}}{_SEP}?\d{{4}}" + _NOT_AFTER
)
# Fixed lines: 0 + area + local = 10 digits, with separators or parentheses.
_LANDLINE = re.compile(
    _NOT_BEFORE
    + r"(?:\(0\d{1,4}\) ?\d{1,4}[- ]|(?:\+81[- ]?|0)\d{1,4}(?:[- ]\d{1,4}[- ]|\(\d{1,4}\) ?))\d{4}"
    + _NOT_AFTER
)
_LANDLINE_BARE = re.compile(_NOT_BEFORE + r"0[1-9]\d{8}" + _NOT_AFTER)
_NOT_PERSONAL_PREFIXES = ("0120", "0800", "0570", "0990")

_CARD = re.compile(
    r"(?<![\d-])(?:\d{4}([- ]?)\d{4}\1\d{4}\1\d{4}|\d{4}([- ]?)\d{6}\2\d{5})(?![\d])(?!-\d)"
)

_NUMBER_VALUE = r"((?:[A-Za-z]{1,3}-?)?\d(?:[\d-]{4,18})\d)(?![\d])"
_LABEL_GAP = r"\s*(?:[:#=]|は|→)?\s*[「『]?"
_CONTRACT = re.compile(r"ご?契約者?(?:番号|No\.?|ID)" + _LABEL_GAP + _NUMBER_VALUE, re.IGNORECASE)
_CUSTOMER = re.compile(
    r"(?:お客(?:様|さま)(?:番号|ID)|顧客(?:番号|ID)|会員番号|customer\s?(?:id|no\.?))"
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
_BLOCK = (
    rf"(?:\d{{1,4}}|[{_KANJI_NUM}]{{1,3}})丁目\d{{1,4}}(?:番地?|-)(?:\d{{1,4}}号?)?"
    r"|\d{1,4}番地(?:\d{1,4}号?|-\d{1,4})?"
    r"|\d{1,4}番\d{1,4}号?"
    r"|\d{1,4}-\d{1,4}-\d{1,4}"
    r"|\d{1,4}-\d{1,4}(?:号|番地)"
)
_POSTAL = r"(?:〒\s*|(?<=郵便番号)|(?<=郵便番号[ :])|(?<=郵便番号: ))\d{3}-?\d{4}(?!\d)"
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
    rf"(?:(?:{_PREFS})(?:[{_KANJI}ぁ-んァ-ヴ]{{1,6}}?[市区町村郡]){{1,2}}[{_KANJI}ぁ-んァ-ヴ]{{0,8}}?"
    rf"|(?:(?:{_KANA_CITIES})市|[{_KANJI}]{{1,5}}?[市区町村郡]){{1,2}}[{_KANJI}ァ-ヴ]{{0,8}}?)"
    rf"(?:{_BLOCK})"
    rf"|{_POSTAL}"
)

# Which kind wins when two candidates overlap (a labelled number beats a phone pattern).
_PRIORITY = {
    "credit_card": 0, "email": 1, "contract_number": 2, "customer_number": 3, "address": 4, "phone": 5,
}


def _fold(text: str) -> str:
    return text.translate(_FOLD)


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


def _candidates(folded: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for m in _CARD.finditer(folded):
        if _luhn(m.group()):
            found.append(("credit_card", m.start(), m.end()))
    found += [("email", m.start(), m.end()) for m in _EMAIL.finditer(folded)]
    found += [("contract_number", m.start(1), m.end(1)) for m in _CONTRACT.finditer(folded)]
    found += [("customer_number", m.start(1), m.end(1)) for m in _CUSTOMER.finditer(folded)]
    found += [("address", m.start(), m.end()) for m in _ADDRESS.finditer(folded)]
    for pattern in (_MOBILE, _LANDLINE, _LANDLINE_BARE):
        for m in pattern.finditer(folded):
            digits = re.sub(r"\D", "", m.group())
            if digits.startswith("81"):
                digits = "0" + digits[2:]
            if pattern is _LANDLINE and len(digits) != 10:
                continue
            if digits.startswith(_NOT_PERSONAL_PREFIXES):
                continue
            found.append(("phone", m.start(), m.end()))
    return found


def find_pii(text: str) -> tuple[PiiHit, ...]:
    """Every piece of personal data in ``text``, in order, without overlaps."""
    if not text:
        return ()
    folded = _fold(text)
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
    return tuple(PiiHit(kind, s, e, text[s:e]) for kind, s, e in merged)


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
