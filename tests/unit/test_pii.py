"""Finding and masking personal data in Japanese tweets."""

from __future__ import annotations

import random

import pytest

from activecare.pii import PII_KINDS, PLACEHOLDERS, PiiHit, find_pii, has_pii, mask_pii, pii_kinds
from infra.seed.pii_samples import GENERATORS, SENTENCES

FOUND = [
    # (text, kind, the exact personal data)
    ("電話番号は090-1234-5678です", "phone", "090-1234-5678"),
    ("09012345678に折り返しください", "phone", "09012345678"),
    ("携帯 ０９０‐１２３４‐５６７８", "phone", "０９０‐１２３４‐５６７８"),
    ("TEL:０９０－１２３４－５６７８", "phone", "０９０－１２３４－５６７８"),
    ("080ー1234ー5678まで", "phone", "080ー1234ー5678"),
    ("070–1234–5678 です", "phone", "070–1234–5678"),
    ("連絡先 080 1234 5678", "phone", "080 1234 5678"),
    ("+81-90-1234-5678", "phone", "+81-90-1234-5678"),
    ("+81 90 1234 5678 に", "phone", "+81 90 1234 5678"),
    ("自宅 03-1234-5678", "phone", "03-1234-5678"),
    ("自宅は06(1234)5678", "phone", "06(1234)5678"),
    ("電話 (045)123-4567", "phone", "(045)123-4567"),
    ("固定 0312345678 です", "phone", "0312345678"),
    ("050-1234-5678(IP電話)", "phone", "050-1234-5678"),
    ("メールは taro.yamada@example.com です", "email", "taro.yamada@example.com"),
    ("ｔａｒｏ＿８８＠ｅｘａｍｐｌｅ．ｎｅ．ｊｐに連絡ください", "email", "ｔａｒｏ＿８８＠ｅｘａｍｐｌｅ．ｎｅ．ｊｐ"),
    ("hanako(at)example.jp まで", "email", "hanako(at)example.jp"),
    ("契約番号 12345678", "contract_number", "12345678"),
    ("契約番号は１２３４５６７８です", "contract_number", "１２３４５６７８"),
    ("ご契約番号：1234-5678", "contract_number", "1234-5678"),
    ("契約者番号#9876543210", "contract_number", "9876543210"),
    ("お客様番号 C123456789", "customer_number", "C123456789"),
    ("お客さま番号は2345678901", "customer_number", "2345678901"),
    ("顧客ID: 9876543210", "customer_number", "9876543210"),
    ("〒150-0002 東京都渋谷区渋谷2丁目21番1号", "address", "〒150-0002 東京都渋谷区渋谷2丁目21番1号"),
    ("住所は大阪市北区梅田1-2-3です", "address", "大阪市北区梅田1-2-3"),
    ("東京都港区海岸１丁目２−３に住んでます", "address", "東京都港区海岸１丁目２−３"),
    ("埼玉県さいたま市大宮区桜木町4丁目28番地18", "address", "埼玉県さいたま市大宮区桜木町4丁目28番地18"),
    ("さいたま市大宮区桜木町4丁目28番18号", "address", "さいたま市大宮区桜木町4丁目28番18号"),
    ("郵便番号１５０－０００２", "address", "１５０－０００２"),
    ("郵便番号: 150-0002", "address", "150-0002"),
    ("カード番号4111 1111 1111 1111で払った", "credit_card", "4111 1111 1111 1111"),
    ("4111-1111-1111-1111", "credit_card", "4111-1111-1111-1111"),
]

NOT_PERSONAL = [
    "月額¥3,980で20GB使える",
    "3,980円のプランに変えたのに請求が12,800円",
    "料金は2,178円/月、ポイント10,000pt還元",
    "2024/12/25に機種変更した",
    "2025-01-23 18:30 に予約",
    "12月25日の10:00〜20:00は混雑",
    "10:30-11:45 はメンテナンス",
    "iPhone 15 Pro Max 256GB",
    "Pixel 8a と Galaxy S24 と AQUOS sense8 SH-M26",
    "5G対応、20GBプラン、メリハリ無制限+",
    "第3四半期の決算は前年比+12.5%",
    "新宿区のショップで1-2時間待った",
    "修理に3-4日かかる",
    "お問い合わせは0120-123-456まで",
    "フリーダイヤル 0800-123-4567",
    "ナビダイヤル 0570-000-123",
    "注文番号 1234-5678-9012",
    "https://x.com/someone/status/1858123456789012345",
    "@activecare_help 助けてください",
    "RT @mobile_news_jp: 料金値下げ",
    "キャリアメール（@i.softbank.jp）が届かない",
    "1234 5678 9012 3456",  # not a valid card number (Luhn)
    "電話番号を変えたい",
    "090で始まる番号から着信があった",
    "契約番号がわからない",
    "契約から2年たった",
    "暗証番号4桁忘れた",
    "ルーターの管理画面 192.168.3.1 に入れない",
    "iOS 17.1.2 にしたら圏外",
    "速度は最大4.9Gbps",
    "【運行情報】山手線は8:15頃、新宿駅での信号故障の影響で遅れ",
    "【求人】携帯ショップスタッフ 時給1,400円〜 渋谷区 #求人",
    "震度3の地震",
    "2026年4月1日から新料金",
    "新宿区新宿3丁目のショップで機種変更",
    "東京都渋谷区道玄坂2丁目あたりで圏外",
]


@pytest.mark.parametrize(("text", "kind", "value"), FOUND)
def test_finds_personal_data(text, kind, value):
    (hit,) = find_pii(text)
    assert (hit.kind, hit.text) == (kind, value)
    assert text[hit.start : hit.end] == value and hit.span == (hit.start, hit.end)
    assert pii_kinds(text) == (kind,) and has_pii(text)


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_prices_dates_models_and_public_numbers_are_not_personal(text):
    assert find_pii(text) == ()
    assert mask_pii(text) == text


def test_several_kinds_in_one_tweet_are_ordered_and_masked():
    text = "契約番号 12345678、連絡は090-1234-5678かtaro@example.comへ。住所〒150-0002 東京都渋谷区渋谷2-21-1"
    hits = find_pii(text)
    assert [h.kind for h in hits] == ["contract_number", "phone", "email", "address"]
    assert pii_kinds(text) == ("address", "contract_number", "email", "phone")
    assert mask_pii(text) == "契約番号 ［契約番号］、連絡は［電話番号］か［メールアドレス］へ。住所［住所］"


def test_masking_removes_every_hit_and_keeps_the_rest():
    text = "電話は０９０‐１２３４‐５６７８です。圏外で困ってます"
    masked = mask_pii(text)
    assert masked == "電話は［電話番号］です。圏外で困ってます"
    assert find_pii(masked) == ()
    assert set(PLACEHOLDERS) == set(PII_KINDS)


def test_empty_text():
    assert find_pii("") == () and pii_kinds("") == () and mask_pii("") == ""


def test_hits_are_plain_values():
    hit = find_pii("090-1234-5678")[0]
    assert hit == PiiHit("phone", 0, 13, "090-1234-5678")


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_every_generated_spelling_is_found_exactly(kind):
    rng = random.Random(kind)
    for _ in range(400):
        value = GENERATORS[kind](rng)
        text = rng.choice(SENTENCES[kind]).replace("{v}", value)
        assert [(h.kind, h.text) for h in find_pii(text)] == [(kind, value)], text


# ---- disguises: the folding, and spans that point into the original text

DISGUISED = [
    ("電話は〇九〇\u200b一二三四\u200b五六七八です", "phone", "〇九〇\u200b一二三四\u200b五六七八"),
    ("携帯 ⓪⑨⓪-①②③④-⑤⑥⑦⑧ まで", "phone", "⓪⑨⓪-①②③④-⑤⑥⑦⑧"),
    ("٠٩٠-١٢٣٤-٥٦٧٨ に電話して", "phone", "٠٩٠-١٢٣٤-٥٦٧٨"),
    ("ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチに電話ください", "phone",
     "ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチ"),
    ("call zero nine zero one two three four five six seven eight now", "phone",
     "zero nine zero one two three four five six seven eight"),
    ("090.1234.5678 です", "phone", "090.1234.5678"),
    ("090(1234)5678 です", "phone", "090(1234)5678"),
    ("連絡は sato アットマーク example。jp へ", "email", "sato アットマーク example。jp"),
    ("yamada［at］example.co.jp まで", "email", "yamada［at］example.co.jp"),
    ("住所は東京都新宿区西新宿一丁目七番一号です", "address", "東京都新宿区西新宿一丁目七番一号"),
    ("東京都 渋谷区 渋谷 2丁目 21番 1号 に住んでます", "address", "東京都 渋谷区 渋谷 2丁目 21番 1号"),
    ("契約番号 1234 5678 です", "contract_number", "1234 5678"),
]


@pytest.mark.parametrize(("text", "kind", "value"), DISGUISED)
def test_disguised_personal_data_is_found_on_the_original_characters(text, kind, value):
    (hit,) = find_pii(text)
    assert (hit.kind, hit.text) == (kind, value)
    assert mask_pii(text) == text.replace(value, PLACEHOLDERS[kind])


@pytest.mark.parametrize("text", [
    "０１２０‐１２３‐４５６ に電話しました", "〇一二〇ー一二三ー四五六", "0570.000.123", "+81 120 123 456",
    "090-〇〇〇〇-〇〇〇〇 のように伏せて", "三軒茶屋で圏外", "ごごにさんかい電話した", "iOS 18.1 と SH-53C",
    "〇〇さんに聞いた", "I have one phone and two tablets",
])
def test_business_numbers_and_look_alikes_stay_allowed(text):
    assert find_pii(text) == ()


def test_fold_keeps_where_each_character_came_from():
    from activecare.pii import fold

    f = fold("Ａ\u200b①〇九")
    assert f.text == "A109"
    assert [(f.starts[i], f.ends[i]) for i in range(len(f.text))] == [(0, 1), (2, 3), (3, 4), (4, 5)]
    assert fold("hanako(at)example。jp").text == "hanako@example.jp"


_DIGIT_SCRIPTS = {
    "kanji": dict(zip("0123456789", "〇一二三四五六七八九", strict=True)),
    "circled": dict(zip("0123456789", "⓪①②③④⑤⑥⑦⑧⑨", strict=True)),
    "mathematical": {str(i): chr(0x1D7CE + i) for i in range(10)},
    "arabic-indic": {str(i): chr(0x0660 + i) for i in range(10)},
}


def _disguise(value: str, how: str) -> str:
    if how == "zero-width":
        return "\u200b".join(value)
    if how == "dots":
        return value.replace("-", ".")
    if how == "spaces":
        return value.replace("-", "  ")
    return "".join(_DIGIT_SCRIPTS[how].get(c, c) for c in value)


@pytest.mark.parametrize("how", ["zero-width", "dots", "spaces", *_DIGIT_SCRIPTS])
@pytest.mark.parametrize("kind", ["phone", "contract_number", "customer_number", "address", "credit_card"])
def test_every_generated_spelling_is_found_in_disguise(kind, how):
    rng = random.Random(f"{kind}/{how}")
    for _ in range(100):
        text = rng.choice(SENTENCES[kind]).replace("{v}", _disguise(GENERATORS[kind](rng), how))
        assert kind in pii_kinds(text), text
        assert pii_kinds(mask_pii(text)) == (), text
