"""Synthetic personal data that customers paste into tweets (phone numbers, e-mail
addresses, contract/customer numbers, postal addresses, card numbers), written the
many ways people type them: full-width digits, ‐ － ー as hyphens, no separators.

All values are fake: e-mail domains are the reserved example.* domains and card
numbers are random Luhn-valid numbers."""

from __future__ import annotations

import random
from collections.abc import Callable

from infra.seed.people import ROMAJI

_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})

PII_KINDS = ("phone", "email", "contract_number", "customer_number", "address", "credit_card")


def fullwidth(text: str) -> str:
    """ASCII to full-width (０９０, ＠, ．)."""
    return text.translate(_FULLWIDTH)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def phone(rng: random.Random) -> str:
    head = rng.choice(("090", "090", "080", "080", "070"))
    a, b = str(rng.randrange(1, 10)) + _digits(rng, 3), _digits(rng, 4)  # 080-0... is toll-free
    style = rng.randrange(12)
    if style < 4:
        return f"{head}-{a}-{b}"
    if style < 6:
        return f"{head}{a}{b}"
    if style == 6:
        return fullwidth(f"{head}{a}{b}")
    if style == 7:
        return fullwidth(head) + "‐" + fullwidth(a) + "‐" + fullwidth(b)
    if style == 8:
        return fullwidth(f"{head}-{a}-{b}")  # ０９０－１２３４－５６７８
    if style == 9:
        return f"{head}ー{a}ー{b}"  # typed with the long-vowel mark
    if style == 10:
        return f"+81-{head[1:]}-{a}-{b}"
    area = rng.choice(("03", "06", "045", "052", "092"))
    return f"{area}-{_digits(rng, 6 - len(area))}-{_digits(rng, 4)}"


_DOMAINS = ("example.com", "example.jp", "example.co.jp", "example.ne.jp", "example.net", "mail.example.org")


def email(rng: random.Random) -> str:
    local = rng.choice(ROMAJI) + rng.choice((".", "_", "")) + rng.choice(ROMAJI)
    if rng.random() < 0.5:
        local += str(rng.randrange(1, 2000))
    address = f"{local}@{rng.choice(_DOMAINS)}"
    return fullwidth(address) if rng.random() < 0.1 else address


def contract_number(rng: random.Random) -> str:
    value = str(rng.randrange(1, 10)) + _digits(rng, rng.choice((7, 9)))
    if rng.random() < 0.2:
        value = f"{value[:4]}-{value[4:]}"
    return fullwidth(value) if rng.random() < 0.15 else value


def customer_number(rng: random.Random) -> str:
    value = str(rng.randrange(1, 10)) + _digits(rng, 9)
    return rng.choice(("", "", "", "C", "A")) + value


_ADDRESSES = (
    ("東京都", "渋谷区", "渋谷"),
    ("東京都", "世田谷区", "三軒茶屋"),
    ("東京都", "港区", "海岸"),
    ("大阪府", "大阪市北区", "梅田"),
    ("神奈川県", "横浜市西区", "高島"),
    ("愛知県", "名古屋市中村区", "名駅"),
    ("福岡県", "福岡市博多区", "博多駅前"),
    ("北海道", "札幌市中央区", "北一条西"),
    ("埼玉県", "さいたま市大宮区", "桜木町"),
    ("千葉県", "千葉市中央区", "富士見"),
    ("京都府", "京都市下京区", "東塩小路町"),
    ("宮城県", "仙台市青葉区", "中央"),
)


def address(rng: random.Random) -> str:
    pref, city, town = rng.choice(_ADDRESSES)
    a, b, c = rng.randrange(1, 10), rng.randrange(1, 30), rng.randrange(1, 20)
    block = rng.choice((f"{a}丁目{b}番{c}号", f"{a}-{b}-{c}", f"{a}丁目{b}-{c}", f"{a}丁目{b}番地{c}"))
    if rng.random() < 0.15:
        block = fullwidth(block).replace("－", "−")
    text = (pref if rng.random() < 0.75 else "") + city + town + block
    if rng.random() < 0.3:
        text = f"〒{rng.randrange(100, 999)}-{rng.randrange(0, 10_000):04d} {text}"
    return text


def credit_card(rng: random.Random) -> str:
    digits = [4, *(rng.randrange(10) for _ in range(14))]
    total = 0
    for i, d in enumerate(reversed(digits)):  # Luhn check digit
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    digits.append((10 - total % 10) % 10)
    number = "".join(map(str, digits))
    sep = rng.choice(("-", " ", ""))
    return sep.join(number[i:i + 4] for i in range(0, 16, 4))


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "phone": phone,
    "email": email,
    "contract_number": contract_number,
    "customer_number": customer_number,
    "address": address,
    "credit_card": credit_card,
}

SENTENCES: dict[str, tuple[str, ...]] = {
    "phone": (
        "電話番号は{v}です", "連絡先 {v}", "{v}に折り返しください", "携帯 {v}", "TEL:{v}",
        "{v}まで電話ください",
    ),
    "email": ("メールは{v}", "{v}に連絡ください", "連絡先→{v}", "返信は{v}へお願いします"),
    "contract_number": ("契約番号 {v}", "契約番号は{v}です", "ご契約番号：{v}", "契約番号{v}"),
    "customer_number": ("お客様番号 {v}", "お客さま番号は{v}", "顧客番号：{v}"),
    "address": ("住所は{v}です", "{v}に住んでます", "住所 {v}", "自宅は{v}"),
    "credit_card": ("カード番号{v}で払ったのに", "支払いカードは{v}です"),
}

# How often each kind is chosen when a tweet carries personal data.
KIND_WEIGHTS: dict[str, int] = {
    "phone": 36, "email": 18, "contract_number": 20, "customer_number": 10, "address": 12, "credit_card": 4,
}


def pii_clause(kind: str, rng: random.Random) -> tuple[str, str]:
    """A short clause that carries one piece of personal data of ``kind``, and that piece."""
    sentence = rng.choice(SENTENCES[kind])
    value = GENERATORS[kind](rng)
    return sentence.replace("{v}", value), value


def pii_sentence(kind: str, rng: random.Random) -> str:
    """A short clause that carries one piece of personal data of ``kind``."""
    return pii_clause(kind, rng)[0]
