"""Lexicon-based sentiment of Japanese support tweets: complaint, praise or neutral.

How a text is classified:

1. Normalise: NFKC (ＷｉＦｉ → WiFi, ﾂﾅｶﾞﾗﾅｲ → ツナガラナイ), lower case, katakana as
   hiragana (ツナガラナイ → つながらない).
2. Find cues, leftmost-longest, without overlaps. Each cue has a polarity and a weight
   (3 strong: 最悪, ふざけんな, 💢, 神対応, ありがとう...; 2 ordinary: 繋がらない, 遅い,
   困る, 丁寧, 解決...; 1 weak). Besides words, a cue may be a pattern: the negative forms of
   trouble verbs written as their stem (つながら + ない / なかった / へん / ん / ず / なさすぎ:
   つながらへん, 入らんくなった, 掴まへん, できず), 〜てほしい (asking for a fix), 〜てない,
   〜のに, a crawl (0.5Mbps), 30分かかった. Slang, dialect, emoji and kaomoji are cues
   (電波ゴミ, あかん, エグい, 📵, (´；ω；｀); (*´ω｀*) for praise). Some phrases are shadows with
   no polarity, so that a cue inside them does not count (改善要望, 電波時計, 発達障害,
   故障中, 〜てきた hiding できた, 好きな, 改善の予定).
3. Negation, from the words right after a cue:
   - a complaint cue followed by わけじゃない / ほどじゃない / ことはない / じゃない /
     ない (not a question) / にならない / の件 / とき・場合 (a topic or hypothetical, not
     a complaint) / なし (不満なし) / も対象 / って本当・って今 (asked about) is dropped:
     「繋がらないわけじゃない」 is not a complaint;
   - a praise cue followed by じゃない / くない / しない / されない / できない ... counts
     as a complaint of weight 2: 「快適じゃない」「解決しない」;
   - a praise cue asked about (「どこまで復旧してるんだろ」「改善されましたか？」) is dropped.
   A question like 「高すぎじゃない？」 is not negated.
4. The last clause counts double: cues after the last contrast (けど, でも, しかし, が、,
   ただ) weigh ×2, so 「対応は丁寧だったけど、まだ繋がらない」 is a complaint and
   「昨日は最悪だったけど、神対応で解決！」 is praise. A repeat inquiry is a complaint cue of its
   own (前にも相談, また同じ): 「前にも相談したけど、また圏外。改善の予定は？」 is a complaint.
5. The larger total wins; a tie goes to the polarity of the last cue; no cue → neutral.
6. Headlines, news phrasing and ads (【速報】, 【定期】, #PR, 記者会見, によると, 各社,
   期間限定, 初月無料 ...) are neutral.

Measured on the hand-written set (tests/data/relevance_eval.jsonl) and the generated days by
``tests/bench/bench_relevance.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, cast

Sentiment = Literal["complaint", "praise", "neutral"]

_COMPLAINT: dict[int, tuple[str, ...]] = {
    3: (
        "最悪", "ふざけんな", "ふざけるな", "ふざけてる", "いい加減にして", "いいかげんにして",
        "ありえない", "あり得ない", "許せない", "腹立つ", "腹が立つ", "ムカつく", "むかつく", "激怒",
        "金返せ", "詐欺", "二度と使わない", "最低", "💢", "😡", "🤬", "(怒)", "クソ", "くそ",
    ),
    2: (
        "困る", "困った", "困って", "困ります", "使えない", "使えなく", "繋がらない", "つながらない",
        "繋がらん", "つながらん", "入らなく", "後悔", "勝手に", "はじかれ", "弾かれ", "うまくいかない",
        "上手くいかない", "全然わから", "ストレス", "おかしい", "おかしく", "直して", "場合じゃない",
        "繋がんない", "繋がらなく", "つながらなく", "途切れ", "遅い", "遅すぎ", "遅くて", "おそい",
        "高すぎ", "不便", "不満", "ひどい", "酷い", "迷惑", "イライラ", "いらいら", "勘弁", "つらい",
        "つらすぎ", "辛い", "しんどい", "意味わからん", "意味わからない", "意味不明", "わかりにくい",
        "分かりにくい", "面倒", "めんどくさ", "めんどい", "使いにくい", "直らない", "治らない",
        "直らなかった", "直んない", "圏外", "電波が悪い", "電波悪", "弱すぎ", "通信障害", "障害", "不具合",
        "故障", "壊れ", "割れ", "エラー", "できない", "出来ない", "できなかった", "届かない", "届いてない",
        "送れない", "開かない", "開けない", "見れない", "見られない", "入らない", "効かない", "効いてない",
        "認識しない", "読み込めない", "反映されない", "更新されない", "適用されてない", "変わってない",
        "下がってない", "戻ってこない", "聞こえてない", "聞こえない", "取れない", "切れる", "切れた",
        "切れて", "止まる", "止まった", "固まる", "落ちる", "重すぎ", "重い", "点滅", "不安定", "異音",
        "無効", "失敗", "消えた", "待たされ", "たらい回し", "来ない", "こない", "来なくて", "こなくて",
        "しつこい", "使ってないのに", "はずなのに", "身に覚えのない", "二重請求", "督促", "減りが早い",
        "すぐ減る", "死んでる", "死ぬ", "死亡", "無理", "泣きそう", "泣いた", "詰んだ", "だめだった",
        "ダメだった", "全然ダメ", "諦めた", "どういうこと", "どうなってんの", "どうなってるの",
        "何とかして", "なんとかして", "どうにかならない", "仕事にならん", "させてくれない", "対応が悪い",
        "対応悪", "未解決", "未だに", "まだ解決してない", "😭", "😢", "😩", "🙄", "😤", "orz", "(´・ω・`)",
        "(;ω;)", "再発",
        # colloquial, slang and dialect (issue #16): 電波ゴミ, エグい, あかん, 激遅...
        "悪すぎ", "わるすぎ", "わるい", "弱く", "細すぎ", "長すぎ", "複雑すぎ", "寒すぎ", "少なすぎ", "ゴミ", "しょぼ",
        "あかん", "エグ", "えぐい", "激遅", "激重", "おっそ", "おそすぎ", "遅延", "遅か", "重く", "きれる", "ブツブツ",
        "ぶちぶち", "つながりづら", "繋がりづら", "つながりにく", "繋がりにく", "入りにく", "使いづら", "止まって",
        "開かれへん", "何が原因", "雑音", "ノイズ", "無音", "ツーツー", "エコーがかか", "一点張り", "すぐなくな",
        "すぐ切れ", "すぐ減", "減るの早", "減るのはや", "減っていく", "減りが早", "電池溶け", "バッテリー溶け",
        "ギガが溶け", "バッテリー切れ", "充電切れ", "真っ暗", "文鎮", "膨らんで", "膨張", "怖い", "取られ", "爆死",
        "足りない", "足りなく", "足りん", "死んだ", "死んで", "どないしよ", "やめたい", "もうええわ", "二重に",
        "在庫ない", "在庫がない", "使ってへん", "頼んでない", "頼んでへん", "聞いてない", "聞いてへん", "納得いかな",
        "納得できな", "させられ", "行かされ", "引き止められ", "不正", "大丈夫かな", "またか", "話にならな",
        "話にならん", "会話にならな", "会話にならん", "試合にならん", "いみわから", "言うこと違う", "前にも相談",
        "前も相談", "何度も相談", "何回も相談", "また同じ", "改善してほしい", "改善して欲しい",
        "改善してもらえませんか", "改善してください", "詐欺sms", "詐欺メール", "悲しい", "虫の息", "ドタキャン",
        "ループして", "回線落ち", "けんがい", "電波ゼロ", "しぬ", "しんだ", "くるくる", "遅なる", "遅なって", "声が飛",
        "音が飛", "充電がたまらな", "充電たまらな", "全然たまらな", "緑の線", "溶けて", "ややこし", "分からへん",
        "わからへん", "イマイチ", "いまいち", "😱", "🤯", "😨", "😵", "📵", "🪫", "(´;ω;`)", "(t_t)", "t_t", "(;∀;)",
        "( ;∀;)", "(ﾟДﾟ)", "((((;ﾟДﾟ))))", "(>_<)", "(-_-;)", "(´Д`)", "(╬ Ò﹏Ó)",
    ),
    1: (
        "高い", "謎", "微妙", "残念", "なんで", "😇", "🥲", "😞", "閉まってた", "いらないオプション",
        "付けられた", "多すぎ", "請求されてる", "行ったり来たり", "悲報", "異常", "態度",
        "のまま", "しか出", "わからない", "分からない", "終わってる", "違う", "されてた", "られてた",
        "って言われ", "熱くなる", "てしまった", "帰りたい", "ラグい", "ラグすぎ", "がつかない", "原因", "🤔", "⌛",
        "💸", "🐢", "震えて", "の倍", "いつまでも", "保留", "われてた", "残高不足", "下がった", "遅れて", "どうしよ",
    ),
}
# Negative forms of trouble verbs, written as their 未然形 stem: つながらない, つながらなかった,
# つながらへん (Kansai), つながらん, つながらず, つながらねえ, つながらなさすぎ, 入らんくなった...
_NEGATED_STEMS = (
    "つながら", "繋がら", "入ら", "はいら", "使え", "でき", "出来", "でけ", "届か", "送れ", "開か", "開け", "見れ",
    "見られ", "聞こえ", "取れ", "直ら", "治ら", "効か", "読み込め", "読み込ま", "動か", "掴ま", "つかま", "拾わ",
    "拾え", "認識し", "反映され", "更新され", "繋げ", "つなげ", "出ら", "進め", "進ま", "戻ら", "変わら", "安定し",
    "反応し", "起動し", "うまくいか", "上手くいか", "充電され", "開通し", "持た", "鳴ら", "かから",
    "ログインでき", "出",
)
_NEGATIVE_ENDINGS = r"(?:なかった|なくて|なく|なさ|ない|へん|ひん|ず|ねえ|ねー|ねぇ|ん(?![だでじか]))"
_COMPLAINT_PATTERNS: dict[int, tuple[str, ...]] = {
    2: (
        r"\d+(?:分|時間|日|週間)半?(?:も)?待",
        "(?:" + "|".join(_NEGATED_STEMS) + ")" + _NEGATIVE_ENDINGS,
        r"[てで](?:ほしい|欲しい|ほしー)",  # 〜てほしい: asking for a fix
        r"だめ(?!なの|[?か])",
        r"\d+(?:分|時間|日)(?:も|以上)?かか(?:った|って|る)",  # 30分かかった
    ),
    1: (
        r"[てで](?:ない|なかった|へん|ねえ)(?![?か])",  # 移ってない, 直ってない
        r"(?<![\d.])(?:0\.\d+|[0-5])mbps",  # a crawl
        r"\d+分の1",  # 速度が10分の1
        r"残り(?:0\.\d+gb|\d+mb)",  # almost no data left
        r"(?:もう|残り)1?\d%",  # battery almost empty
        r"のに(?![ぁ-ゖー])",  # 〜のに: against what was promised (not のにゅーす)
    ),
}
_PRAISE: dict[int, tuple[str, ...]] = {
    3: (
        "神対応", "神サポ", "感謝", "ありがとう", "ありがとうございます", "ありがとうございました",
        "有難う", "あざす", "助かりました", "助かった", "助かる", "助かります", "最高", "素晴らしい",
        "感動", "神だった", "神すぎ", "神でした",
    ),
    2: (
        "丁寧", "親切", "快適", "優しい", "優しかった", "わかりやすい", "わかりやすかった", "分かりやすい",
        "分かりやすかった", "使いやすい", "使いやすく", "早い対応", "対応が早", "対応早", "迅速", "解決",
        "直った", "治った", "直りました", "繋がった", "つながった", "繋がりました", "復旧", "改善",
        "良くなった", "良くなって", "よくなった", "良かった", "よかった", "嬉しい", "うれしい", "スムーズ",
        "安心", "満足", "便利", "爆速", "速くなった", "安くなった", "楽になった", "即日", "お礼", "🙏",
        "✨", "😊", "🥰", "👍", "(*^^*)", "(*´▽`*)",
        "ありがたい", "有難い", "解消", "サクサク", "速い", "速度上が", "ちゃんとしてる", "あっという間", "楽ちん",
        "幸せ", "おめでとう", "楽しかった", "はかどった", "戻ってきた", "おおきに", "(*´ω`*)", "(^^)", "(^-^)",
        "(*^_^*)", "(^o^)", "(≧▽≦)", "(*^▽^*)", "バリ3", "音がいい", "ありがたや", "親身", "直してもらえ",
        "直してもらった", "思いとどま",
    ),
    1: ("楽だった", "簡単", "安い", "できた", "好き", "すごい", "いい感じ", "さすが", "流石", "👏", "てくれた",
        "てくれて", "てもらえて"),
}
# Phrases that contain a cue but carry no sentiment themselves.
_SHADOWS: tuple[str, ...] = (
    "改善要望", "電波時計", "電波ソング", "障害情報", "故障受付", "ありがとうございますの", "感謝祭",
    "最高気温", "最低気温", "最低限", "最高裁", "解決策", "解決方法", "まだまだ",
    # look-alikes and words a cue hides in (issue #16)
    "発達障害", "障害者", "故障中", "ランキング圏外", "対象圏外", "合格圏外", "は話が繋がら", "と話が繋がら",
    "の話が繋がら", "伏線が繋がら", "点と点が繋がら", "売り切れ", "てきた", "んできた", "なんです", "教えてほしい",
    "教えて欲しい", "胸が熱く", "目頭が熱く", "そのまま", "ゴミ出し", "ゴミ箱", "悪いけど", "かわいそう", "不正解",
    "このまま", "好きな", "ほうがいい", "方がいい",
    # asking about a fix is not praise: 「前にも相談したけど、また圏外。改善の予定はありますか？」
    "改善の予定", "改善予定", "改善の見込み", "改善される予定", "改善する予定", "解決の見込み", "復旧の見込み",
    "復旧見込み", "復旧予定", "復旧の予定",
)

_COMPLAINT_NEGATION = re.compile(
    r"(?:って|という)?(?:わけ|訳)(?:じゃ|では|でも)(?:ない|ありません|なかった)"
    r"|(?:って|という)?ほど(?:じゃ|では|でも)(?:ない|ありません)"
    r"|(?:こと|事)は?(?:ない|ありません)"
    r"|とは(?:言|い)わない"
    r"|(?:じゃ|では)(?:ない|ありません)(?![?か])"
    r"|ない(?![?か])"
    r"|に?なら(?:ない|なく|なかった)"
    r"|の?件"
    r"|(?:になった|になる|した|の|する)?(?:とき|時(?!間)|場合)"
    r"|は?なし"  # 不満なし
    r"|(?:も|は)対象"  # 画面割れも対象ですか
    r"|(?:なる)?って(?:本当|ほんと|今|いつ|どこ|何|なに|どう)"  # a question about the topic
)
_PRAISE_NEGATION = re.compile(
    r"(?:じゃ|では|でも)(?:ない|なかった|ありません|ねー|ねえ|ねぇ)(?![?か])"
    r"|じゃね[ーえぇ]"
    r"|く?(?:ない|なかった)(?![?か])"
    r"|(?:し|され|して|されて|でき)(?:ない|なかった|ません)"
    r"|とは(?:言|い)えない"
)
# A praise word asked about, not reported: 「どこまで復旧してるんだろ」「解決した？」.
_PRAISE_QUESTION = re.compile(
    r"(?:(?:し|され)(?:てる|ている|た|ました|ます)|する|される)?(?:の|ん)?(?:だろ|かな|か(?=$|[?。])|\?)"
)
_CONTRAST = re.compile(r"けど|けれど|しかし|だが|(?:^|[、。!?\s])(?:でも|ただ[、,])|が、")
_HEADLINE = re.compile(  # matched on the normalised text (katakana as hiragana)
    r"^\s*【(?:速報|にゅーす|解説|運行情報|求人|急募|pr|今日の運勢|電気料金|たいむせーる|自動[^】]*|お知らせ|定期|地震情報)】"
    r"|#pr(?![a-z0-9])|【pr】"
    # news phrasing and ads anywhere in the text
    r"|記者会見|を発表|と発表|発表した|によると|を呼びかけ|呼びかけている|相次ぐ|各社|見通し|を急いでいる|影響で一部"
    r"|と説明|を突破|前年比|にゅーす[:：]|期間限定|初月無料|ぷろふぃーるから|きゃんぺーん実施中|相互ふぉろー|定期ついーと"
    r"|最大\d+万円|\d+%off|ご予約は|修理します|徹底比較|悩むあなた|当選報告|お気軽に|被害額"
)


@dataclass(frozen=True)
class Cue:
    """A sentiment cue found in a text (after negation)."""

    text: str
    polarity: Sentiment
    weight: float
    start: int


def _build() -> tuple[re.Pattern[str], dict[str, tuple[Sentiment, int]]]:
    table: dict[str, tuple[Sentiment, int]] = {}
    for weight, words in _COMPLAINT.items():
        for w in words:
            table[_norm(w)] = ("complaint", weight)
    for weight, words in _PRAISE.items():
        for w in words:
            table[_norm(w)] = ("praise", weight)
    for w in _SHADOWS:
        table[_norm(w)] = ("neutral", 0)
    literals = sorted(table, key=len, reverse=True)
    patterns = [
        f"(?P<c{weight}_{i}>{p})" for weight, ps in _COMPLAINT_PATTERNS.items() for i, p in enumerate(ps)
    ]
    regex = re.compile("|".join([*(re.escape(w) for w in literals), *patterns]))
    return regex, table


_KATA_TO_HIRA = str.maketrans({chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)})


def _norm(text: str) -> str:
    """NFKC, lower case, katakana as hiragana (ツナガラナイ → つながらない)."""
    return unicodedata.normalize("NFKC", text).lower().translate(_KATA_TO_HIRA)


_CUES, _TABLE = _build()


def sentiment_cues(text: str) -> list[Cue]:
    """The cues of ``text`` with negation applied (shadows and dropped cues left out)."""
    norm = _norm(text)
    cues: list[Cue] = []
    for m in _CUES.finditer(norm):
        word = m.group()
        if m.lastgroup:  # a pattern cue, named c<weight>_<n>
            polarity, weight = "complaint", int(m.lastgroup[1:].split("_")[0])
        else:
            polarity, weight = _TABLE[word]
        if polarity == "neutral":
            continue
        rest = norm[m.end() : m.end() + 12]
        if polarity == "complaint" and _COMPLAINT_NEGATION.match(rest):
            continue
        if polarity == "praise" and _PRAISE_QUESTION.match(rest):
            continue
        if polarity == "praise" and _PRAISE_NEGATION.match(rest):
            polarity, weight = "complaint", 2
        cues.append(Cue(word, cast(Sentiment, polarity), float(weight), m.start()))
    return cues


def sentiment_scores(text: str) -> tuple[float, float]:
    """(complaint, praise) totals, cues in the last clause counting double."""
    norm = _norm(text)
    last_turn = max((m.end() for m in _CONTRAST.finditer(norm)), default=0)
    complaint = praise = 0.0
    for cue in sentiment_cues(text):
        weight = cue.weight * (2 if last_turn and cue.start >= last_turn else 1)
        if cue.polarity == "complaint":
            complaint += weight
        else:
            praise += weight
    return complaint, praise


def classify_sentiment(text: str) -> Sentiment:
    """``"complaint"``, ``"praise"`` or ``"neutral"`` for one Japanese tweet."""
    if _HEADLINE.search(_norm(text)):
        return "neutral"
    complaint, praise = sentiment_scores(text)
    if complaint > praise:
        return "complaint"
    if praise > complaint:
        return "praise"
    if complaint == 0:
        return "neutral"
    return sentiment_cues(text)[-1].polarity
